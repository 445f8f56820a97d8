//! Reviewing a case: the case page, scores, conflicts of interest, decisions, the chair's
//! publication of held decisions, and withdrawal.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{
    common::{
        audit_case, audit_program, case_view, committee_for, conflict_error, conflict_of,
        criteria_of, current_case, manages, mark_under_review, move_initiative, rubric_in,
        score_view, state_conflict, utc,
    },
    routing::{auto_assign_in, open_case},
    views::{AssignmentView, ConflictView, DecisionInput, DecisionOutcome, ReviewView, ScoreInput},
};
use crate::db::review::{self as q, CaseRow, NewDecision};
use crate::db::{self, Db, DbConn, initiatives, programs};
use crate::domain::Stored;
use crate::domain::review::{
    AssignmentState, CaseState, ConflictReason, Decision, reason_label, weighted_total,
};
use crate::domain::{Action, Actor, InitiativeStatus, Resource, can};
use crate::error::{AppError, ErrorCode};
use crate::search::SearchService;
use crate::service::shared::initiative::DuplicateCandidateView;
use crate::service::shared::initiative::{full_view, load, record};

/// The review page of an initiative: for members of its current committee (not in conflict)
/// and those who manage the committee.
pub async fn review(db: &Db, actor: &Actor, initiative_id: i64) -> Result<ReviewView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| review_in(conn, &actor, initiative_id))
        .await
}

pub(super) fn review_in(
    conn: &mut DbConn,
    actor: &Actor,
    initiative_id: i64,
) -> Result<ReviewView, AppError> {
    review_case_in(conn, actor, initiative_id, None)
}

/// The review page of one of the initiative's cases (the latest when `case_id` is `None`).
fn review_case_in(
    conn: &mut DbConn,
    actor: &Actor,
    initiative_id: i64,
    case_id: Option<i64>,
) -> Result<ReviewView, AppError> {
    let (row, path, authors) = load(conn, initiative_id)?;
    crate::service::shared::initiative::authorize(
        actor,
        Action::ViewInitiative,
        &row,
        &path,
        &authors,
    )?;
    let case = match case_id {
        Some(id) => q::find_case(conn, id)?
            .filter(|c| c.initiative_id == initiative_id)
            .ok_or_else(AppError::not_found)?,
        None => current_case(conn, initiative_id)?,
    };
    let committee = match case.committee_id {
        Some(id) => q::find_committee(conn, id)?,
        None => None,
    };
    let membership = match &committee {
        Some(c) => q::membership(conn, c.id, actor.user_id)?,
        None => None,
    };
    let can_manage = match &committee {
        Some(c) => manages(conn, actor, c)?,
        None => {
            let program = programs::find(conn, row.program_id)?.ok_or_else(AppError::not_found)?;
            let owner = crate::service::shared::program::owner_path(conn, &program)?;
            can(
                actor,
                Action::ManageProgram,
                Resource::Program {
                    owner_path: &owner,
                    status: crate::service::shared::program::status_of(&program)?,
                },
            )
        }
    };
    if membership.is_none() && !can_manage {
        return Err(AppError::forbidden());
    }
    if membership.is_some()
        && let Some((reason, _)) = conflict_of(conn, row.id, row.union_id, &authors, actor.user_id)?
    {
        return Err(conflict_error(reason));
    }
    let is_chair = membership == Some(true);
    let stages = q::stages(conn, row.program_id)?;
    let stage = stages
        .iter()
        .find(|s| s.id == case.stage_id)
        .ok_or_else(AppError::not_found)?
        .clone();
    let all_cases = q::cases_of(conn, initiative_id)?;
    let mut names = HashMap::new();
    for c in q::committees_of_program(conn, row.program_id)? {
        names.insert(c.id, c.name);
    }
    let now = db::now();
    let assignments = q::assignments(conn, case.id)?;
    let mine = assignments
        .iter()
        .find(|a| a.reviewer_id == actor.user_id)
        .map(score_view);
    let scored: Vec<&q::AssignmentRow> = assignments
        .iter()
        .filter(|a| AssignmentState::parse(&a.state) == AssignmentState::Scored)
        .collect();
    let i_scored = mine
        .as_ref()
        .is_some_and(|m| m.state == AssignmentState::Scored);
    let scores_hidden = stage.blind_scoring && !is_chair && !can_manage && !i_scored;
    let rubric = rubric_in(conn, row.program_id)?;
    let totals: Vec<f64> = scored.iter().filter_map(|a| a.total).collect();
    let committee_score = if scores_hidden {
        None
    } else {
        rubric.aggregation.combine(&totals)
    };
    let scores = if scores_hidden {
        Vec::new()
    } else {
        scored.iter().map(|a| score_view(a)).collect()
    };
    let open = CaseState::parse(&case.state) == CaseState::Open;
    let assigned = mine
        .as_ref()
        .is_some_and(|m| m.state != AssignmentState::Recused);
    let duplicates = crate::db::duplicates::for_initiative(conn, initiative_id)?
        .into_iter()
        .map(|c| {
            let status = InitiativeStatus::from_stored(&c.status)?;
            Ok(DuplicateCandidateView {
                initiative_id: c.candidate_id,
                title: c.title,
                status,
                status_name: status.label(),
                submitted_at: c.submitted_at.map(utc),
                score: c.score,
                verdict: c.verdict,
                detected_at: utc(c.detected_at),
            })
        })
        .collect::<Result<_, AppError>>()?;
    let conflicts = q::conflicts(conn, initiative_id)?
        .into_iter()
        .map(|c| {
            let reason = ConflictReason::parse(&c.reason_code);
            ConflictView {
                user_id: c.user_id,
                full_name: c.full_name,
                reason,
                reason_name: reason.label(),
                note: c.note,
                recorded_at: utc(c.recorded_at),
            }
        })
        .collect();
    let rounds = i32::try_from(initiatives::versions(conn, initiative_id)?.len()).unwrap_or(0);
    Ok(ReviewView {
        case: case_view(&case, &stages, &names, now),
        earlier: all_cases
            .iter()
            .filter(|c| c.id != case.id)
            .map(|c| case_view(c, &stages, &names, now))
            .collect(),
        stage_count: stages.len(),
        reviews_required: stage.reviews_required,
        reviews_scored: scored.len(),
        blind_scoring: stage.blind_scoring,
        rubric,
        assignments: assignments
            .iter()
            .map(|a| AssignmentView {
                reviewer_id: a.reviewer_id,
                reviewer_name: a.reviewer_name.clone(),
                state: AssignmentState::parse(&a.state),
                assigned_by: a.assigned_by,
                assigned_at: utc(a.assigned_at),
            })
            .collect(),
        mine,
        scores,
        scores_hidden,
        committee_score,
        duplicates,
        conflicts,
        rounds,
        is_chair,
        can_score: open && assigned,
        can_decide: open && (assigned || is_chair),
        can_manage,
        initiative: full_view(conn, row)?,
    })
}

/// The caller's committee membership for the initiative's open case, refusing those with a
/// conflict. Returns `(case, row, is_chair)`.
fn acting_member(
    conn: &mut DbConn,
    actor: &Actor,
    initiative_id: i64,
) -> Result<(CaseRow, initiatives::InitiativeRow, Vec<i64>, bool), AppError> {
    let (row, path, authors) = load(conn, initiative_id)?;
    crate::service::shared::initiative::authorize(
        actor,
        Action::ViewInitiative,
        &row,
        &path,
        &authors,
    )?;
    let case = current_case(conn, initiative_id)?;
    let membership = match case.committee_id {
        Some(c) => q::membership(conn, c, actor.user_id)?,
        None => None,
    };
    let Some(is_chair) = membership else {
        return Err(
            AppError::forbidden().with_message("Bạn không thuộc hội đồng đang xét sáng kiến này.")
        );
    };
    if let Some((reason, _)) = conflict_of(conn, row.id, row.union_id, &authors, actor.user_id)? {
        return Err(conflict_error(reason));
    }
    Ok((case, row, authors, is_chair))
}

/// Records (or replaces) the caller's scores while the case is open.
pub async fn score(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
    input: ScoreInput,
) -> Result<ReviewView, AppError> {
    let writer = actor.clone();
    db.write(move |conn| {
        let actor = writer;
        let (case, row, _, _) = acting_member(conn, &actor, initiative_id)?;
        if CaseState::parse(&case.state) != CaseState::Open {
            return Err(state_conflict(&case));
        }
        let criteria = criteria_of(conn, row.program_id)?;
        let total = weighted_total(&criteria, &input.scores).map_err(|fields| {
            AppError::new(ErrorCode::ValidationFailed)
                .with_details(serde_json::json!({ "fields": fields }))
        })?;
        let now = db::now();
        let stored = q::score(
            conn,
            case.id,
            actor.user_id,
            &q::NewScores {
                scores: serde_json::to_string(&input.scores).unwrap_or_else(|_| "{}".to_owned()),
                total,
                recommendation: input.recommendation.map(Decision::as_str),
                comment: input.comment.as_deref(),
                now,
            },
        )?;
        if !stored {
            return Err(
                AppError::forbidden().with_message("Bạn chưa được phân công chấm sáng kiến này.")
            );
        }
        audit_case(
            conn,
            Some(actor.user_id),
            case.id,
            "scored",
            Some("scored"),
            Some(&format!("{total:.1}")),
        )?;
        mark_under_review(conn, row.id, now)?;
        Ok(())
    })
    .await?;
    // The answer is read after the commit, outside the writer's lock.
    review(db, actor, initiative_id).await
}

/// Declares a conflict of interest: the caller steps aside (the reason is recorded) and
/// another member takes the review.
pub async fn declare_conflict(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
    note: String,
) -> Result<(), AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (case, row, _, _) = acting_member(conn, &actor, initiative_id)?;
        let now = db::now();
        q::record_conflict(
            conn,
            row.id,
            actor.user_id,
            ConflictReason::Declared.as_str(),
            Some(&note),
            now,
        )?;
        if CaseState::parse(&case.state) == CaseState::Open {
            q::recuse(conn, case.id, actor.user_id)?;
            auto_assign_in(conn, case.id, now)?;
        }
        audit_case(
            conn,
            Some(actor.user_id),
            case.id,
            "conflict_declared",
            Some("recused"),
            Some(&note),
        )?;
        Ok(())
    })
    .await
}

fn check_decision(
    conn: &mut DbConn,
    row: &initiatives::InitiativeRow,
    input: &DecisionInput,
) -> Result<(), AppError> {
    match input.decision {
        Decision::Reject => {
            if input
                .reason_code
                .as_deref()
                .and_then(reason_label)
                .is_none()
            {
                return Err(AppError::field(
                    "reason_code",
                    "Chọn lý do không thông qua.",
                ));
            }
        }
        Decision::Return => {
            if input.note.as_deref().is_none_or(str::is_empty) {
                return Err(AppError::field(
                    "note",
                    "Ghi rõ nội dung tác giả cần chỉnh sửa.",
                ));
            }
        }
        Decision::Duplicate => {
            let Some(other) = input.duplicate_of else {
                return Err(AppError::field(
                    "duplicate_of",
                    "Chọn sáng kiến bị trùng lặp.",
                ));
            };
            let earlier = initiatives::find(conn, other)?.filter(|o| {
                o.id != row.id
                    && o.status != InitiativeStatus::Draft.as_str()
                    && o.submitted_at.is_some()
            });
            let Some(earlier) = earlier else {
                return Err(AppError::field(
                    "duplicate_of",
                    "Không tìm thấy sáng kiến đã nộp với mã này.",
                ));
            };
            if (earlier.submitted_at, earlier.id) > (row.submitted_at, row.id) {
                return Err(AppError::field(
                    "duplicate_of",
                    "Sáng kiến bị trùng phải được nộp trước sáng kiến này.",
                ));
            }
        }
        Decision::Approve => {}
    }
    Ok(())
}

/// Records the stage's decision. It takes effect at once, unless the stage leaves
/// publication to the chair (or the decider holds it): then it waits, pending. Of two members
/// deciding at once, one succeeds and the other gets 409 with the current state.
pub async fn decide(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    initiative_id: i64,
    input: DecisionInput,
) -> Result<DecisionOutcome, AppError> {
    let writer = actor.clone();
    let outcome = db
        .write(move |conn| {
            let actor = writer;
            let (case, row, _, is_chair) = acting_member(conn, &actor, initiative_id)?;
            if CaseState::parse(&case.state) != CaseState::Open {
                return Err(state_conflict(&case));
            }
            let assignments = q::assignments(conn, case.id)?;
            let assigned = assignments.iter().any(|a| {
                a.reviewer_id == actor.user_id
                    && AssignmentState::parse(&a.state) != AssignmentState::Recused
            });
            if !assigned && !is_chair {
                return Err(AppError::forbidden().with_message(
                    "Chỉ thành viên được phân công hoặc chủ tịch hội đồng mới được quyết định.",
                ));
            }
            check_decision(conn, &row, &input)?;
            let stage = q::find_stage(conn, case.stage_id)?.ok_or_else(AppError::not_found)?;
            let scored = assignments
                .iter()
                .filter(|a| AssignmentState::parse(&a.state) == AssignmentState::Scored)
                .count();
            let required = usize::try_from(stage.reviews_required).unwrap_or(1);
            if input.decision == Decision::Approve && scored < required {
                return Err(AppError::new(ErrorCode::ReviewsIncomplete)
                    .with_details(serde_json::json!({"required": required, "scored": scored})));
            }
            let publish = !input.hold && (!stage.chair_publishes || is_chair);
            let now = db::now();
            let recorded = q::decide(
                conn,
                case.id,
                &NewDecision {
                    decision: input.decision.as_str(),
                    reason_code: input.reason_code.as_deref(),
                    note: input.note.as_deref(),
                    duplicate_of_id: input.duplicate_of,
                    decided_by: actor.user_id,
                    now,
                    publish,
                },
            )?;
            if !recorded {
                let current = q::find_case(conn, case.id)?.ok_or_else(AppError::not_found)?;
                return Err(state_conflict(&current));
            }
            audit_case(
                conn,
                Some(actor.user_id),
                case.id,
                if publish {
                    "decided"
                } else {
                    "decision_recorded"
                },
                Some(input.decision.as_str()),
                input.note.as_deref(),
            )?;
            if publish {
                let case = q::find_case(conn, case.id)?.ok_or_else(AppError::not_found)?;
                apply_in(conn, actor.user_id, &case, now)?;
            }
            outcome_in(conn, &row, case.id, now)
        })
        .await?;
    search.wake();
    Ok(outcome)
}

/// The outcome of the decision just recorded on `case_id`.
fn outcome_in(
    conn: &mut DbConn,
    row: &initiatives::InitiativeRow,
    case_id: i64,
    now: NaiveDateTime,
) -> Result<DecisionOutcome, AppError> {
    let decided = q::find_case(conn, case_id)?.ok_or_else(AppError::not_found)?;
    let next = q::latest_case(conn, row.id)?.filter(|c| c.id != case_id);
    let stages = q::stages(conn, row.program_id)?;
    let mut names = HashMap::new();
    for id in [
        decided.committee_id,
        next.as_ref().and_then(|c| c.committee_id),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(c) = q::find_committee(conn, id)? {
            names.insert(id, c.name);
        }
    }
    let status = initiatives::find(conn, row.id)?
        .ok_or_else(AppError::not_found)?
        .status;
    Ok(DecisionOutcome {
        initiative_id: row.id,
        status,
        case: case_view(&decided, &stages, &names, now),
        next_case: next.map(|c| case_view(&c, &stages, &names, now)),
    })
}

/// Makes a published decision take effect on the initiative: the next stage, or approved,
/// rejected, returned, or marked duplicate — recorded on its timeline (authors learn now).
fn apply_in(
    conn: &mut DbConn,
    actor_id: i64,
    case: &CaseRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let decision = case
        .decision
        .as_deref()
        .and_then(Decision::parse)
        .ok_or_else(|| AppError::unexpected("a published case without a decision"))?;
    let id = case.initiative_id;
    let stages = q::stages(conn, case.program_id)?;
    let stage = stages.iter().find(|s| s.id == case.stage_id);
    let note = case.decision_note.as_deref();
    match decision {
        Decision::Approve => {
            let position = stage.map_or(i32::MAX, |s| s.position);
            if let Some(next) = stages.iter().find(|s| s.position > position) {
                mark_under_review(conn, id, now)?;
                let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
                record(
                    conn,
                    actor_id,
                    id,
                    "stage_approved",
                    Some(row.status.as_str()),
                    Some(row.status.as_str()),
                    Some(&format!(
                        "{}: thông qua; chuyển sang \"{}\".",
                        stage.map_or("", |s| s.name.as_str()),
                        next.name
                    )),
                )?;
                open_case(conn, &row, next, now)?;
            } else {
                move_initiative(
                    conn,
                    Some(actor_id),
                    id,
                    InitiativeStatus::Approved,
                    "approved",
                    note,
                    now,
                )?;
            }
        }
        Decision::Reject => {
            let reason = case
                .reason_code
                .as_deref()
                .and_then(reason_label)
                .unwrap_or("");
            let comment = match note {
                Some(n) if !n.is_empty() => format!("{reason}. {n}"),
                _ => reason.to_owned(),
            };
            move_initiative(
                conn,
                Some(actor_id),
                id,
                InitiativeStatus::Rejected,
                "rejected",
                Some(&comment),
                now,
            )?;
        }
        Decision::Return => move_initiative(
            conn,
            Some(actor_id),
            id,
            InitiativeStatus::Returned,
            "returned",
            note,
            now,
        )?,
        Decision::Duplicate => {
            let other = match case.duplicate_of_id {
                Some(o) => initiatives::find(conn, o)?,
                None => None,
            };
            // The comment reaches the authors (history, email) and whoever reads this
            // initiative: it names the earlier one only when its title is open to anyone.
            let note = note.map(|n| format!(" {n}")).unwrap_or_default();
            let comment = match other {
                None => String::new(),
                Some(o) => {
                    let status = InitiativeStatus::from_stored(&o.status)?;
                    if crate::domain::initiative::title_is_open(status, o.confidential) {
                        format!(
                            "Trùng lặp với sáng kiến {} \"{}\".{note}",
                            o.receipt_no.unwrap_or_else(|| format!("#{}", o.id)),
                            o.title,
                        )
                    } else {
                        format!("Trùng lặp với một sáng kiến bảo mật đã nộp trước.{note}")
                    }
                }
            };
            move_initiative(
                conn,
                Some(actor_id),
                id,
                InitiativeStatus::Duplicate,
                "duplicate",
                Some(&comment),
                now,
            )?;
        }
    }
    Ok(())
}

/// Which pending decisions a publication covers: always said explicitly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishScope {
    /// Every pending decision of the committee.
    All,
    /// Only the pending decisions of these initiatives (at least one).
    Only(Vec<i64>),
}

impl PublishScope {
    fn covers(&self, initiative_id: i64) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.contains(&initiative_id),
        }
    }
}

/// Publishes a committee's pending decisions in `scope`: the chair or whoever manages the
/// committee. Returns how many were published.
pub async fn publish(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    committee_id: i64,
    scope: PublishScope,
) -> Result<usize, AppError> {
    if scope == PublishScope::Only(Vec::new()) {
        return Err(AppError::field(
            "initiative_ids",
            "Chọn quyết định cần công bố.",
        ));
    }
    let actor = actor.clone();
    let n = db
        .write(move |conn| {
            let (c, membership, manages) = committee_for(conn, &actor, committee_id)?;
            if membership != Some(true) && !manages {
                return Err(AppError::forbidden()
                    .with_message("Chỉ chủ tịch hội đồng mới được công bố quyết định."));
            }
            let now = db::now();
            let mut n = 0;
            for case in q::pending_of(conn, committee_id)? {
                if !scope.covers(case.initiative_id) {
                    continue;
                }
                if q::publish(conn, case.id, actor.user_id, now)? {
                    apply_in(conn, actor.user_id, &case, now)?;
                    audit_case(conn, Some(actor.user_id), case.id, "published", None, None)?;
                    n += 1;
                }
            }
            audit_program(
                conn,
                &actor,
                c.program_id,
                "decisions_published",
                Some(&format!("{n} — {}", c.name)),
            )?;
            Ok(n)
        })
        .await?;
    search.wake();
    Ok(n)
}

/// Withdraws a pending decision so that the case is open again (chair or manager).
pub async fn withdraw(db: &Db, actor: &Actor, initiative_id: i64) -> Result<ReviewView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let case = current_case(conn, initiative_id)?;
        let committee_id = case.committee_id.ok_or_else(AppError::forbidden)?;
        let (_, membership, manages) = committee_for(conn, &actor, committee_id)?;
        if membership != Some(true) && !manages {
            return Err(AppError::forbidden());
        }
        if !q::withdraw(conn, case.id)? {
            return Err(state_conflict(&case));
        }
        audit_case(
            conn,
            Some(actor.user_id),
            case.id,
            "decision_withdrawn",
            Some("open"),
            None,
        )?;
        review_in(conn, &actor, initiative_id)
    })
    .await
}
