//! Email as use cases: writing notifications to `mail_outbox` inside the transaction of the
//! change that causes them (receipts, decisions, awards, assignments, invitations, password
//! resets), the scheduled digests and reminders (once per period, by a unique key), the
//! users' preferences and signed links, and the administrators' view of the outbox.

pub mod schedule;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::token::password_fingerprint;
use crate::auth::{LinkPurpose, TokenKeys, password};
use crate::db::mail::{self as q, MailRow, NewMail};
use crate::db::unions::Which;
use crate::db::users::UserRow;
use crate::db::{self, Db, DbConn, audit, counts, users};
use crate::domain::{Action, Actor, Resource, UnionPath, UserStatus, can};
use crate::email::letters::{AttainmentLine, DigestItem, DraftItem, Notice};
use crate::error::{AppError, ErrorCode};
use crate::format;
pub use crate::service::shared::letters::to_user;
use crate::service::shared::letters::{deliverable, new_mail, utc};
use crate::service::{Page, PageRequest};

// ---------------------------------------------------------------------------------------
// Password reset and invitations: signed, single-use, expiring links

/// At most one password reset email per account in this long.
const RESET_INTERVAL: TimeDelta = TimeDelta::minutes(10);

/// Asks for a password-reset email. The answer is the same whether or not the account
/// exists; at most one email per account every ten minutes.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(db: &Db, login: String) -> Result<(), AppError> {
    let login = login.trim().to_owned();
    if login.is_empty() || login.chars().count() > 254 {
        return Err(AppError::field(
            "login",
            "Nhập mã đoàn viên hoặc email của bạn.",
        ));
    }
    db.write(move |conn| {
        let Some(user) = users::find_by_login(conn, &login)? else {
            return Ok(());
        };
        if !deliverable(&user.email, &user.status) {
            return Ok(());
        }
        // One per account per ten minutes, counted from the last one; the key stops two
        // asked at the same instant.
        let now = db::now();
        if q::written_since(conn, user.id, "password_reset", now - RESET_INTERVAL)? {
            return Ok(());
        }
        let window = now.and_utc().timestamp() / RESET_INTERVAL.num_seconds();
        let notice = Notice::PasswordReset {
            fingerprint: password_fingerprint(user.password_hash.as_deref()),
        };
        let mail = new_mail(
            user.id,
            &user.email,
            &user.full_name,
            &notice,
            Some(format!("password_reset:{}:{window}", user.id)),
            now,
        )?;
        q::enqueue(conn, &mail)?;
        Ok(())
    })
    .await
}

/// Whom a password link is for (shown on its page).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkHolder {
    /// The account's name.
    pub full_name: String,
    /// What they sign in with: the member code, or the email.
    pub login: String,
    /// Is it the first password (an invitation)?
    pub first_password: bool,
}

fn holder_in(
    conn: &mut DbConn,
    keys: &TokenKeys,
    token: &str,
    purpose: LinkPurpose,
) -> Result<UserRow, AppError> {
    let subject = keys.verify_link(token, purpose)?;
    let user = users::find(conn, subject.user_id)?
        .filter(|u| UserStatus::parse(&u.status) == UserStatus::Active)
        .ok_or_else(|| AppError::new(ErrorCode::InvalidLink))?;
    if password_fingerprint(user.password_hash.as_deref()) != subject.fingerprint {
        return Err(AppError::new(ErrorCode::InvalidLink));
    }
    Ok(user)
}

/// Checks a password-reset or invitation link without using it.
pub async fn link_holder(
    db: &Db,
    keys: &std::sync::Arc<TokenKeys>,
    token: String,
    purpose: LinkPurpose,
) -> Result<LinkHolder, AppError> {
    let keys = keys.clone();
    db.read(move |conn| {
        let u = holder_in(conn, &keys, &token, purpose)?;
        Ok(LinkHolder {
            first_password: u.password_hash.is_none(),
            login: u.member_code.unwrap_or(u.email),
            full_name: u.full_name,
        })
    })
    .await
}

/// Sets a new password through a link; the link stops working (the password it was bound
/// to is gone), and so do other links issued before.
#[tracing::instrument(skip_all)]
pub async fn set_password_by_link(
    db: &Db,
    keys: &std::sync::Arc<TokenKeys>,
    token: String,
    purpose: LinkPurpose,
    new_password: String,
) -> Result<LinkHolder, AppError> {
    password::check_strength(&new_password).map_err(|e| AppError::field("password", e))?;
    let holder = link_holder(db, keys, token.clone(), purpose).await?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&new_password))
        .await
        .map_err(AppError::internal)??;
    let keys = keys.clone();
    db.write(move |conn| {
        let user = holder_in(conn, &keys, &token, purpose)?;
        let now = db::now();
        if !users::replace_password(conn, user.id, user.password_hash.as_deref(), &hash, now)? {
            return Err(AppError::new(ErrorCode::InvalidLink));
        }
        // Whoever knew the old password is signed out.
        crate::db::sessions::revoke_all(conn, user.id, None, now)?;
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(user.id),
                entity_type: "user",
                entity_id: user.id,
                action: match purpose {
                    LinkPurpose::Invitation => "invitation_accepted",
                    _ => "password_reset",
                },
                from_state: None,
                to_state: None,
                comment: None,
                created_at: now,
            },
        )?;
        tracing::info!(user_id = user.id, "password set through an email link");
        Ok(())
    })
    .await?;
    Ok(holder)
}

// ---------------------------------------------------------------------------------------
// Preferences

/// A user's email preferences.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MailPreferences {
    /// Receive the digests (a reviewer's daily digest, the weekly attainment digest).
    pub digests: bool,
}

/// The actor's preferences.
pub async fn preferences(db: &Db, actor: &Actor) -> Result<MailPreferences, AppError> {
    let id = actor.user_id;
    db.read(move |conn| {
        Ok(MailPreferences {
            digests: q::digests_on(conn, id)?,
        })
    })
    .await
}

/// Changes the actor's preferences.
pub async fn set_preferences(
    db: &Db,
    actor: &Actor,
    prefs: MailPreferences,
) -> Result<MailPreferences, AppError> {
    let id = actor.user_id;
    db.write(move |conn| {
        q::set_digests(conn, id, prefs.digests, db::now())?;
        Ok(prefs)
    })
    .await
}

/// Turns digests off through the signed link of a digest, without signing in; returns the
/// account's name.
#[tracing::instrument(skip_all)]
pub async fn unsubscribe(
    db: &Db,
    keys: &std::sync::Arc<TokenKeys>,
    token: String,
) -> Result<String, AppError> {
    let subject = keys.verify_link(&token, LinkPurpose::Unsubscribe)?;
    db.write(move |conn| {
        let user = users::find(conn, subject.user_id)?
            .ok_or_else(|| AppError::new(ErrorCode::InvalidLink))?;
        q::set_digests(conn, user.id, false, db::now())?;
        Ok(user.full_name)
    })
    .await
}

/// Checks an unsubscribe link without using it; returns the account's name.
pub async fn unsubscribe_holder(
    db: &Db,
    keys: &std::sync::Arc<TokenKeys>,
    token: String,
) -> Result<String, AppError> {
    let subject = keys.verify_link(&token, LinkPurpose::Unsubscribe)?;
    db.read(move |conn| {
        users::find(conn, subject.user_id)?
            .map(|u| u.full_name)
            .ok_or_else(|| AppError::new(ErrorCode::InvalidLink))
    })
    .await
}

// ---------------------------------------------------------------------------------------
// The outbox for administrators

/// An email as administrators see it (never its body or links: those hold signed tokens).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MailView {
    pub id: i64,
    /// `received`, `returned`, `approved`, `rejected`, `duplicate`, `awarded`, `assigned`,
    /// `review_digest`, `phase_reminder`, `attainment_weekly`, `password_reset`, `invitation`.
    pub kind: String,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<MailRow> for MailView {
    fn from(r: MailRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            user_id: r.user_id,
            recipient: r.recipient,
            recipient_name: r.recipient_name,
            subject: r.subject,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: utc(r.next_attempt_at),
            last_error: r.last_error,
            created_at: utc(r.created_at),
            sent_at: r.sent_at.map(utc),
        }
    }
}

/// A page of the outbox with the number in each status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutboxView {
    /// Emails in each status (`pending`, `sending`, `sent`, `failed`).
    pub counts: BTreeMap<String, i64>,
    /// This page, newest first.
    pub items: Page<MailView>,
}

/// The statuses one may filter by.
pub const STATUSES: [&str; 4] = [q::PENDING, q::SENDING, q::SENT, q::FAILED];

fn administer(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::Administer, Resource::System) {
        Ok(())
    } else {
        Err(AppError::forbidden().with_message("Chỉ quản trị hệ thống mới xem được hàng đợi thư."))
    }
}

/// The outbox, newest first, optionally of one status: system administrators only.
pub async fn outbox(
    db: &Db,
    actor: &Actor,
    status: Option<String>,
    page: PageRequest,
) -> Result<OutboxView, AppError> {
    administer(actor)?;
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(AppError::new(ErrorCode::InvalidQuery)
            .with_message("Trạng thái thư không hợp lệ.")
            .with_details(serde_json::json!({"status": s, "allowed": STATUSES})));
    }
    let (limit, offset, page, per_page) = page.resolve()?;
    db.read(move |conn| {
        let counts: BTreeMap<String, i64> = q::counts(conn)?.into_iter().collect();
        let total = match &status {
            Some(s) => counts.get(s).copied().unwrap_or(0),
            None => counts.values().sum(),
        };
        let rows = q::list(conn, status.as_deref(), limit, offset)?;
        Ok(OutboxView {
            counts,
            items: Page {
                items: rows.into_iter().map(MailView::from).collect(),
                total,
                page,
                per_page,
            },
        })
    })
    .await
}

/// Makes a failed email due again: system administrators only; 409 unless it had failed.
#[tracing::instrument(skip_all, fields(mail = id))]
pub async fn retry(db: &Db, actor: &Actor, id: i64) -> Result<MailView, AppError> {
    administer(actor)?;
    let actor_id = actor.user_id;
    db.write(move |conn| {
        let row = q::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let now = db::now();
        if !q::retry(conn, id, now)? {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Chỉ gửi lại được thư đã thất bại.")
                .with_details(serde_json::json!({"status": row.status})));
        }
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor_id),
                entity_type: "mail",
                entity_id: id,
                action: "retried",
                from_state: Some(q::FAILED),
                to_state: Some(q::PENDING),
                comment: row.last_error.as_deref(),
                created_at: now,
            },
        )?;
        let row = q::find(conn, id)?.ok_or_else(AppError::not_found)?;
        Ok(MailView::from(row))
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Scheduled emails: each written once per period by its unique key

/// Vietnam time (UTC+7 all year) of a stored UTC moment.
fn local(now: NaiveDateTime) -> NaiveDateTime {
    now + TimeDelta::hours(7)
}

/// Writes prepared emails in transactions of at most 200, skipping keys already written.
async fn write_batches(db: &Db, mails: Vec<NewMail>) -> Result<usize, AppError> {
    let mut written = 0;
    let mut rest = mails;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(200));
        let batch = std::mem::replace(&mut rest, tail);
        written += db
            .write(move |conn| {
                let mut n = 0;
                for m in &batch {
                    if q::enqueue(conn, m)? {
                        n += 1;
                    }
                }
                Ok(n)
            })
            .await?;
    }
    Ok(written)
}

/// Recipients of `ids` who may receive email (and, for digests, keep digests on).
fn reachable(
    conn: &mut DbConn,
    ids: &[i64],
    digest: bool,
) -> Result<HashMap<i64, (String, String)>, AppError> {
    let off = if digest {
        q::digests_off_among(conn, ids)?
    } else {
        Default::default()
    };
    Ok(q::recipients(conn, ids)?
        .into_iter()
        .filter(|(id, email, _, status)| deliverable(email, status) && !off.contains(id))
        .map(|(id, email, name, _)| (id, (email, name)))
        .collect())
}

/// Each reviewer's daily digest of pending and overdue reviews, from `digest_hour` (Vietnam
/// time) on; once a day. Returns how many were written.
#[tracing::instrument(skip_all)]
pub async fn review_digests(
    db: &Db,
    now: NaiveDateTime,
    digest_hour: u32,
) -> Result<usize, AppError> {
    if !daily_due(now, digest_hour) {
        return Ok(0);
    }
    let day = local(now).date();
    let prefix = format!("review_digest:{day}:");
    let mails = db
        .read(move |conn| {
            let done = q::keys_with_prefix(conn, &prefix)?;
            let mut by_reviewer: BTreeMap<i64, Vec<DigestItem>> = BTreeMap::new();
            for (reviewer, id, title, due) in q::pending_reviews(conn)? {
                if done.contains(&format!("{prefix}{reviewer}")) {
                    continue;
                }
                by_reviewer.entry(reviewer).or_default().push(DigestItem {
                    initiative_id: id,
                    title,
                    due: format::date(counts::vietnam_day(due)),
                    overdue: due < now,
                });
            }
            let ids: Vec<i64> = by_reviewer.keys().copied().collect();
            let who = reachable(conn, &ids, true)?;
            let mut mails = Vec::new();
            for (reviewer, items) in by_reviewer {
                let Some((email, name)) = who.get(&reviewer) else {
                    continue;
                };
                let overdue = items.iter().filter(|i| i.overdue).count();
                let notice = Notice::ReviewDigest {
                    date: format::date(day),
                    pending: i64::try_from(items.len()).unwrap_or(i64::MAX),
                    overdue: i64::try_from(overdue).unwrap_or(i64::MAX),
                    items: items.into_iter().take(50).collect(),
                };
                mails.push(new_mail(
                    reviewer,
                    email,
                    name,
                    &notice,
                    Some(format!("{prefix}{reviewer}")),
                    now,
                )?);
            }
            Ok(mails)
        })
        .await?;
    write_batches(db, mails).await
}

/// Reminders to members with unfinished drafts, a week and a day before a phase closes:
/// once each per phase and member (a member who starts a draft later still gets the day's).
#[tracing::instrument(skip_all)]
pub async fn phase_reminders(db: &Db, now: NaiveDateTime) -> Result<usize, AppError> {
    let mails = db
        .read(move |conn| {
            let mut mails = Vec::new();
            for phase in q::phases_closing(conn, now, now + TimeDelta::days(7))? {
                let left = phase.closes_at - now;
                let which = if left <= TimeDelta::days(1) { 1 } else { 7 };
                let days_left = (left.num_hours() + 23) / 24;
                let prefix = format!("phase_reminder:{}:{which}:", phase.phase_id);
                let done = q::keys_with_prefix(conn, &prefix)?;
                let mut by_author: BTreeMap<i64, Vec<DraftItem>> = BTreeMap::new();
                for (author, id, title) in
                    q::drafts_for_phase(conn, phase.program_id, phase.phase_id)?
                {
                    if done.contains(&format!("{prefix}{author}")) {
                        continue;
                    }
                    by_author.entry(author).or_default().push(DraftItem {
                        initiative_id: id,
                        title,
                    });
                }
                let ids: Vec<i64> = by_author.keys().copied().collect();
                let who = reachable(conn, &ids, false)?;
                for (author, drafts) in by_author {
                    let Some((email, name)) = who.get(&author) else {
                        continue;
                    };
                    let notice = Notice::PhaseReminder {
                        program_name: phase.program_name.clone(),
                        phase_name: phase.phase_name.clone(),
                        closes_at: format::datetime(utc(phase.closes_at)),
                        days_left: days_left.max(1),
                        drafts,
                    };
                    mails.push(new_mail(
                        author,
                        email,
                        name,
                        &notice,
                        Some(format!("{prefix}{author}")),
                        now,
                    )?);
                }
            }
            Ok(mails)
        })
        .await?;
    write_batches(db, mails).await
}

/// Is this week's attainment digest due at `now` (from `weekly_day` at `digest_hour`,
/// Vietnam time, until the week ends)?
pub fn weekly_due(now: NaiveDateTime, weekly_day: u32, digest_hour: u32) -> bool {
    let here = local(now);
    let weekday = here.weekday().number_from_monday();
    weekday > weekly_day || (weekday == weekly_day && here.hour() >= digest_hour)
}

/// Is today's review digest due at `now` (from `digest_hour`, Vietnam time)?
pub fn daily_due(now: NaiveDateTime, digest_hour: u32) -> bool {
    local(now).hour() >= digest_hour
}

/// The Vietnam day and ISO week of `now` (the periods of the digests).
pub fn periods(now: NaiveDateTime) -> (chrono::NaiveDate, chrono::IsoWeek) {
    let here = local(now);
    (here.date(), here.iso_week())
}

/// The weekly attainment digest to union officers: each union they serve, in each open
/// program over it; from `weekly_day` at `digest_hour` (Vietnam time), once per ISO week.
#[tracing::instrument(skip_all)]
pub async fn attainment_digests(
    db: &Db,
    now: NaiveDateTime,
    weekly_day: u32,
    digest_hour: u32,
) -> Result<usize, AppError> {
    if !weekly_due(now, weekly_day, digest_hour) {
        return Ok(0);
    }
    let here = local(now);
    let weekday = here.weekday().number_from_monday();
    let week = here.iso_week();
    let period = format!("{}-W{:02}", week.year(), week.week());
    let prefix = format!("attainment_weekly:{period}:");
    let monday = here.date() - TimeDelta::days(i64::from(weekday) - 1);
    let today = here.date();
    let mails = db
        .read(move |conn| {
            let done = q::keys_with_prefix(conn, &prefix)?;
            let programs = q::open_programs(conn)?;
            let mut by_officer: BTreeMap<i64, Vec<(i64, String, String)>> = BTreeMap::new();
            for (user, union_id, name, path) in q::officers(conn)? {
                if !done.contains(&format!("{prefix}{user}")) {
                    by_officer
                        .entry(user)
                        .or_default()
                        .push((union_id, name, path));
                }
            }
            let ids: Vec<i64> = by_officer.keys().copied().collect();
            let who = reachable(conn, &ids, true)?;
            let mut mails = Vec::new();
            for (officer, served) in by_officer {
                let Some((email, name)) = who.get(&officer) else {
                    continue;
                };
                let mut lines = Vec::new();
                for (union_id, union_name, path) in &served {
                    let path = UnionPath::from_stored(path.clone());
                    for (program_id, program_name, owner_path) in &programs {
                        if !UnionPath::from_stored(owner_path.clone()).covers(&path) {
                            continue;
                        }
                        let c = counts::of_unions(conn, *program_id, None, Which::One(*union_id))?
                            .remove(union_id)
                            .unwrap_or([0; 7]);
                        let program = crate::db::programs::find(conn, *program_id)?
                            .ok_or_else(AppError::not_found)?;
                        let quota = crate::service::shared::quota::quotas_for(
                            conn,
                            &program,
                            None,
                            Which::One(*union_id),
                        )?
                        .remove(union_id)
                        .map(|q| q.target(|| Ok::<i64, AppError>(0)))
                        .transpose()?
                        .filter(|t| *t > 0);
                        let week_approved = counts::approved_between(
                            conn,
                            *program_id,
                            &[*union_id],
                            monday,
                            today,
                        )?
                        .remove(union_id)
                        .unwrap_or(0);
                        lines.push(AttainmentLine {
                            union_id: *union_id,
                            union_name: union_name.clone(),
                            program_id: *program_id,
                            program_name: program_name.clone(),
                            submitted: c.iter().sum(),
                            approved: c[3],
                            quota,
                            attainment: quota.map(|q| crate::domain::counting::percent(c[3], q)),
                            approved_this_week: week_approved,
                        });
                    }
                }
                if lines.is_empty() {
                    continue;
                }
                let notice = Notice::AttainmentWeekly {
                    week: format!(
                        "{} ({} – {})",
                        week.week(),
                        format::date(monday),
                        format::date(today)
                    ),
                    lines,
                };
                mails.push(new_mail(
                    officer,
                    email,
                    name,
                    &notice,
                    Some(format!("{prefix}{officer}")),
                    now,
                )?);
            }
            Ok(mails)
        })
        .await?;
    write_batches(db, mails).await
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap()
    }

    #[test]
    fn digests_are_due_from_their_hour_in_vietnam_time() {
        // Monday 23 November 2026, 07:00 in Vietnam is 00:00 UTC.
        assert!(!daily_due(at(22, 23, 59), 7));
        assert!(daily_due(at(23, 0, 0), 7));
        assert!(!weekly_due(at(22, 23, 0), 1, 7), "Monday 06:00 in Vietnam");
        assert!(weekly_due(at(23, 0, 0), 1, 7));
        assert!(
            weekly_due(at(26, 3, 0), 1, 7),
            "later in the week catches up"
        );
        assert!(!weekly_due(at(23, 5, 0), 3, 7), "not before Wednesday");
        let (day, week) = periods(at(23, 17, 30));
        assert_eq!(day, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!((week.year(), week.week()), (2026, 48));
    }
}
