//! Read models: the reviewer's queue, the chair's board and the decisions published.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::cases::CaseRow;
use crate::db::DbConn;
use crate::db::schema::{
    fields, initiatives, review_assignments, review_cases, review_loads, review_stages, unions,
};

/// Filters of a reviewer's queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub program_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub field_id: Option<i64>,
    /// Only initiatives of this union subtree.
    pub subtree: Option<String>,
    pub has_duplicates: bool,
    pub not_scored: bool,
}

/// One line of a reviewer's queue.
#[derive(Debug, Clone, Queryable)]
pub struct QueueRow {
    pub case_id: i64,
    pub initiative_id: i64,
    pub title: String,
    pub receipt_no: Option<String>,
    pub union_name: String,
    pub field_name: Option<String>,
    pub stage_name: String,
    pub state: String,
    pub due_at: NaiveDateTime,
    pub my_state: String,
    pub my_total: Option<f64>,
    pub duplicate_count: i64,
}

type QueueTuple = (
    i64,
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    NaiveDateTime,
    String,
    Option<f64>,
);

/// A page of a reviewer's queue (cases still open or pending), due first, with the total and
/// how many of them the reviewer has scored.
///
/// The counts and the page's order need only the assignments and the cases; the initiatives
/// (large rows) are read for the page alone, unless a filter is on them. The inner joins
/// left out of the counts never drop a row: each is a non-null foreign key.
pub fn queue(
    conn: &mut DbConn,
    reviewer_id: i64,
    f: &QueueFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<QueueRow>, i64, i64)> {
    use crate::db::schema::duplicate_candidates as dc;
    let mine = || {
        let mut q = review_assignments::table
            .inner_join(review_cases::table)
            .filter(review_assignments::reviewer_id.eq(reviewer_id))
            .filter(review_assignments::state.ne("recused"))
            .filter(review_cases::state.ne("closed"))
            .into_boxed();
        if let Some(p) = f.program_id {
            q = q.filter(review_cases::program_id.eq(p));
        }
        if let Some(s) = f.stage_id {
            q = q.filter(review_cases::stage_id.eq(s));
        }
        q
    };
    let by_initiative = f.field_id.is_some() || f.subtree.is_some() || f.has_duplicates;
    let build = || {
        let mut q = review_assignments::table
            .inner_join(review_cases::table)
            .inner_join(initiatives::table.on(initiatives::id.eq(review_cases::initiative_id)))
            .filter(review_assignments::reviewer_id.eq(reviewer_id))
            .filter(review_assignments::state.ne("recused"))
            .filter(review_cases::state.ne("closed"))
            .into_boxed();
        if let Some(p) = f.program_id {
            q = q.filter(review_cases::program_id.eq(p));
        }
        if let Some(s) = f.stage_id {
            q = q.filter(review_cases::stage_id.eq(s));
        }
        if let Some(fid) = f.field_id {
            q = q.filter(initiatives::field_id.eq(fid));
        }
        if let Some(path) = &f.subtree {
            let (lo, hi) = crate::db::path_range(path);
            let under = crate::db::schema::unions::table
                .filter(crate::db::schema::unions::path.ge(lo))
                .filter(crate::db::schema::unions::path.lt(hi))
                .select(crate::db::schema::unions::id);
            q = q.filter(initiatives::union_id.eq_any(under));
        }
        if f.has_duplicates {
            q = q.filter(diesel::dsl::exists(
                dc::table.filter(dc::initiative_id.eq(initiatives::id)),
            ));
        }
        q
    };
    let scored_only = review_assignments::state.eq("scored");
    let not_scored = review_assignments::state.eq("assigned");
    let order = (review_cases::due_at, review_cases::id);
    // The same three reads over either query (their types differ, hence a macro): all of the
    // reviewer's cases, those scored, and the page's case ids in due order.
    macro_rules! counted_page {
        ($query:expr) => {{
            let total: i64 = $query().count().get_result(conn)?;
            let scored: i64 = $query().filter(scored_only).count().get_result(conn)?;
            let mut q = $query();
            if f.not_scored {
                q = q.filter(not_scored);
            }
            let page: Vec<i64> = q
                .order(order)
                .limit(limit)
                .offset(offset)
                .select(review_cases::id)
                .load(conn)?;
            (total, scored, page)
        }};
    }
    let (total, scored, page) = if by_initiative {
        counted_page!(build)
    } else {
        counted_page!(mine)
    };
    let mut rows: Vec<QueueTuple> = if page.is_empty() {
        Vec::new()
    } else {
        review_assignments::table
            .inner_join(review_cases::table)
            .inner_join(initiatives::table.on(initiatives::id.eq(review_cases::initiative_id)))
            .inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
            .inner_join(review_stages::table.on(review_stages::id.eq(review_cases::stage_id)))
            .left_join(fields::table.on(fields::id.nullable().eq(initiatives::field_id)))
            .filter(review_assignments::reviewer_id.eq(reviewer_id))
            .filter(review_cases::id.eq_any(&page))
            .select((
                review_cases::id,
                initiatives::id,
                initiatives::title,
                initiatives::receipt_no,
                unions::name,
                fields::name.nullable(),
                review_stages::name,
                review_cases::state,
                review_cases::due_at,
                review_assignments::state,
                review_assignments::total,
            ))
            .load(conn)?
    };
    // Back in the page's order (due first).
    let position: HashMap<i64, usize> = page.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| position.get(&r.0).copied().unwrap_or(usize::MAX));
    let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let counts: HashMap<i64, i64> = dc::table
        .filter(dc::initiative_id.eq_any(&ids))
        .group_by(dc::initiative_id)
        .select((dc::initiative_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let out = rows
        .into_iter()
        .map(|r| QueueRow {
            case_id: r.0,
            initiative_id: r.1,
            duplicate_count: counts.get(&r.1).copied().unwrap_or(0),
            title: r.2,
            receipt_no: r.3,
            union_name: r.4,
            field_name: r.5,
            stage_name: r.6,
            state: r.7,
            due_at: r.8,
            my_state: r.9,
            my_total: r.10,
        })
        .collect();
    Ok((out, total, scored))
}

/// Progress of each member of a committee over its open and pending cases:
/// (reviewer, assigned, scored), from the counters.
pub fn committee_progress(
    conn: &mut DbConn,
    committee_id: i64,
) -> QueryResult<Vec<(i64, i32, i32)>> {
    review_loads::table
        .filter(review_loads::committee_id.eq(committee_id))
        .select((
            review_loads::reviewer_id,
            review_loads::assigned,
            review_loads::scored,
        ))
        .load(conn)
}

/// One case on the chair's board.
#[derive(Debug, Clone, Queryable)]
pub struct BoardRow {
    pub case_id: i64,
    pub initiative_id: i64,
    pub title: String,
    pub receipt_no: Option<String>,
    pub union_name: String,
    pub state: String,
    pub due_at: NaiveDateTime,
    pub decision: Option<String>,
}

/// Counts of a committee's cases by state (open, pending).
pub fn committee_counts(conn: &mut DbConn, committee_id: i64) -> QueryResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = review_cases::table
        .filter(review_cases::committee_id.eq(committee_id))
        .group_by(review_cases::state)
        .select((review_cases::state, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// A page of a committee's open or pending cases (`state`), due first; `unassigned` keeps
/// only open cases with fewer live assignments than `required`.
pub fn committee_cases(
    conn: &mut DbConn,
    committee_id: i64,
    state: &str,
    unassigned_below: Option<i32>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<BoardRow>, i64)> {
    let live = |required: i32| review_cases::live_reviewers.lt(required);
    // The count needs only the cases: the joins below follow non-null foreign keys.
    let mut count = review_cases::table
        .filter(review_cases::committee_id.eq(committee_id))
        .filter(review_cases::state.eq(state.to_owned()))
        .into_boxed();
    if let Some(required) = unassigned_below {
        count = count.filter(live(required));
    }
    let total: i64 = count.count().get_result(conn)?;
    if total <= offset {
        return Ok((Vec::new(), total));
    }
    let mut q = review_cases::table
        .inner_join(initiatives::table)
        .inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
        .filter(review_cases::committee_id.eq(committee_id))
        .filter(review_cases::state.eq(state.to_owned()))
        .into_boxed();
    if let Some(required) = unassigned_below {
        q = q.filter(live(required));
    }
    let rows = q
        .order((review_cases::due_at, review_cases::id))
        .limit(limit)
        .offset(offset)
        .select((
            review_cases::id,
            initiatives::id,
            initiatives::title,
            initiatives::receipt_no,
            unions::name,
            review_cases::state,
            review_cases::due_at,
            review_cases::decision,
        ))
        .load(conn)?;
    Ok((rows, total))
}

/// Submitted initiatives of a program that have no case (filed before review was set up).
pub fn without_case(conn: &mut DbConn, program_id: i64) -> QueryResult<Vec<i64>> {
    initiatives::table
        .filter(initiatives::program_id.eq(program_id))
        .filter(initiatives::status.eq_any(["submitted", "under_review"]))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            review_cases::table.filter(review_cases::initiative_id.eq(initiatives::id)),
        )))
        .select(initiatives::id)
        .load(conn)
}

/// A published case with its initiative's title, receipt number and union name.
pub type PublishedRow = (CaseRow, String, Option<String>, String);

/// Cases a committee has decided and published between two instants (the minutes), in the
/// order they were published.
pub fn published_between(
    conn: &mut DbConn,
    committee_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<PublishedRow>> {
    review_cases::table
        .inner_join(initiatives::table)
        .inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
        .filter(review_cases::committee_id.eq(committee_id))
        .filter(review_cases::state.eq("closed"))
        .filter(review_cases::published_at.ge(from))
        .filter(review_cases::published_at.lt(to))
        .order((review_cases::published_at, review_cases::id))
        .limit(limit)
        .select((
            CaseRow::as_select(),
            initiatives::title,
            initiatives::receipt_no,
            unions::name,
        ))
        .load(conn)
}
