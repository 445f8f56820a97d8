//! What the review's use cases share: a case with its committee, program and audit rows,
//! conflicts of interest, and moving the initiative along.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::views::{CaseView, CommitteeView, MemberView, RubricView, ScoreView};
use crate::db::review::{self as q, CaseRow, CommitteeRow, StageRow};
use crate::db::{self, DbConn, audit, initiatives, programs, unions};
use crate::domain::review::{
    Aggregation, AssignmentState, CaseState, ConflictReason, Criterion, Decision, max_total,
    reason_label,
};
use crate::domain::{Action, Actor, InitiativeStatus, Resource, UnionPath, can};
use crate::error::{AppError, ErrorCode};
use crate::service::shared::initiative::{record, stale, status_of};

pub(super) fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub(super) fn criteria_of(conn: &mut DbConn, program_id: i64) -> Result<Vec<Criterion>, AppError> {
    Ok(q::criteria(conn, program_id)?
        .into_iter()
        .map(|c| Criterion {
            bands: serde_json::from_str(&c.bands).unwrap_or_default(),
            code: c.code,
            name: c.name,
            description: c.description,
            max_score: c.max_score,
            weight: c.weight,
        })
        .collect())
}

pub(super) fn rubric_in(conn: &mut DbConn, program_id: i64) -> Result<RubricView, AppError> {
    let criteria = criteria_of(conn, program_id)?;
    let aggregation =
        Aggregation::parse(&q::aggregation(conn, program_id)?).unwrap_or(Aggregation::Mean);
    Ok(RubricView {
        aggregation,
        max_total: max_total(&criteria),
        criteria,
        locked: q::program_has_scores(conn, program_id)?,
    })
}

pub(super) fn committee_view(
    conn: &mut DbConn,
    c: CommitteeRow,
) -> Result<CommitteeView, AppError> {
    let members = q::members(conn, c.id)?
        .into_iter()
        .map(|m| MemberView {
            user_id: m.user_id,
            full_name: m.full_name,
            email: m.email,
            is_chair: m.is_chair,
        })
        .collect();
    Ok(CommitteeView {
        id: c.id,
        program_id: c.program_id,
        stage_id: c.stage_id,
        stage_name: c.stage_name,
        stage_position: c.stage_position,
        union_id: c.union_id,
        union_name: c.union_name,
        name: c.name,
        members,
    })
}

pub(super) fn case_view(
    c: &CaseRow,
    stages: &[StageRow],
    committee_names: &HashMap<i64, String>,
    now: NaiveDateTime,
) -> CaseView {
    let stage = stages.iter().find(|s| s.id == c.stage_id);
    let state = CaseState::parse(&c.state);
    let decision = c.decision.as_deref().and_then(Decision::parse);
    CaseView {
        id: c.id,
        stage_id: c.stage_id,
        stage_name: stage.map(|s| s.name.clone()).unwrap_or_default(),
        stage_position: stage.map_or(0, |s| s.position),
        round: c.round,
        state,
        state_name: state.label(),
        committee_id: c.committee_id,
        committee_name: c
            .committee_id
            .and_then(|id| committee_names.get(&id).cloned()),
        entered_at: utc(c.entered_at),
        due_at: utc(c.due_at),
        overdue: state == CaseState::Open && c.due_at < now,
        decision,
        decision_name: decision.map(Decision::label),
        reason_code: c.reason_code.clone(),
        reason_name: c.reason_code.as_deref().and_then(reason_label),
        note: c.decision_note.clone(),
        duplicate_of_id: c.duplicate_of_id,
        decided_at: c.decided_at.map(utc),
        published_at: c.published_at.map(utc),
    }
}

pub(super) fn score_view(a: &q::AssignmentRow) -> ScoreView {
    ScoreView {
        reviewer_id: a.reviewer_id,
        reviewer_name: a.reviewer_name.clone(),
        state: AssignmentState::parse(&a.state),
        scores: serde_json::from_str(&a.scores).unwrap_or_default(),
        total: a.total,
        recommendation: a.recommendation.as_deref().and_then(Decision::parse),
        comment: a.comment.clone(),
        scored_at: a.scored_at.map(utc),
    }
}

pub(super) fn audit_case(
    conn: &mut DbConn,
    actor: Option<i64>,
    case_id: i64,
    action: &str,
    to: Option<&str>,
    comment: Option<&str>,
) -> Result<(), AppError> {
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id: actor,
            entity_type: "review_case",
            entity_id: case_id,
            action,
            from_state: None,
            to_state: to,
            comment,
            created_at: db::now(),
        },
    )?;
    Ok(())
}

pub(super) fn audit_program(
    conn: &mut DbConn,
    actor: &Actor,
    program_id: i64,
    action: &str,
    comment: Option<&str>,
) -> Result<(), AppError> {
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id: Some(actor.user_id),
            entity_type: "program",
            entity_id: program_id,
            action,
            from_state: None,
            to_state: None,
            comment,
            created_at: db::now(),
        },
    )?;
    Ok(())
}

/// The program (visible to the actor) with its owner's path.
pub(super) fn program_for(
    conn: &mut DbConn,
    actor: &Actor,
    program_id: i64,
) -> Result<(programs::ProgramRow, UnionPath), AppError> {
    let row = programs::find(conn, program_id)?.ok_or_else(AppError::not_found)?;
    let path = crate::service::shared::program::owner_path(conn, &row)?;
    let status = crate::service::shared::program::status_of(&row)?;
    if !can(
        actor,
        Action::ViewProgram,
        Resource::Program {
            owner_path: &path,
            status,
        },
    ) {
        return Err(AppError::not_found());
    }
    Ok((row, path))
}

/// May the actor set up this committee, assign and publish for it?
pub(super) fn manages(
    conn: &mut DbConn,
    actor: &Actor,
    c: &CommitteeRow,
) -> Result<bool, AppError> {
    let program = programs::find(conn, c.program_id)?.ok_or_else(AppError::not_found)?;
    let owner = crate::service::shared::program::owner_path(conn, &program)?;
    let union_path = UnionPath::from_stored(c.union_path.clone());
    Ok(can(
        actor,
        Action::ManageCommittee,
        Resource::Committee {
            owner_path: &owner,
            union_path: &union_path,
        },
    ))
}

/// Why `user_id` may not review this initiative, if they may not.
pub(super) fn conflict_of(
    conn: &mut DbConn,
    initiative_id: i64,
    union_id: i64,
    authors: &[i64],
    user_id: i64,
) -> Result<Option<(ConflictReason, Option<String>)>, AppError> {
    if authors.contains(&user_id) {
        return Ok(Some((ConflictReason::Author, None)));
    }
    if unions::head_of(conn, union_id)? == Some(user_id) {
        return Ok(Some((ConflictReason::HeadOfUnit, None)));
    }
    Ok(q::conflicts(conn, initiative_id)?
        .into_iter()
        .find(|c| c.user_id == user_id)
        .map(|c| (ConflictReason::parse(&c.reason_code), c.note)))
}

pub(super) fn conflict_error(reason: ConflictReason) -> AppError {
    AppError::new(ErrorCode::ConflictOfInterest).with_details(serde_json::json!({
        "reason": reason,
        "reason_name": reason.label(),
    }))
}

pub(super) fn current_case(conn: &mut DbConn, initiative_id: i64) -> Result<CaseRow, AppError> {
    q::latest_case(conn, initiative_id)?.ok_or_else(|| {
        AppError::new(ErrorCode::InvalidState)
            .with_message("Sáng kiến chưa được đưa vào xét duyệt.")
    })
}

pub(super) fn state_conflict(case: &CaseRow) -> AppError {
    let state = CaseState::parse(&case.state);
    AppError::new(ErrorCode::InvalidState)
        .with_message(match state {
            CaseState::Open => "Sáng kiến đang được xét, chưa có quyết định.",
            CaseState::Pending => "Sáng kiến đã có quyết định đang chờ công bố.",
            CaseState::Closed => "Sáng kiến đã có quyết định ở vòng xét này.",
        })
        .with_details(serde_json::json!({
            "state": state,
            "decision": case.decision,
            "decided_by": case.decided_by,
            "decided_at": case.decided_at.map(utc),
        }))
}

/// Moves an initiative to `to`, guarded by its version and status, and records it.
pub(super) fn move_initiative(
    conn: &mut DbConn,
    actor: Option<i64>,
    id: i64,
    to: InitiativeStatus,
    action: &str,
    comment: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let from = status_of(&row)?;
    if !from.can_become(to) {
        return Err(AppError::new(ErrorCode::InvalidState)
            .with_message(format!("Sáng kiến đang ở trạng thái \"{}\".", from.label()))
            .with_details(serde_json::json!({"status": from})));
    }
    if !initiatives::transition(
        conn,
        id,
        row.version,
        from.as_str(),
        to.as_str(),
        None,
        None,
        now,
    )? {
        return Err(stale(row.version));
    }
    record(
        conn,
        actor,
        id,
        action,
        Some(from.as_str()),
        Some(to.as_str()),
        comment,
    )
}

/// A submitted initiative that has a reviewer becomes "under review".
pub(super) fn mark_under_review(
    conn: &mut DbConn,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
    if status_of(&row)? == InitiativeStatus::Submitted {
        move_initiative(
            conn,
            None,
            id,
            InitiativeStatus::UnderReview,
            "under_review",
            None,
            now,
        )?;
    }
    Ok(())
}

pub(super) fn committee_for(
    conn: &mut DbConn,
    actor: &Actor,
    committee_id: i64,
) -> Result<(CommitteeRow, Option<bool>, bool), AppError> {
    let c = q::find_committee(conn, committee_id)?.ok_or_else(AppError::not_found)?;
    let membership = q::membership(conn, committee_id, actor.user_id)?;
    let manages = manages(conn, actor, &c)?;
    if membership.is_none() && !manages {
        return Err(AppError::not_found());
    }
    Ok((c, membership, manages))
}
