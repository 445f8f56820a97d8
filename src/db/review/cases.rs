//! Cases: opened, routed, decided, published or withdrawn; assignments, scores, conflicts of
//! interest and awards.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::loads::{adjust_load, count_live, release_loads};
use crate::db::DbConn;
use crate::db::schema::{
    awards, initiatives, review_assignments, review_cases, review_conflicts, unions, users,
};

/// A case: one initiative's passage through one stage.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_cases)]
pub struct CaseRow {
    pub id: i64,
    pub initiative_id: i64,
    pub program_id: i64,
    pub stage_id: i64,
    pub committee_id: Option<i64>,
    pub round: i32,
    pub state: String,
    pub entered_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub decision: Option<String>,
    pub reason_code: Option<String>,
    pub decision_note: Option<String>,
    pub duplicate_of_id: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub published_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
}

/// Opens a case.
#[expect(
    clippy::too_many_arguments,
    reason = "the columns of a new case, named at the call"
)]
pub fn insert_case(
    conn: &mut DbConn,
    initiative_id: i64,
    program_id: i64,
    stage_id: i64,
    committee_id: Option<i64>,
    round: i32,
    entered_at: NaiveDateTime,
    due_at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(review_cases::table)
        .values((
            review_cases::initiative_id.eq(initiative_id),
            review_cases::program_id.eq(program_id),
            review_cases::stage_id.eq(stage_id),
            review_cases::committee_id.eq(committee_id),
            review_cases::round.eq(round),
            review_cases::state.eq("open"),
            review_cases::entered_at.eq(entered_at),
            review_cases::due_at.eq(due_at),
        ))
        .returning(review_cases::id)
        .get_result(conn)
}

/// One case.
pub fn find_case(conn: &mut DbConn, id: i64) -> QueryResult<Option<CaseRow>> {
    review_cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

/// An initiative's latest case.
pub fn latest_case(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Option<CaseRow>> {
    review_cases::table
        .filter(review_cases::initiative_id.eq(initiative_id))
        .order(review_cases::id.desc())
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

/// Every case of an initiative, oldest first.
pub fn cases_of(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Vec<CaseRow>> {
    review_cases::table
        .filter(review_cases::initiative_id.eq(initiative_id))
        .order(review_cases::id)
        .select(CaseRow::as_select())
        .load(conn)
}

/// Cases of a stage still waiting for a committee, with their submitting union's path.
pub fn unrouted(conn: &mut DbConn, stage_id: i64) -> QueryResult<Vec<(i64, String)>> {
    review_cases::table
        .inner_join(initiatives::table)
        .inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
        .filter(review_cases::stage_id.eq(stage_id))
        .filter(review_cases::committee_id.is_null())
        .filter(review_cases::state.eq("open"))
        .select((review_cases::id, unions::path))
        .load(conn)
}

/// Gives an unrouted case its committee.
pub fn set_committee(conn: &mut DbConn, case_id: i64, committee_id: i64) -> QueryResult<()> {
    diesel::update(
        review_cases::table
            .find(case_id)
            .filter(review_cases::committee_id.is_null()),
    )
    .set(review_cases::committee_id.eq(committee_id))
    .execute(conn)
    .map(|_| ())
}

/// A decision to record on an open case.
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    pub decision: &'a str,
    pub reason_code: Option<&'a str>,
    pub note: Option<&'a str>,
    pub duplicate_of_id: Option<i64>,
    pub decided_by: i64,
    pub now: NaiveDateTime,
    /// Published at once (closed) or held for the chair (pending).
    pub publish: bool,
}

/// Records a decision on a case that is still open; false when someone else decided first.
pub fn decide(conn: &mut DbConn, case_id: i64, d: &NewDecision<'_>) -> QueryResult<bool> {
    let (state, published_by, published_at) = if d.publish {
        ("closed", Some(d.decided_by), Some(d.now))
    } else {
        ("pending", None, None)
    };
    let recorded = diesel::update(
        review_cases::table
            .find(case_id)
            .filter(review_cases::state.eq("open")),
    )
    .set((
        review_cases::state.eq(state),
        review_cases::decision.eq(d.decision),
        review_cases::reason_code.eq(d.reason_code),
        review_cases::decision_note.eq(d.note),
        review_cases::duplicate_of_id.eq(d.duplicate_of_id),
        review_cases::decided_by.eq(d.decided_by),
        review_cases::decided_at.eq(d.now),
        review_cases::published_by.eq(published_by),
        review_cases::published_at.eq(published_at),
    ))
    .execute(conn)?;
    if recorded == 1 && d.publish {
        release_loads(conn, case_id)?;
    }
    Ok(recorded == 1)
}

/// Publishes a pending decision; false when it is no longer pending.
pub fn publish(conn: &mut DbConn, case_id: i64, by: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let published = diesel::update(
        review_cases::table
            .find(case_id)
            .filter(review_cases::state.eq("pending")),
    )
    .set((
        review_cases::state.eq("closed"),
        review_cases::published_by.eq(by),
        review_cases::published_at.eq(now),
    ))
    .execute(conn)?;
    if published == 1 {
        release_loads(conn, case_id)?;
    }
    Ok(published == 1)
}

/// Withdraws a pending decision, reopening the case; false when it is no longer pending.
pub fn withdraw(conn: &mut DbConn, case_id: i64) -> QueryResult<bool> {
    diesel::update(
        review_cases::table
            .find(case_id)
            .filter(review_cases::state.eq("pending")),
    )
    .set((
        review_cases::state.eq("open"),
        review_cases::decision.eq(None::<String>),
        review_cases::reason_code.eq(None::<String>),
        review_cases::decision_note.eq(None::<String>),
        review_cases::duplicate_of_id.eq(None::<i64>),
        review_cases::decided_by.eq(None::<i64>),
        review_cases::decided_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// The pending cases of a committee, oldest decision first.
pub fn pending_of(conn: &mut DbConn, committee_id: i64) -> QueryResult<Vec<CaseRow>> {
    review_cases::table
        .filter(review_cases::committee_id.eq(committee_id))
        .filter(review_cases::state.eq("pending"))
        .order((review_cases::decided_at, review_cases::id))
        .select(CaseRow::as_select())
        .load(conn)
}

/// A reviewer's assignment with their name.
#[derive(Debug, Clone, Queryable)]
pub struct AssignmentRow {
    pub id: i64,
    pub case_id: i64,
    pub reviewer_id: i64,
    pub assigned_by: Option<i64>,
    pub assigned_at: NaiveDateTime,
    pub state: String,
    pub scores: String,
    pub total: Option<f64>,
    pub recommendation: Option<String>,
    pub comment: Option<String>,
    pub scored_at: Option<NaiveDateTime>,
    pub reviewer_name: String,
}

/// The assignments of a case, in the order they were made.
pub fn assignments(conn: &mut DbConn, case_id: i64) -> QueryResult<Vec<AssignmentRow>> {
    review_assignments::table
        .inner_join(users::table.on(users::id.eq(review_assignments::reviewer_id)))
        .filter(review_assignments::case_id.eq(case_id))
        .order(review_assignments::id)
        .select((
            review_assignments::id,
            review_assignments::case_id,
            review_assignments::reviewer_id,
            review_assignments::assigned_by,
            review_assignments::assigned_at,
            review_assignments::state,
            review_assignments::scores,
            review_assignments::total,
            review_assignments::recommendation,
            review_assignments::comment,
            review_assignments::scored_at,
            users::full_name,
        ))
        .load(conn)
}

/// Assigns a reviewer to a case (nothing if already assigned); true if a row was added.
pub fn assign(
    conn: &mut DbConn,
    case_id: i64,
    reviewer_id: i64,
    by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let exists: i64 = review_assignments::table
        .filter(review_assignments::case_id.eq(case_id))
        .filter(review_assignments::reviewer_id.eq(reviewer_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(review_assignments::table)
        .values((
            review_assignments::case_id.eq(case_id),
            review_assignments::reviewer_id.eq(reviewer_id),
            review_assignments::assigned_by.eq(by),
            review_assignments::assigned_at.eq(now),
            review_assignments::state.eq("assigned"),
        ))
        .execute(conn)?;
    count_live(conn, case_id, 1)?;
    adjust_load(conn, case_id, reviewer_id, 1, 0)?;
    Ok(true)
}

/// Removes an assignment not yet scored; true if removed.
pub fn unassign(conn: &mut DbConn, case_id: i64, reviewer_id: i64) -> QueryResult<bool> {
    let removed = diesel::delete(
        review_assignments::table
            .filter(review_assignments::case_id.eq(case_id))
            .filter(review_assignments::reviewer_id.eq(reviewer_id))
            .filter(review_assignments::state.eq("assigned")),
    )
    .execute(conn)?;
    if removed > 0 {
        count_live(conn, case_id, -1)?;
        adjust_load(conn, case_id, reviewer_id, -1, 0)?;
    }
    Ok(removed > 0)
}

/// A reviewer's scores to store.
#[derive(Debug, Clone)]
pub struct NewScores<'a> {
    pub scores: String,
    pub total: f64,
    pub recommendation: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub now: NaiveDateTime,
}

/// Stores (or replaces) a reviewer's scores while the case is open; false if the assignment
/// is not theirs to score (absent or recused).
pub fn score(
    conn: &mut DbConn,
    case_id: i64,
    reviewer_id: i64,
    s: &NewScores<'_>,
) -> QueryResult<bool> {
    let values = (
        review_assignments::state.eq("scored"),
        review_assignments::scores.eq(&s.scores),
        review_assignments::total.eq(s.total),
        review_assignments::recommendation.eq(s.recommendation),
        review_assignments::comment.eq(s.comment),
        review_assignments::scored_at.eq(s.now),
    );
    // First scores and changed scores are told apart by the state each update requires, so
    // that the reviewer's count of scored reviews moves exactly once.
    for (from, newly) in [("assigned", 1), ("scored", 0)] {
        let n = diesel::update(
            review_assignments::table
                .filter(review_assignments::case_id.eq(case_id))
                .filter(review_assignments::reviewer_id.eq(reviewer_id))
                .filter(review_assignments::state.eq(from)),
        )
        .set(values)
        .execute(conn)?;
        if n == 1 {
            if newly == 1 {
                adjust_load(conn, case_id, reviewer_id, 0, 1)?;
            }
            return Ok(true);
        }
    }
    Ok(false)
}

/// Marks an assignment recused.
pub fn recuse(conn: &mut DbConn, case_id: i64, reviewer_id: i64) -> QueryResult<bool> {
    for (from, scored) in [("assigned", 0), ("scored", 1)] {
        let n = diesel::update(
            review_assignments::table
                .filter(review_assignments::case_id.eq(case_id))
                .filter(review_assignments::reviewer_id.eq(reviewer_id))
                .filter(review_assignments::state.eq(from)),
        )
        .set(review_assignments::state.eq("recused"))
        .execute(conn)?;
        if n == 1 {
            count_live(conn, case_id, -1)?;
            adjust_load(conn, case_id, reviewer_id, -1, -scored)?;
            return Ok(true);
        }
    }
    // Already recused: still recused, nothing to count.
    let recused: i64 = review_assignments::table
        .filter(review_assignments::case_id.eq(case_id))
        .filter(review_assignments::reviewer_id.eq(reviewer_id))
        .count()
        .get_result(conn)?;
    Ok(recused == 1)
}

/// Who reviewed (scored) an initiative in earlier rounds of a stage.
pub fn earlier_reviewers(
    conn: &mut DbConn,
    initiative_id: i64,
    stage_id: i64,
) -> QueryResult<Vec<i64>> {
    review_assignments::table
        .inner_join(review_cases::table)
        .filter(review_cases::initiative_id.eq(initiative_id))
        .filter(review_cases::stage_id.eq(stage_id))
        .filter(review_assignments::state.eq("scored"))
        .select(review_assignments::reviewer_id)
        .distinct()
        .load(conn)
}

/// A recorded conflict of interest.
#[derive(Debug, Clone, Queryable)]
pub struct ConflictRow {
    pub user_id: i64,
    pub reason_code: String,
    pub note: Option<String>,
    pub recorded_at: NaiveDateTime,
    pub full_name: String,
}

/// Records a conflict (the first reason recorded for a person is kept).
pub fn record_conflict(
    conn: &mut DbConn,
    initiative_id: i64,
    user_id: i64,
    reason_code: &str,
    note: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let exists: i64 = review_conflicts::table
        .filter(review_conflicts::initiative_id.eq(initiative_id))
        .filter(review_conflicts::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(review_conflicts::table)
            .values((
                review_conflicts::initiative_id.eq(initiative_id),
                review_conflicts::user_id.eq(user_id),
                review_conflicts::reason_code.eq(reason_code),
                review_conflicts::note.eq(note),
                review_conflicts::recorded_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The conflicts recorded for an initiative.
pub fn conflicts(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Vec<ConflictRow>> {
    review_conflicts::table
        .inner_join(users::table.on(users::id.eq(review_conflicts::user_id)))
        .filter(review_conflicts::initiative_id.eq(initiative_id))
        .order(review_conflicts::recorded_at)
        .select((
            review_conflicts::user_id,
            review_conflicts::reason_code,
            review_conflicts::note,
            review_conflicts::recorded_at,
            users::full_name,
        ))
        .load(conn)
}

/// An award.
#[derive(Debug, Clone, Queryable)]
pub struct AwardRow {
    pub level: String,
    pub note: Option<String>,
    pub awarded_by: Option<i64>,
    pub awarded_at: NaiveDateTime,
}

/// Sets (or replaces) an initiative's award.
pub fn set_award(
    conn: &mut DbConn,
    initiative_id: i64,
    level: &str,
    note: Option<&str>,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(awards::table.find(initiative_id)).execute(conn)?;
    diesel::insert_into(awards::table)
        .values((
            awards::initiative_id.eq(initiative_id),
            awards::level.eq(level),
            awards::note.eq(note),
            awards::awarded_by.eq(by),
            awards::awarded_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Removes an initiative's award; true if it had one.
pub fn clear_award(conn: &mut DbConn, initiative_id: i64) -> QueryResult<bool> {
    diesel::delete(awards::table.find(initiative_id))
        .execute(conn)
        .map(|n| n > 0)
}

/// An initiative's award.
pub fn award(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Option<AwardRow>> {
    awards::table
        .find(initiative_id)
        .select((
            awards::level,
            awards::note,
            awards::awarded_by,
            awards::awarded_at,
        ))
        .first(conn)
        .optional()
}
