//! Counters of the chair's board (migration 4): `review_cases.live_reviewers` and
//! `review_loads`, moved by the statements of `cases` in the same transaction.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{review_assignments, review_cases, review_loads};

/// Moves a case's count of live (not recused) assignments.
pub(super) fn count_live(conn: &mut DbConn, case_id: i64, by: i32) -> QueryResult<()> {
    diesel::update(review_cases::table.find(case_id))
        .set(review_cases::live_reviewers.eq(review_cases::live_reviewers + by))
        .execute(conn)
        .map(|_| ())
}

/// Moves a reviewer's load on the committee of a case, while the case is not closed.
pub(super) fn adjust_load(
    conn: &mut DbConn,
    case_id: i64,
    reviewer_id: i64,
    assigned: i32,
    scored: i32,
) -> QueryResult<()> {
    let case: Option<(Option<i64>, String)> = review_cases::table
        .find(case_id)
        .select((review_cases::committee_id, review_cases::state))
        .first(conn)
        .optional()?;
    match case {
        Some((Some(committee_id), state)) if state != "closed" => {
            bump_load(conn, committee_id, reviewer_id, assigned, scored)
        }
        _ => Ok(()),
    }
}

/// Adds to a reviewer's load on a committee (creating the row at the first assignment).
fn bump_load(
    conn: &mut DbConn,
    committee_id: i64,
    reviewer_id: i64,
    assigned: i32,
    scored: i32,
) -> QueryResult<()> {
    use review_loads as l;
    let row = (
        l::committee_id.eq(committee_id),
        l::reviewer_id.eq(reviewer_id),
        l::assigned.eq(assigned),
        l::scored.eq(scored),
    );
    let add = (
        l::assigned.eq(l::assigned + assigned),
        l::scored.eq(l::scored + scored),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(l::table)
        .values(row)
        .on_conflict((l::committee_id, l::reviewer_id))
        .do_update()
        .set(add)
        .execute(c))
    .map(|_| ())
}

/// A case has just closed: its live assignments leave their reviewers' loads (in reviewer
/// order, so that concurrent transactions lock the rows in one order).
pub(super) fn release_loads(conn: &mut DbConn, case_id: i64) -> QueryResult<()> {
    let Some(committee_id) = review_cases::table
        .find(case_id)
        .select(review_cases::committee_id)
        .first::<Option<i64>>(conn)?
    else {
        return Ok(());
    };
    let live: Vec<(i64, String)> = review_assignments::table
        .filter(review_assignments::case_id.eq(case_id))
        .filter(review_assignments::state.ne("recused"))
        .order(review_assignments::reviewer_id)
        .select((review_assignments::reviewer_id, review_assignments::state))
        .load(conn)?;
    for (reviewer_id, state) in live {
        bump_load(
            conn,
            committee_id,
            reviewer_id,
            -1,
            -i32::from(state == "scored"),
        )?;
    }
    Ok(())
}

/// Rebuilds both counters from the assignments (after rows were written by other means, as
/// the benchmark's bulk seeding does).
pub fn rebuild_review_counters(conn: &mut DbConn) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE review_cases SET live_reviewers = (SELECT count(*) FROM review_assignments a \
         WHERE a.case_id = review_cases.id AND a.state <> 'recused')",
    )
    .execute(conn)?;
    diesel::delete(review_loads::table).execute(conn)?;
    diesel::sql_query(
        "INSERT INTO review_loads (committee_id, reviewer_id, assigned, scored) \
         SELECT c.committee_id, a.reviewer_id, count(*), \
                sum(CASE WHEN a.state = 'scored' THEN 1 ELSE 0 END) \
         FROM review_assignments a JOIN review_cases c ON c.id = a.case_id \
         WHERE c.committee_id IS NOT NULL AND c.state <> 'closed' AND a.state <> 'recused' \
         GROUP BY c.committee_id, a.reviewer_id",
    )
    .execute(conn)?;
    Ok(())
}

/// Where the stored counters differ from a recount, one line each (none when all agree).
pub fn review_counter_drift(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let mut out = Vec::new();
    let cases: Vec<(i64, i32)> = review_cases::table
        .select((review_cases::id, review_cases::live_reviewers))
        .load(conn)?;
    let live: Vec<(i64, i64)> = review_assignments::table
        .filter(review_assignments::state.ne("recused"))
        .group_by(review_assignments::case_id)
        .select((review_assignments::case_id, diesel::dsl::count_star()))
        .load(conn)?;
    let live: HashMap<i64, i64> = live.into_iter().collect();
    for (id, stored) in cases {
        let counted = live.get(&id).copied().unwrap_or(0);
        if i64::from(stored) != counted {
            out.push(format!(
                "case {id}: live_reviewers {stored}, counted {counted}"
            ));
        }
    }
    let rows: Vec<(Option<i64>, i64, String)> = review_assignments::table
        .inner_join(review_cases::table)
        .filter(review_cases::state.ne("closed"))
        .filter(review_assignments::state.ne("recused"))
        .select((
            review_cases::committee_id,
            review_assignments::reviewer_id,
            review_assignments::state,
        ))
        .load(conn)?;
    let mut counted: HashMap<(i64, i64), (i32, i32)> = HashMap::new();
    for (committee, reviewer, state) in rows {
        if let Some(committee) = committee {
            let e = counted.entry((committee, reviewer)).or_default();
            e.0 += 1;
            e.1 += i32::from(state == "scored");
        }
    }
    let stored: Vec<(i64, i64, i32, i32)> = review_loads::table
        .select((
            review_loads::committee_id,
            review_loads::reviewer_id,
            review_loads::assigned,
            review_loads::scored,
        ))
        .load(conn)?;
    for (committee, reviewer, assigned, scored) in stored {
        let c = counted.remove(&(committee, reviewer)).unwrap_or_default();
        if (assigned, scored) != c {
            out.push(format!(
                "committee {committee}, reviewer {reviewer}: load {assigned}/{scored}, counted {}/{}",
                c.0, c.1
            ));
        }
    }
    for ((committee, reviewer), c) in counted {
        out.push(format!(
            "committee {committee}, reviewer {reviewer}: no load row, counted {}/{}",
            c.0, c.1
        ));
    }
    Ok(out)
}

/// Open (assigned, not scored) reviews per user, over cases still open.
pub fn open_review_counts(conn: &mut DbConn, user_ids: &[i64]) -> QueryResult<HashMap<i64, i64>> {
    // From the counters (`review_loads`: live assignments on cases not yet closed, and how
    // many are scored), a few index rows per reviewer, rather than a join over every open
    // case (a sequential scan of 100,000 cases under load).
    let rows: Vec<(i64, i32, i32)> = review_loads::table
        .filter(review_loads::reviewer_id.eq_any(user_ids))
        .select((
            review_loads::reviewer_id,
            review_loads::assigned,
            review_loads::scored,
        ))
        .load(conn)?;
    let mut open = HashMap::new();
    for (reviewer, assigned, scored) in rows {
        *open.entry(reviewer).or_insert(0) += i64::from(assigned - scored).max(0);
    }
    Ok(open)
}
