//! An initiative as every use case loads, authorises, shows and records it: the full view,
//! the facts `can()` needs, the change recorded with its audit, outbox and mail rows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::db::coauthors::{self as cq, InvitationRow};
use crate::db::initiatives::{self, InitiativeRow};
use crate::db::{self, DbConn, audit, outbox};
use crate::domain::Stored;
use crate::domain::initiative::InvitationStatus;
use crate::domain::{Action, Actor, InitiativeStatus, Resource, UnionPath, can};
use crate::error::{AppError, ErrorCode};

/// An author with their contribution share.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuthorView {
    pub user_id: i64,
    pub full_name: String,
    pub share_percent: i32,
}

/// An initiative in full.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InitiativeView {
    pub id: i64,
    pub program_id: i64,
    pub phase_id: Option<i64>,
    pub field_id: Option<i64>,
    /// The submitting union.
    pub union_id: i64,
    /// The submitting author.
    pub author_id: i64,
    /// Authors (the submitting author, then the co-authors who accepted), with their shares.
    pub authors: Vec<AuthorView>,
    /// Invitations to co-author still open or declined, as the author typed them (no names):
    /// shown to the submitting author only, empty for everyone else.
    pub coauthor_invitations: Vec<CoauthorInvitationView>,
    pub title: String,
    /// Hiện trạng.
    pub current_situation: String,
    /// Nội dung giải pháp.
    pub solution: String,
    /// Phạm vi áp dụng.
    pub scope: String,
    /// Hiệu quả và lợi ích.
    pub benefits: String,
    /// Ngày áp dụng lần đầu.
    pub first_applied_on: Option<NaiveDate>,
    /// Estimated benefit in VND.
    pub estimated_benefit_vnd: Option<i64>,
    /// Only title, benefit summary and award are public.
    pub confidential: bool,
    pub status: InitiativeStatus,
    /// The status's Vietnamese name.
    pub status_name: &'static str,
    /// Pass it back when updating: a stale one gets 409.
    pub version: i32,
    /// Số biên nhận, given at first submission.
    pub receipt_no: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The initiative's status (an unknown stored name is an error, never a guess).
pub(crate) fn status_of(row: &InitiativeRow) -> Result<InitiativeStatus, AppError> {
    Ok(InitiativeStatus::from_stored(&row.status)?)
}

pub(crate) fn full_view(conn: &mut DbConn, r: InitiativeRow) -> Result<InitiativeView, AppError> {
    let authors = initiatives::authors(conn, r.id)?
        .into_iter()
        .map(|a| AuthorView {
            user_id: a.user_id,
            full_name: a.full_name,
            share_percent: a.share_percent,
        })
        .collect();
    let status = status_of(&r)?;
    Ok(InitiativeView {
        id: r.id,
        program_id: r.program_id,
        phase_id: r.phase_id,
        field_id: r.field_id,
        union_id: r.union_id,
        author_id: r.author_id,
        authors,
        coauthor_invitations: Vec::new(),
        title: r.title,
        current_situation: r.current_situation,
        solution: r.solution,
        scope: r.scope,
        benefits: r.benefits,
        first_applied_on: r.first_applied_on,
        estimated_benefit_vnd: r.estimated_benefit_vnd,
        confidential: r.confidential,
        status,
        status_name: status.label(),
        version: r.version,
        receipt_no: r.receipt_no,
        submitted_at: r.submitted_at.map(|t| t.and_utc()),
        decided_at: r.decided_at.map(|t| t.and_utc()),
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    })
}

/// The full view for `actor`: the submitting author also sees the open invitations.
pub(crate) fn view_for(
    conn: &mut DbConn,
    actor: &Actor,
    r: InitiativeRow,
) -> Result<InitiativeView, AppError> {
    let mine = r.author_id == actor.user_id;
    let id = r.id;
    let mut view = full_view(conn, r)?;
    if mine {
        view.coauthor_invitations = invitations_of(conn, id)?;
    }
    Ok(view)
}

/// Loads an initiative with the facts `can()` needs.
pub(crate) fn load(
    conn: &mut DbConn,
    id: i64,
) -> Result<(InitiativeRow, UnionPath, Vec<i64>), AppError> {
    let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let authors: Vec<i64> = initiatives::authors(conn, id)?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    let path = UnionPath::from_stored(row.union_path.clone());
    Ok((row, path, authors))
}

/// Checks `action` on a loaded initiative; those who may not even see it get 404.
pub(crate) fn authorize(
    actor: &Actor,
    action: Action,
    row: &InitiativeRow,
    path: &UnionPath,
    authors: &[i64],
) -> Result<(), AppError> {
    let resource = Resource::Initiative {
        program_id: row.program_id,
        union_path: path,
        authors,
        status: status_of(row)?,
        confidential: row.confidential,
    };
    if !can(actor, Action::ViewInitiative, resource) {
        return Err(AppError::not_found());
    }
    if !can(actor, action, resource) {
        return Err(AppError::forbidden());
    }
    Ok(())
}

pub(crate) fn record(
    conn: &mut DbConn,
    actor_id: impl Into<Option<i64>>,
    row_id: i64,
    action: &str,
    from: Option<&str>,
    to: Option<&str>,
    comment: Option<&str>,
) -> Result<(), AppError> {
    let now = db::now();
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id: actor_id.into(),
            entity_type: "initiative",
            entity_id: row_id,
            action,
            from_state: from,
            to_state: to,
            comment,
            created_at: now,
        },
    )?;
    outbox::append(
        conn,
        &format!("initiative.{action}"),
        "initiative",
        row_id,
        &serde_json::json!({"status": to}),
        now,
    )?;
    crate::service::shared::letters::initiative_changed(conn, row_id, action, comment, now)?;
    Ok(())
}

pub(crate) fn stale(current: i32) -> AppError {
    AppError::new(ErrorCode::VersionConflict)
        .with_details(serde_json::json!({"current_version": current}))
}

/// An invitation as the inviting author sees it: what they typed, never the invitee's name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoauthorInvitationView {
    /// The member code or email the author typed (`#id` when named by id).
    pub invited_as: String,
    pub share_percent: i32,
    pub status: InvitationStatus,
    /// The status's Vietnamese name.
    pub status_name: &'static str,
    pub invited_at: DateTime<Utc>,
}

impl TryFrom<InvitationRow> for CoauthorInvitationView {
    type Error = AppError;

    fn try_from(r: InvitationRow) -> Result<Self, AppError> {
        let status = InvitationStatus::from_stored(&r.status)?;
        Ok(Self {
            invited_as: r.invited_as,
            share_percent: r.share_percent,
            status,
            status_name: status.label(),
            invited_at: r.created_at.and_utc(),
        })
    }
}

/// The invitations of an initiative, for its author.
pub(crate) fn invitations_of(
    conn: &mut DbConn,
    initiative_id: i64,
) -> Result<Vec<CoauthorInvitationView>, AppError> {
    cq::for_initiative(conn, initiative_id)?
        .into_iter()
        .map(CoauthorInvitationView::try_from)
        .collect()
}

/// A recorded duplicate candidate, earliest-filed first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicateCandidateView {
    pub initiative_id: i64,
    pub title: String,
    pub status: InitiativeStatus,
    pub status_name: &'static str,
    pub submitted_at: Option<DateTime<Utc>>,
    pub score: f64,
    /// `duplicate`, `near_duplicate` or `partial_copy`.
    pub verdict: String,
    pub detected_at: DateTime<Utc>,
}
