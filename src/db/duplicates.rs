//! Duplicate candidates recorded for reviewers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{duplicate_candidates, initiatives};

/// A recorded candidate with the facts reviewers sort by.
#[derive(Debug, Clone, Queryable)]
pub struct CandidateRow {
    pub candidate_id: i64,
    pub score: f64,
    pub verdict: String,
    pub detected_at: NaiveDateTime,
    pub title: String,
    pub status: String,
    pub submitted_at: Option<NaiveDateTime>,
}

/// Records (or refreshes) a candidate.
pub fn record(
    conn: &mut DbConn,
    initiative_id: i64,
    candidate_id: i64,
    score: f64,
    verdict: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        duplicate_candidates::table
            .filter(duplicate_candidates::initiative_id.eq(initiative_id))
            .filter(duplicate_candidates::candidate_id.eq(candidate_id)),
    )
    .execute(conn)?;
    diesel::insert_into(duplicate_candidates::table)
        .values((
            duplicate_candidates::initiative_id.eq(initiative_id),
            duplicate_candidates::candidate_id.eq(candidate_id),
            duplicate_candidates::score.eq(score),
            duplicate_candidates::verdict.eq(verdict),
            duplicate_candidates::detected_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The candidates of an initiative, earliest-filed first.
pub fn for_initiative(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Vec<CandidateRow>> {
    duplicate_candidates::table
        .inner_join(initiatives::table.on(initiatives::id.eq(duplicate_candidates::candidate_id)))
        .filter(duplicate_candidates::initiative_id.eq(initiative_id))
        .order((initiatives::submitted_at.asc(), initiatives::id.asc()))
        .select((
            duplicate_candidates::candidate_id,
            duplicate_candidates::score,
            duplicate_candidates::verdict,
            duplicate_candidates::detected_at,
            initiatives::title,
            initiatives::status,
            initiatives::submitted_at,
        ))
        .load(conn)
}
