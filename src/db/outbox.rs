//! The outbox: a monotonic sequence of change events written in the same transaction as the
//! change. Each instance's search indexer consumes it by sequence number (see
//! `crate::search` for how it handles numbers that become visible out of order on
//! PostgreSQL).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

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

#[derive(QueryableByName)]
struct Seq {
    #[diesel(sql_type = BigInt)]
    seq: i64,
}

/// Appends an event (inside the caller's transaction); returns its sequence number.
///
/// On PostgreSQL the transaction is given its transaction id *before* the sequence number
/// is drawn (`pg_current_xact_id()` in a materialised CTE, evaluated before the row's
/// default): a plain `INSERT` draws `nextval` first and gets its id only when it writes the
/// row, and a reader's snapshot taken in between would not count this transaction as
/// running. The indexer's rule for giving up a missing number (every transaction that was
/// running when the gap was seen has ended) relies on the number's holder having an id.
pub fn append(
    conn: &mut DbConn,
    event_type: &str,
    aggregate_type: &str,
    aggregate_id: i64,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    match conn {
        DbConn::Pg(c) => diesel::sql_query(
            "WITH xact AS MATERIALIZED (SELECT pg_current_xact_id()) \
             INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload, created_at) \
             SELECT $1, $2, $3, $4, $5 FROM xact RETURNING seq",
        )
        .bind::<Text, _>(event_type)
        .bind::<Text, _>(aggregate_type)
        .bind::<BigInt, _>(aggregate_id)
        .bind::<Text, _>(payload.to_string())
        .bind::<Timestamp, _>(now)
        .get_result::<Seq>(c)
        .map(|s| s.seq),
        DbConn::Sqlite(c) => diesel::insert_into(outbox::table)
            .values((
                outbox::event_type.eq(event_type),
                outbox::aggregate_type.eq(aggregate_type),
                outbox::aggregate_id.eq(aggregate_id),
                outbox::payload.eq(payload.to_string()),
                outbox::created_at.eq(now),
            ))
            .returning(outbox::seq)
            .get_result(c),
    }
}

/// The events among `seqs` that exist (are visible) now, oldest first.
pub fn with_seqs(conn: &mut DbConn, seqs: &[i64]) -> QueryResult<Vec<OutboxRow>> {
    let mut out = Vec::new();
    // SQLite binds at most 32,766 parameters; a thousand keeps each statement small.
    for chunk in seqs.chunks(1000) {
        out.extend(
            outbox::table
                .filter(outbox::seq.eq_any(chunk))
                .order(outbox::seq)
                .select(OutboxRow::as_select())
                .load(conn)?,
        );
    }
    out.sort_by_key(|e| e.seq);
    Ok(out)
}

/// PostgreSQL's view of running transactions at one moment: every transaction id below
/// `xmin` has ended; every id at or above `xmax` was not yet assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct XactSnapshot {
    #[diesel(sql_type = BigInt)]
    pub xmin: i64,
    #[diesel(sql_type = BigInt)]
    pub xmax: i64,
}

/// The current snapshot's bounds on PostgreSQL; `None` on SQLite (one writer at a time,
/// which commits in sequence order, so a missing number never appears later).
pub fn snapshot(conn: &mut DbConn) -> QueryResult<Option<XactSnapshot>> {
    match conn {
        DbConn::Pg(c) => diesel::sql_query(
            "SELECT pg_snapshot_xmin(s)::text::bigint AS xmin, \
                    pg_snapshot_xmax(s)::text::bigint AS xmax \
             FROM (SELECT pg_current_snapshot() AS s) AS now",
        )
        .get_result::<XactSnapshot>(c)
        .map(Some),
        DbConn::Sqlite(_) => Ok(None),
    }
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
