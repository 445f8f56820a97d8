//! Who reviews what: manual assignment, the reviewer's queue and the chair's board.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::{
    common::{
        audit_case, committee_for, committee_view, conflict_of, current_case, mark_under_review,
        utc,
    },
    views::{
        AssignOutcome, BoardItem, BoardRequest, BoardView, QueueItem, QueueQuery, QueueView,
        ReviewerProgress,
    },
};
use crate::db::review::{self as q};
use crate::db::{self, Db, initiatives, unions};
use crate::domain::Actor;
use crate::domain::review::{AssignmentState, CaseState, Decision};
use crate::error::{AppError, ErrorCode};
use crate::service::{Page, PageRequest};

/// Assigns a member of the committee to review each of the initiatives (chair or manager).
pub async fn assign(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    initiative_ids: Vec<i64>,
    reviewer_id: i64,
) -> Result<Vec<AssignOutcome>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (_, membership, manages) = committee_for(conn, &actor, committee_id)?;
        if membership != Some(true) && !manages {
            return Err(
                AppError::forbidden().with_message("Chỉ chủ tịch hội đồng mới được phân công.")
            );
        }
        if q::membership(conn, committee_id, reviewer_id)?.is_none() {
            return Err(AppError::field(
                "reviewer_id",
                "Người được phân công không thuộc hội đồng.",
            ));
        }
        let now = db::now();
        let mut out = Vec::new();
        for id in initiative_ids {
            let outcome = |result: &str, message: &str| AssignOutcome {
                initiative_id: id,
                result: result.to_owned(),
                message: message.to_owned(),
            };
            let case = q::latest_case(conn, id)?.filter(|c| {
                c.committee_id == Some(committee_id)
                    && CaseState::parse(&c.state) == CaseState::Open
            });
            let Some(case) = case else {
                out.push(outcome(
                    "not_in_committee",
                    "Sáng kiến không đang chờ hội đồng này xét.",
                ));
                continue;
            };
            let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
            let authors: Vec<i64> = initiatives::authors(conn, id)?
                .into_iter()
                .map(|a| a.user_id)
                .collect();
            if let Some((reason, note)) =
                conflict_of(conn, id, row.union_id, &authors, reviewer_id)?
            {
                q::record_conflict(conn, id, reviewer_id, reason.as_str(), note.as_deref(), now)?;
                out.push(outcome("conflict", reason.label()));
                continue;
            }
            if q::assign(conn, case.id, reviewer_id, Some(actor.user_id), now)? {
                audit_case(
                    conn,
                    Some(actor.user_id),
                    case.id,
                    "assigned",
                    Some("assigned"),
                    Some(&format!("reviewer {reviewer_id}")),
                )?;
                crate::service::shared::letters::assigned(conn, id, reviewer_id, case.due_at, now)?;
                mark_under_review(conn, id, now)?;
                out.push(outcome("assigned", "Đã phân công."));
            } else {
                out.push(outcome("already_assigned", "Đã được phân công từ trước."));
            }
        }
        Ok(out)
    })
    .await
}

/// Takes an unscored review away from a reviewer (chair or manager).
pub async fn unassign(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    initiative_id: i64,
    reviewer_id: i64,
) -> Result<(), AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (_, membership, manages) = committee_for(conn, &actor, committee_id)?;
        if membership != Some(true) && !manages {
            return Err(AppError::forbidden());
        }
        let case = current_case(conn, initiative_id)?;
        if case.committee_id != Some(committee_id) || !q::unassign(conn, case.id, reviewer_id)? {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Không có phân công chưa chấm nào để huỷ."));
        }
        audit_case(
            conn,
            Some(actor.user_id),
            case.id,
            "unassigned",
            None,
            Some(&format!("reviewer {reviewer_id}")),
        )?;
        Ok(())
    })
    .await
}

/// The caller's queue: their reviews of open or pending cases, due first, with progress.
pub async fn queue(
    db: &Db,
    actor: &Actor,
    query: QueueQuery,
    page: PageRequest,
) -> Result<QueueView, AppError> {
    let (limit, offset, page, per_page) = page.resolve()?;
    let user = actor.user_id;
    db.read(move |conn| {
        let subtree = match query.union_id {
            Some(u) => Some(
                unions::find(conn, u)?
                    .ok_or_else(|| AppError::field("union_id", "Không tìm thấy công đoàn."))?
                    .path,
            ),
            None => None,
        };
        let filter = q::QueueFilter {
            program_id: query.program_id,
            stage_id: query.stage_id,
            field_id: query.field_id,
            subtree,
            has_duplicates: query.has_duplicates,
            not_scored: query.not_scored,
        };
        let (rows, total, scored) = q::queue(conn, user, &filter, limit, offset)?;
        let now = db::now();
        Ok(QueueView {
            items: rows
                .into_iter()
                .map(|r| {
                    let state = CaseState::parse(&r.state);
                    QueueItem {
                        initiative_id: r.initiative_id,
                        title: r.title,
                        receipt_no: r.receipt_no,
                        union_name: r.union_name,
                        field_name: r.field_name,
                        stage_name: r.stage_name,
                        state,
                        due_at: utc(r.due_at),
                        overdue: state == CaseState::Open && r.due_at < now,
                        scored: AssignmentState::parse(&r.my_state) == AssignmentState::Scored,
                        my_total: r.my_total,
                        duplicate_count: r.duplicate_count,
                    }
                })
                .collect(),
            total,
            scored,
            shown: if query.not_scored {
                total - scored
            } else {
                total
            },
            page,
            per_page,
        })
    })
    .await
}

fn board_item(r: q::BoardRow, now: NaiveDateTime) -> BoardItem {
    let decision = r.decision.as_deref().and_then(Decision::parse);
    BoardItem {
        initiative_id: r.initiative_id,
        title: r.title,
        receipt_no: r.receipt_no,
        union_name: r.union_name,
        due_at: utc(r.due_at),
        overdue: r.state == "open" && r.due_at < now,
        decision,
        decision_name: decision.map(Decision::label),
    }
}

/// The chair's board: progress per reviewer, cases lacking reviewers, pending decisions.
pub async fn board(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    request: BoardRequest,
) -> Result<BoardView, AppError> {
    let (limit, offset, page, per_page) = PageRequest {
        page: request.page,
        per_page: request.per_page,
    }
    .resolve()?;
    let (_, pending_offset, pending_page, _) = PageRequest {
        page: request.pending_page,
        per_page: request.per_page,
    }
    .resolve()
    .map_err(|_| AppError::field("pending_page", "Số trang phải từ 1 trở lên."))?;
    let actor = actor.clone();
    db.read(move |conn| {
        let (c, membership, manages) = committee_for(conn, &actor, committee_id)?;
        if membership != Some(true) && !manages {
            return Err(
                AppError::forbidden().with_message("Bảng điều phối dành cho chủ tịch hội đồng.")
            );
        }
        let stage = q::find_stage(conn, c.stage_id)?.ok_or_else(AppError::not_found)?;
        let counts = q::committee_counts(conn, committee_id)?;
        let progress: HashMap<i64, (i64, i64)> = q::committee_progress(conn, committee_id)?
            .into_iter()
            .map(|(reviewer, assigned, scored)| {
                (reviewer, (i64::from(assigned), i64::from(scored)))
            })
            .collect();
        let committee = committee_view(conn, c)?;
        let reviewers = committee
            .members
            .iter()
            .map(|m| {
                let (assigned, scored) = progress.get(&m.user_id).copied().unwrap_or_default();
                ReviewerProgress {
                    user_id: m.user_id,
                    full_name: m.full_name.clone(),
                    is_chair: m.is_chair,
                    assigned,
                    scored,
                }
            })
            .collect();
        let now = db::now();
        let (rows, total) = q::committee_cases(
            conn,
            committee_id,
            "open",
            Some(stage.reviews_required),
            limit,
            offset,
        )?;
        let (pending_rows, pending_total) =
            q::committee_cases(conn, committee_id, "pending", None, limit, pending_offset)?;
        Ok(BoardView {
            committee,
            reviews_required: stage.reviews_required,
            chair_publishes: stage.chair_publishes,
            open: counts.get("open").copied().unwrap_or(0),
            pending: counts.get("pending").copied().unwrap_or(0),
            reviewers,
            unassigned: Page {
                items: rows.into_iter().map(|r| board_item(r, now)).collect(),
                total,
                page,
                per_page,
            },
            pending_decisions: Page {
                items: pending_rows
                    .into_iter()
                    .map(|r| board_item(r, now))
                    .collect(),
                total: pending_total,
                page: pending_page,
                per_page,
            },
            is_chair: membership == Some(true),
        })
    })
    .await
}
