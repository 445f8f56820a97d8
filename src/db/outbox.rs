//! The outbox: a monotonic sequence of change events written in the same transaction as the
//! change. The indexer and the mailer consume it by sequence number.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::outbox;

/// One event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub seq: i64,
    pub event_type: String,
    pub aggregate_type: String,
    pub aggregate_id: i64,
    pub payload: String,
    pub created_at: NaiveDateTime,
}

/// Appends an event (inside the caller's transaction); returns its sequence number.
pub fn append(
    conn: &mut DbConn,
    event_type: &str,
    aggregate_type: &str,
    aggregate_id: i64,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::event_type.eq(event_type),
            outbox::aggregate_type.eq(aggregate_type),
            outbox::aggregate_id.eq(aggregate_id),
            outbox::payload.eq(payload.to_string()),
            outbox::created_at.eq(now),
        ))
        .returning(outbox::seq)
        .get_result(conn)
}

/// Events after `seq`, oldest first, at most `limit`.
pub fn after(conn: &mut DbConn, seq: i64, limit: i64) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .filter(outbox::seq.gt(seq))
        .order(outbox::seq)
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)
}

/// The newest sequence number (0 when empty).
pub fn max_seq(conn: &mut DbConn) -> QueryResult<i64> {
    outbox::table
        .select(diesel::dsl::max(outbox::seq))
        .first::<Option<i64>>(conn)
        .map(Option::unwrap_or_default)
}
