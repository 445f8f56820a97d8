//! Remembered answers to requests that carried an `Idempotency-Key` (migration 12).
//!
//! A key is claimed at the start of the change's transaction and its answer stored at the
//! end of it, so an answer exists exactly when the change was committed. On PostgreSQL a
//! second request with the same key waits on the first one's row (the primary key) until it
//! commits or rolls back, then finds its answer or claims the key itself.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::idempotency_keys;

/// A remembered answer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct Remembered {
    pub request_hash: String,
    /// 0 while the claiming transaction is still running (seen only by that transaction).
    pub status_code: i32,
    pub response_body: String,
    pub created_at: NaiveDateTime,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claim {
    /// The key is ours: do the work, then [`remember`] the answer in the same transaction.
    Fresh,
    /// The key was used before (and has not expired).
    Used(Remembered),
}

/// Claims `key` for `user_id` with the request's hash. A row older than `expired_before` is
/// taken over as if it did not exist.
pub fn claim(
    conn: &mut DbConn,
    user_id: i64,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
    expired_before: NaiveDateTime,
) -> QueryResult<Claim> {
    let inserted = crate::on_backend!(conn, |c| diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::status_code.eq(0),
            idempotency_keys::response_body.eq(""),
            idempotency_keys::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let row: Remembered = idempotency_keys::table
        .find((user_id, key))
        .select(Remembered::as_select())
        .first(conn)?;
    if row.created_at < expired_before {
        diesel::update(idempotency_keys::table.find((user_id, key)))
            .set((
                idempotency_keys::request_hash.eq(request_hash),
                idempotency_keys::status_code.eq(0),
                idempotency_keys::response_body.eq(""),
                idempotency_keys::created_at.eq(now),
            ))
            .execute(conn)?;
        return Ok(Claim::Fresh);
    }
    Ok(Claim::Used(row))
}

/// Stores the answer to a claimed key (inside the claiming transaction).
pub fn remember(
    conn: &mut DbConn,
    user_id: i64,
    key: &str,
    status_code: u16,
    body: &str,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((user_id, key)))
        .set((
            idempotency_keys::status_code.eq(i32::from(status_code)),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Deletes answers older than `before`; returns how many.
pub fn prune(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
        .execute(conn)
}

/// Deletes a person's remembered answers (anonymisation: they repeat names).
pub fn forget_user(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::user_id.eq(user_id)))
        .execute(conn)
}

/// The row for a key, if any.
pub fn find(conn: &mut DbConn, user_id: i64, key: &str) -> QueryResult<Option<Remembered>> {
    idempotency_keys::table
        .find((user_id, key))
        .select(Remembered::as_select())
        .first(conn)
        .optional()
}
