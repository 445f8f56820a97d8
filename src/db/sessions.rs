//! Queries on signed-in sessions (phiên đăng nhập) and on the sign-in throttle.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{role_grants, sessions, sign_in_throttle, unions, users};
use super::users::UserRow;
use super::{DbConn, path_range};
use crate::domain::throttle::{ThrottlePolicy, ThrottleState};

/// A session row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub client_address: String,
    pub user_agent: String,
    pub last_seen_at: NaiveDateTime,
}

/// A session to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub client_address: &'a str,
    pub user_agent: &'a str,
    pub last_seen_at: NaiveDateTime,
}

/// Records a new session, and forgets the user's sessions that ended more than a day ago.
pub fn insert(conn: &mut DbConn, new: &NewSession<'_>) -> QueryResult<()> {
    let day_ago = new.created_at - chrono::TimeDelta::days(1);
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(new.user_id))
            .filter(sessions::expires_at.lt(day_ago)),
    )
    .execute(conn)?;
    diesel::insert_into(sessions::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// The user of `id` when it is a live session of `user_id` at `now` (neither expired, nor
/// revoked, nor idle since before `idle_since`), with when the session was last seen: one
/// query on the session's primary key, joined to its user.
pub fn live_user(
    conn: &mut DbConn,
    id: &str,
    user_id: i64,
    now: NaiveDateTime,
    idle_since: NaiveDateTime,
) -> QueryResult<Option<(UserRow, NaiveDateTime)>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::last_seen_at.gt(idle_since))
        .select((UserRow::as_select(), sessions::last_seen_at))
        .first(conn)
        .optional()
}

/// Records that the session `id` was seen at `now`, unless it was seen since `since` already
/// (another request, maybe on another instance, got there first); whether it wrote.
pub fn touch(
    conn: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::last_seen_at.lt(since)),
    )
    .set(sessions::last_seen_at.eq(now))
    .execute(conn)?;
    Ok(n > 0)
}

/// The users with a live session (at `now`) whose own union, or a union they hold a role
/// over, lies in the subtree at `path`: whom closing that subtree may concern.
pub fn users_in_subtree_with_live_sessions(
    conn: &mut DbConn,
    path: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    let (lo, hi) = path_range(path);
    let mut ids: Vec<i64> = sessions::table
        .inner_join(users::table.inner_join(unions::table))
        .filter(unions::path.ge(&lo))
        .filter(unions::path.lt(&hi))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select(sessions::user_id)
        .distinct()
        .load(conn)?;
    let granted: Vec<i64> = sessions::table
        .inner_join(role_grants::table.on(role_grants::user_id.eq(sessions::user_id)))
        .inner_join(unions::table.on(unions::id.eq(role_grants::union_id)))
        .filter(unions::path.ge(&lo))
        .filter(unions::path.lt(&hi))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select(sessions::user_id)
        .distinct()
        .load(conn)?;
    ids.extend(granted);
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The user's live sessions, newest first.
pub fn live_of(
    conn: &mut DbConn,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .order((sessions::created_at.desc(), sessions::id))
        .select(SessionRow::as_select())
        .load(conn)
}

/// Revokes one of the user's sessions; returns whether a live one was revoked.
pub fn revoke(conn: &mut DbConn, user_id: i64, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)?;
    Ok(n > 0)
}

/// Revokes every live session of the user but `keep` (when given); returns how many.
pub fn revoke_all(
    conn: &mut DbConn,
    user_id: i64,
    keep: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let target = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now));
    match keep {
        Some(keep) => diesel::update(target.filter(sessions::id.ne(keep)))
            .set(sessions::revoked_at.eq(now))
            .execute(conn),
        None => diesel::update(target)
            .set(sessions::revoked_at.eq(now))
            .execute(conn),
    }
}

/// Deletes every session of the user (anonymisation).
pub fn delete_all(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

type ThrottleRow = (i32, NaiveDateTime, Option<NaiveDateTime>);

fn state_of(row: ThrottleRow) -> ThrottleState {
    ThrottleState {
        failures: row.0,
        last_failure_at: row.1,
        locked_until: row.2,
    }
}

/// The stored states of `keys` (those that have one).
pub fn throttle_states(conn: &mut DbConn, keys: &[String]) -> QueryResult<Vec<ThrottleState>> {
    let rows: Vec<ThrottleRow> = sign_in_throttle::table
        .filter(sign_in_throttle::throttle_key.eq_any(keys))
        .select((
            sign_in_throttle::failures,
            sign_in_throttle::last_failure_at,
            sign_in_throttle::locked_until,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(state_of).collect())
}

/// Counts one failure against `key` under `policy`; returns the new state. Runs inside the
/// caller's transaction; on PostgreSQL the row is locked first so that concurrent failures
/// from several instances are all counted (SQLite serialises writes already).
pub fn record_failure(
    conn: &mut DbConn,
    key: &str,
    policy: &ThrottlePolicy,
    now: NaiveDateTime,
) -> QueryResult<ThrottleState> {
    crate::on_backend!(conn, |c| diesel::insert_into(sign_in_throttle::table)
        .values((
            sign_in_throttle::throttle_key.eq(key),
            sign_in_throttle::failures.eq(0),
            sign_in_throttle::last_failure_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    let current = sign_in_throttle::table.find(key).select((
        sign_in_throttle::failures,
        sign_in_throttle::last_failure_at,
        sign_in_throttle::locked_until,
    ));
    let row: ThrottleRow = match conn {
        DbConn::Pg(c) => current.for_update().first(c)?,
        DbConn::Sqlite(c) => current.first(c)?,
    };
    let prev = state_of(row);
    let prev = (prev.failures > 0).then_some(prev);
    let next = policy.after_failure(prev.as_ref(), now);
    diesel::update(sign_in_throttle::table.find(key))
        .set((
            sign_in_throttle::failures.eq(next.failures),
            sign_in_throttle::last_failure_at.eq(next.last_failure_at),
            sign_in_throttle::locked_until.eq(next.locked_until),
        ))
        .execute(conn)?;
    Ok(next)
}

/// Forgets `key`'s failures (a successful sign-in).
pub fn clear(conn: &mut DbConn, key: &str) -> QueryResult<()> {
    diesel::delete(sign_in_throttle::table.find(key)).execute(conn)?;
    Ok(())
}

/// Deletes throttle rows quiet since before `before` and not locked after it.
pub fn prune_throttle(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        sign_in_throttle::table
            .filter(sign_in_throttle::last_failure_at.lt(before))
            .filter(
                sign_in_throttle::locked_until
                    .is_null()
                    .or(sign_in_throttle::locked_until.lt(before)),
            ),
    )
    .execute(conn)
}
