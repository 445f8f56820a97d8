//! The mail outbox (`mail_outbox`): one row per email, written in the transaction of the change
//! that causes it, claimed by the sender when due and marked sent or failed; and the users'
//! mail preferences (`mail_preferences`).

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{mail_outbox, mail_preferences};

/// Waiting for its first or next attempt.
pub const PENDING: &str = "pending";
/// Claimed by a sender until `next_attempt_at` (the lease).
pub const SENDING: &str = "sending";
/// Delivered (accepted by the relay, or written to its file).
pub const SENT: &str = "sent";
/// Refused permanently or out of attempts; an administrator may retry it.
pub const FAILED: &str = "failed";

/// One email.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
pub struct MailRow {
    pub id: i64,
    pub kind: String,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    pub payload: String,
    pub dedupe_key: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// An email to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mail_outbox, treat_none_as_default_value = false)]
pub struct NewMail {
    pub kind: String,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    pub payload: String,
    pub dedupe_key: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Writes one email inside the caller's transaction. With a `dedupe_key` already present
/// nothing is written and `false` is returned.
pub fn enqueue(conn: &mut DbConn, mail: &NewMail) -> QueryResult<bool> {
    let n = crate::on_backend!(conn, |c| diesel::insert_into(mail_outbox::table)
        .values(mail)
        .on_conflict(mail_outbox::dedupe_key)
        .do_nothing()
        .execute(c))?;
    Ok(n > 0)
}

/// Writes many emails (without dedupe keys) in multi-row statements.
pub fn enqueue_many(conn: &mut DbConn, mails: &[NewMail]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in mails.chunks(500) {
        n += crate::on_backend!(conn, |c| diesel::insert_into(mail_outbox::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(n)
}

/// Claims up to `limit` due emails for this sender until `lease_until`, counting the attempt;
/// to be called inside a write transaction. On PostgreSQL the due rows are locked with
/// `FOR UPDATE SKIP LOCKED`, so that concurrent instances claim disjoint sets; SQLite has a
/// single writer and the transaction itself is the claim.
pub fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<MailRow>> {
    let due = mail_outbox::table
        .filter(mail_outbox::status.eq_any([PENDING, SENDING]))
        .filter(mail_outbox::next_attempt_at.le(now))
        .order((mail_outbox::next_attempt_at, mail_outbox::id))
        .limit(limit)
        .select(mail_outbox::id);
    let ids: Vec<i64> = match conn {
        DbConn::Pg(c) => due.for_update().skip_locked().load(c)?,
        DbConn::Sqlite(c) => due.load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids)))
        .set((
            mail_outbox::status.eq(SENDING),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::next_attempt_at.eq(lease_until),
        ))
        .execute(conn)?;
    mail_outbox::table
        .filter(mail_outbox::id.eq_any(&ids))
        .order(mail_outbox::id)
        .select(MailRow::as_select())
        .load(conn)
}

/// Marks a claimed email sent (once: only a row still being sent changes).
pub fn mark_sent(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::id.eq(id))
            .filter(mail_outbox::status.eq(SENDING)),
    )
    .set((
        mail_outbox::status.eq(SENT),
        mail_outbox::sent_at.eq(Some(now)),
        mail_outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)
    .map(|n| n > 0)
}

/// Puts a claimed email back to wait until `next`, with the error of this attempt.
pub fn mark_retry(
    conn: &mut DbConn,
    id: i64,
    next: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::id.eq(id))
            .filter(mail_outbox::status.eq(SENDING)),
    )
    .set((
        mail_outbox::status.eq(PENDING),
        mail_outbox::next_attempt_at.eq(next),
        mail_outbox::last_error.eq(Some(error)),
    ))
    .execute(conn)
    .map(|n| n > 0)
}

/// Marks a claimed email failed for good (until an administrator retries it).
pub fn mark_failed(conn: &mut DbConn, id: i64, error: &str) -> QueryResult<bool> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::id.eq(id))
            .filter(mail_outbox::status.eq(SENDING)),
    )
    .set((
        mail_outbox::status.eq(FAILED),
        mail_outbox::last_error.eq(Some(error)),
    ))
    .execute(conn)
    .map(|n| n > 0)
}

/// Makes a failed email due again with a fresh count of attempts; `false` unless it had
/// failed.
pub fn retry(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::id.eq(id))
            .filter(mail_outbox::status.eq(FAILED)),
    )
    .set((
        mail_outbox::status.eq(PENDING),
        mail_outbox::attempts.eq(0),
        mail_outbox::next_attempt_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n > 0)
}

/// One email by id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<MailRow>> {
    mail_outbox::table
        .find(id)
        .select(MailRow::as_select())
        .first(conn)
        .optional()
}

/// A page of emails, newest first, optionally of one status.
pub fn list(
    conn: &mut DbConn,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<MailRow>> {
    let mut q = mail_outbox::table
        .select(MailRow::as_select())
        .order(mail_outbox::id.desc())
        .limit(limit)
        .offset(offset)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(mail_outbox::status.eq(s.to_owned()));
    }
    q.load(conn)
}

/// How many emails are in each status.
pub fn counts(conn: &mut DbConn) -> QueryResult<Vec<(String, i64)>> {
    mail_outbox::table
        .group_by(mail_outbox::status)
        .select((mail_outbox::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Whether an email of `kind` was written for the user after `since` (a limit counted from
/// the last one, such as one password reset per ten minutes).
pub fn written_since(
    conn: &mut DbConn,
    user_id: i64,
    kind: &str,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        mail_outbox::table
            .filter(mail_outbox::user_id.eq(user_id))
            .filter(mail_outbox::kind.eq(kind))
            .filter(mail_outbox::created_at.gt(since)),
    ))
    .get_result(conn)
}

/// Emails written for a user, newest first (tests and support).
pub fn of_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<MailRow>> {
    mail_outbox::table
        .filter(mail_outbox::user_id.eq(user_id))
        .order(mail_outbox::id.desc())
        .select(MailRow::as_select())
        .load(conn)
}

/// Does the user receive digests? (On unless turned off.)
pub fn digests_on(conn: &mut DbConn, user_id: i64) -> QueryResult<bool> {
    mail_preferences::table
        .find(user_id)
        .select(mail_preferences::digests)
        .first::<bool>(conn)
        .optional()
        .map(|d| d.unwrap_or(true))
}

/// Of `user_ids`, those who turned digests off.
pub fn digests_off_among(conn: &mut DbConn, user_ids: &[i64]) -> QueryResult<HashSet<i64>> {
    let mut out = HashSet::new();
    for chunk in user_ids.chunks(1000) {
        let ids: Vec<i64> = mail_preferences::table
            .filter(mail_preferences::user_id.eq_any(chunk))
            .filter(mail_preferences::digests.eq(false))
            .select(mail_preferences::user_id)
            .load(conn)?;
        out.extend(ids);
    }
    Ok(out)
}

/// Turns digests on or off for a user.
pub fn set_digests(
    conn: &mut DbConn,
    user_id: i64,
    digests: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    crate::on_backend!(conn, |c| diesel::insert_into(mail_preferences::table)
        .values((
            mail_preferences::user_id.eq(user_id),
            mail_preferences::digests.eq(digests),
            mail_preferences::updated_at.eq(now),
        ))
        .on_conflict(mail_preferences::user_id)
        .do_update()
        .set((
            mail_preferences::digests.eq(digests),
            mail_preferences::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// The dedupe keys already written that start with `prefix` (one period of one scheduled
/// kind): a range scan of the unique index (bytewise on both backends: PostgreSQL declares
/// the column `COLLATE "C"`).
pub fn keys_with_prefix(conn: &mut DbConn, prefix: &str) -> QueryResult<HashSet<String>> {
    let mut hi = prefix.to_owned();
    hi.push('\u{10FFFF}');
    let keys: Vec<Option<String>> = mail_outbox::table
        .filter(mail_outbox::dedupe_key.ge(prefix))
        .filter(mail_outbox::dedupe_key.lt(hi))
        .select(mail_outbox::dedupe_key)
        .load(conn)?;
    Ok(keys.into_iter().flatten().collect())
}

/// A recipient: id, email, name, status.
pub type Recipient = (i64, String, String, String);

/// The accounts `ids` as recipients.
pub fn recipients(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<Recipient>> {
    use super::schema::users;
    let mut out = Vec::new();
    for chunk in ids.chunks(1000) {
        out.extend(
            users::table
                .filter(users::id.eq_any(chunk))
                .select((users::id, users::email, users::full_name, users::status))
                .load::<Recipient>(conn)?,
        );
    }
    Ok(out)
}

/// Every review waiting for its reviewer (assigned, not scored, on an open case): reviewer,
/// initiative, title, due; by reviewer, due first.
pub fn pending_reviews(conn: &mut DbConn) -> QueryResult<Vec<(i64, i64, String, NaiveDateTime)>> {
    use super::schema::{initiatives, review_assignments as a, review_cases as c};
    a::table
        .inner_join(c::table.on(c::id.eq(a::case_id)))
        .inner_join(initiatives::table.on(initiatives::id.eq(c::initiative_id)))
        .filter(a::state.eq("assigned"))
        .filter(c::state.eq("open"))
        .order((a::reviewer_id, c::due_at, initiatives::id))
        .select((
            a::reviewer_id,
            initiatives::id,
            initiatives::title,
            c::due_at,
        ))
        .load(conn)
}

/// A phase closing soon, with its program.
#[derive(Debug, Clone, Queryable)]
pub struct ClosingPhase {
    pub phase_id: i64,
    pub phase_name: String,
    pub closes_at: NaiveDateTime,
    pub program_id: i64,
    pub program_name: String,
}

/// Phases of open programs closing in `(from, until]`.
pub fn phases_closing(
    conn: &mut DbConn,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<ClosingPhase>> {
    use super::schema::{phases, programs};
    phases::table
        .inner_join(programs::table)
        .filter(programs::status.eq("open"))
        .filter(phases::closes_at.gt(from))
        .filter(phases::closes_at.le(until))
        .order(phases::closes_at)
        .select((
            phases::id,
            phases::name,
            phases::closes_at,
            programs::id,
            programs::name,
        ))
        .load(conn)
}

/// Unfinished drafts of a program that would be filed in `phase_id` (those of that phase or
/// of none yet): author, initiative, title.
pub fn drafts_for_phase(
    conn: &mut DbConn,
    program_id: i64,
    phase_id: i64,
) -> QueryResult<Vec<(i64, i64, String)>> {
    use super::schema::initiatives as i;
    i::table
        .filter(i::program_id.eq(program_id))
        .filter(i::status.eq("draft"))
        .filter(i::phase_id.eq(phase_id).or(i::phase_id.is_null()))
        .order((i::author_id, i::id))
        .select((i::author_id, i::id, i::title))
        .load(conn)
}

/// Union officers: user, union, union name, union path.
pub fn officers(conn: &mut DbConn) -> QueryResult<Vec<(i64, i64, String, String)>> {
    use super::schema::{role_grants as g, unions};
    g::table
        .inner_join(unions::table.on(unions::id.eq(g::union_id)))
        .filter(g::role.eq("union_officer"))
        .order((g::user_id, unions::path))
        .select((g::user_id, unions::id, unions::name, unions::path))
        .load(conn)
}

/// Open programs with their owner's path: id, name, owner path.
pub fn open_programs(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, String)>> {
    use super::schema::{programs, unions};
    programs::table
        .inner_join(unions::table.on(unions::id.eq(programs::owner_union_id)))
        .filter(programs::status.eq("open"))
        .order(programs::id)
        .select((programs::id, programs::name, unions::path))
        .load(conn)
}
