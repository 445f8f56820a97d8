//! The notifications a change writes to `mail_outbox` in its own transaction: receipts,
//! status changes, co-author and account invitations, assignments.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::auth::token::password_fingerprint;
use crate::db::mail::{self as q, NewMail};
use crate::db::users::UserRow;
use crate::db::{DbConn, counts, initiatives, unions, users};
use crate::domain::UserStatus;
use crate::domain::initiative::decision_due;
use crate::email::letters::Notice;
use crate::error::AppError;
use crate::format;

pub(crate) fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub(crate) fn deliverable(email: &str, status: &str) -> bool {
    email.contains('@') && UserStatus::parse(status) == UserStatus::Active
}

pub(crate) fn new_mail(
    user_id: i64,
    email: &str,
    name: &str,
    notice: &Notice,
    dedupe_key: Option<String>,
    now: NaiveDateTime,
) -> Result<NewMail, AppError> {
    Ok(NewMail {
        kind: notice.kind().to_owned(),
        user_id: Some(user_id),
        recipient: email.to_owned(),
        recipient_name: name.to_owned(),
        subject: notice.subject(),
        payload: serde_json::to_string(notice).map_err(AppError::internal)?,
        dedupe_key,
        status: q::PENDING.to_owned(),
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
    })
}

/// Writes `notice` for the user `user_id` (skipped for a disabled account or one without an
/// address). Returns whether a row was written.
pub fn to_user(
    conn: &mut DbConn,
    user_id: i64,
    notice: &Notice,
    dedupe_key: Option<String>,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let Some(user) = users::find(conn, user_id)? else {
        return Ok(false);
    };
    if !deliverable(&user.email, &user.status) {
        return Ok(false);
    }
    let mail = new_mail(
        user.id,
        &user.email,
        &user.full_name,
        notice,
        dedupe_key,
        now,
    )?;
    Ok(q::enqueue(conn, &mail)?)
}

pub(crate) fn to_authors(
    conn: &mut DbConn,
    initiative_id: i64,
    notice: &Notice,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for author in initiatives::authors(conn, initiative_id)? {
        to_user(conn, author.user_id, notice, None, now)?;
    }
    Ok(())
}

/// The email an initiative's change of status sends to its authors (called by the one place
/// that records changes, in its transaction): returned, approved, rejected, duplicate,
/// awarded. Other changes send nothing.
pub(crate) fn initiative_changed(
    conn: &mut DbConn,
    initiative_id: i64,
    action: &str,
    comment: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if !matches!(
        action,
        "returned" | "approved" | "rejected" | "duplicate" | "awarded"
    ) {
        return Ok(());
    }
    let Some(row) = initiatives::find(conn, initiative_id)? else {
        return Ok(());
    };
    let comment = comment.unwrap_or_default().to_owned();
    let (initiative_id, title) = (row.id, row.title);
    let notice = match action {
        "returned" => Notice::Returned {
            initiative_id,
            title,
            note: comment,
        },
        "approved" => Notice::Approved {
            initiative_id,
            title,
            note: Some(comment).filter(|c| !c.is_empty()),
        },
        "rejected" => Notice::Rejected {
            initiative_id,
            title,
            reason: comment,
        },
        "duplicate" => Notice::Duplicate {
            initiative_id,
            title,
            of: comment,
        },
        _ => Notice::Awarded {
            initiative_id,
            title,
            level: comment,
        },
    };
    to_authors(conn, initiative_id, &notice, now)
}

/// The receipt of a submission (called after the initiative entered review, so that the
/// case's due date is known).
pub(crate) fn received(
    conn: &mut DbConn,
    initiative_id: i64,
    resubmitted: bool,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some(row) = initiatives::find(conn, initiative_id)? else {
        return Ok(());
    };
    let received = row.submitted_at.unwrap_or(now);
    let due = crate::db::review::latest_case(conn, initiative_id)?
        .map_or_else(|| decision_due(received), |c| c.due_at);
    let notice = Notice::Received {
        initiative_id,
        title: row.title,
        receipt_no: row
            .receipt_no
            .unwrap_or_else(|| format!("#{initiative_id}")),
        received_at: format::datetime(utc(now)),
        due: format::date(counts::vietnam_day(due)),
        resubmitted,
    };
    to_authors(conn, initiative_id, &notice, now)
}

/// The one email of an invitation to co-author: written once per initiative and invitee,
/// ever (a re-invitation after a decline shows in their list, without a second email).
pub(crate) fn coauthor_invited(
    conn: &mut DbConn,
    initiative_id: i64,
    user_id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some(row) = initiatives::find(conn, initiative_id)? else {
        return Ok(());
    };
    let author_name = users::find(conn, row.author_id)?.map_or_else(String::new, |u| u.full_name);
    let union_name = unions::find(conn, row.union_id)?.map_or_else(String::new, |u| u.name);
    let program_name =
        crate::db::programs::find(conn, row.program_id)?.map_or_else(String::new, |p| p.name);
    let notice = Notice::CoauthorInvitation {
        initiative_id,
        author_name,
        union_name,
        program_name,
    };
    to_user(
        conn,
        user_id,
        &notice,
        Some(format!("coauthor_invitation:{initiative_id}:{user_id}")),
        now,
    )?;
    Ok(())
}

/// A review assigned to `reviewer_id`.
pub(crate) fn assigned(
    conn: &mut DbConn,
    initiative_id: i64,
    reviewer_id: i64,
    due: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some(row) = initiatives::find(conn, initiative_id)? else {
        return Ok(());
    };
    let union_name = unions::find(conn, row.union_id)?.map_or_else(String::new, |u| u.name);
    let notice = Notice::Assigned {
        initiative_id,
        title: row.title,
        union_name,
        due: format::date(counts::vietnam_day(due)),
    };
    to_user(conn, reviewer_id, &notice, None, now)?;
    Ok(())
}

/// The invitation (the same email and link as after an import) for one account without a
/// password, asked for again by an officer; `false` when the account cannot receive it.
pub(crate) fn invitation(
    conn: &mut DbConn,
    user_id: i64,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let Some(u) = users::find(conn, user_id)? else {
        return Ok(false);
    };
    if !deliverable(&u.email, &u.status) || u.password_hash.is_some() {
        return Ok(false);
    }
    let union_name = unions::find(conn, u.union_id)?.map_or_else(String::new, |x| x.name);
    let notice = Notice::Invitation {
        union_name,
        login: u.member_code.clone().unwrap_or_else(|| u.email.clone()),
        fingerprint: password_fingerprint(None),
    };
    to_user(
        conn,
        u.id,
        &notice,
        Some(format!(
            "invitation:{}:{}",
            u.id,
            now.and_utc().timestamp_millis()
        )),
        now,
    )
}

/// Invitations for accounts just imported without a password, in multi-row statements.
pub(crate) fn invitations(
    conn: &mut DbConn,
    user_ids: &[i64],
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let mut union_names: HashMap<i64, String> = HashMap::new();
    let mut mails = Vec::new();
    for chunk in user_ids.chunks(1000) {
        let rows: Vec<UserRow> = users::by_ids(conn, chunk)?;
        for u in rows {
            if !deliverable(&u.email, &u.status) || u.password_hash.is_some() {
                continue;
            }
            let union_name = match union_names.get(&u.union_id) {
                Some(n) => n.clone(),
                None => {
                    let n = unions::find(conn, u.union_id)?.map_or_else(String::new, |x| x.name);
                    union_names.insert(u.union_id, n.clone());
                    n
                }
            };
            let notice = Notice::Invitation {
                union_name,
                login: u.member_code.clone().unwrap_or_else(|| u.email.clone()),
                fingerprint: password_fingerprint(None),
            };
            mails.push(new_mail(
                u.id,
                &u.email,
                &u.full_name,
                &notice,
                Some(format!("invitation:{}", u.id)),
                now,
            )?);
        }
    }
    // The accounts are new, so none has been invited; the key keeps it to one per account.
    Ok(q::enqueue_many(conn, &mails)?)
}
