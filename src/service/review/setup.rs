//! A program's review set-up: stages, rubric, committees and their members.

use super::{
    common::{audit_program, committee_for, committee_view, manages, program_for, rubric_in},
    routing::{fill_committee_in, route_waiting_in, store_rubric},
    views::{CommitteeInput, CommitteeView, RubricView, StageInput, StageView},
};
use crate::db::review::{self as q};
use crate::db::{self, Db, audit, unions, users};
use crate::domain::review::{Aggregation, Criterion, check_rubric};
use crate::domain::{Action, Actor, Resource, Role, UnionKind, UnionPath, can};
use crate::error::{AppError, ErrorCode};

/// The stages of a program.
pub async fn stages(db: &Db, actor: &Actor, program_id: i64) -> Result<Vec<StageView>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        program_for(conn, &actor, program_id)?;
        Ok(q::stages(conn, program_id)?
            .iter()
            .map(StageView::from)
            .collect())
    })
    .await
}

/// Adds a stage (at the end, or at `position` while no initiative has entered review).
pub async fn add_stage(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    input: StageInput,
) -> Result<Vec<StageView>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        crate::service::shared::program::load_managed(conn, &actor, program_id)?;
        let existing = q::stages(conn, program_id)?;
        if existing.len() >= 10 {
            return Err(AppError::field("position", "Tối đa 10 vòng xét duyệt."));
        }
        let end = i32::try_from(existing.len() + 1).unwrap_or(i32::MAX);
        let position = input.position.unwrap_or(end).clamp(1, end);
        if position < end && q::program_case_count(conn, program_id)? > 0 {
            return Err(AppError::new(ErrorCode::InvalidState).with_message(
                "Đã có sáng kiến đang xét: chỉ có thể thêm vòng mới vào cuối quy trình.",
            ));
        }
        let now = db::now();
        let id = q::insert_stage(conn, program_id, end + 100, &input.settings(), now)?;
        let mut order: Vec<i64> = existing.iter().map(|s| s.id).collect();
        order.insert(usize::try_from(position - 1).unwrap_or(0), id);
        q::reorder_stages(conn, program_id, &order)?;
        audit_program(conn, &actor, program_id, "stage_added", Some(&input.name))?;
        Ok(q::stages(conn, program_id)?
            .iter()
            .map(StageView::from)
            .collect())
    })
    .await
}

/// Changes a stage's settings; its level cannot change once initiatives have entered it.
pub async fn update_stage(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    stage_id: i64,
    input: StageInput,
) -> Result<Vec<StageView>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        crate::service::shared::program::load_managed(conn, &actor, program_id)?;
        let stage = q::find_stage(conn, stage_id)?
            .filter(|s| s.program_id == program_id)
            .ok_or_else(AppError::not_found)?;
        if stage.union_level != input.union_level.as_i32()
            && q::stage_case_count(conn, stage_id)? > 0
        {
            return Err(AppError::new(ErrorCode::InvalidState).with_message(
                "Đã có sáng kiến ở vòng này: không thể đổi cấp công đoàn xét duyệt.",
            ));
        }
        q::update_stage(conn, stage_id, &input.settings())?;
        audit_program(conn, &actor, program_id, "stage_updated", Some(&input.name))?;
        Ok(q::stages(conn, program_id)?
            .iter()
            .map(StageView::from)
            .collect())
    })
    .await
}

/// Removes a stage that no initiative has entered and no committee serves.
pub async fn delete_stage(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    stage_id: i64,
) -> Result<Vec<StageView>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        crate::service::shared::program::load_managed(conn, &actor, program_id)?;
        let stages = q::stages(conn, program_id)?;
        let stage = stages
            .iter()
            .find(|s| s.id == stage_id)
            .ok_or_else(AppError::not_found)?
            .clone();
        if stages.len() == 1 {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Chương trình cần ít nhất một vòng xét duyệt."));
        }
        if q::stage_case_count(conn, stage_id)? > 0
            || !q::stage_committees(conn, stage_id)?.is_empty()
        {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Vòng này đã có hội đồng hoặc sáng kiến: không thể xoá."));
        }
        q::delete_stage(conn, stage_id)?;
        let order: Vec<i64> = stages
            .iter()
            .filter(|s| s.id != stage_id)
            .map(|s| s.id)
            .collect();
        q::reorder_stages(conn, program_id, &order)?;
        audit_program(conn, &actor, program_id, "stage_removed", Some(&stage.name))?;
        Ok(q::stages(conn, program_id)?
            .iter()
            .map(StageView::from)
            .collect())
    })
    .await
}

/// A program's rubric.
pub async fn rubric(db: &Db, actor: &Actor, program_id: i64) -> Result<RubricView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        program_for(conn, &actor, program_id)?;
        rubric_in(conn, program_id)
    })
    .await
}

/// Replaces a program's rubric, until the first review is scored.
pub async fn set_rubric(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    criteria: Vec<Criterion>,
    aggregation: Aggregation,
) -> Result<RubricView, AppError> {
    check_rubric(&criteria).map_err(|fields| {
        AppError::new(ErrorCode::ValidationFailed)
            .with_details(serde_json::json!({ "fields": fields }))
    })?;
    let actor = actor.clone();
    db.write(move |conn| {
        crate::service::shared::program::load_managed(conn, &actor, program_id)?;
        if q::program_has_scores(conn, program_id)? {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Đã có phiếu chấm theo bảng tiêu chí này: không thể thay đổi."));
        }
        store_rubric(conn, program_id, &criteria, aggregation)?;
        audit_program(conn, &actor, program_id, "rubric_changed", None)?;
        rubric_in(conn, program_id)
    })
    .await
}

/// The committees of a program the actor manages or sits on (all of them for the program's
/// administrators).
pub async fn committees(
    db: &Db,
    actor: &Actor,
    program_id: i64,
) -> Result<Vec<CommitteeView>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        program_for(conn, &actor, program_id)?;
        let mut out = Vec::new();
        for c in q::committees_of_program(conn, program_id)? {
            let sits = q::membership(conn, c.id, actor.user_id)?.is_some();
            if sits || manages(conn, &actor, &c)? {
                out.push(committee_view(conn, c)?);
            }
        }
        Ok(out)
    })
    .await
}

/// The committees the actor sits on, across programs.
pub async fn my_committees(db: &Db, actor: &Actor) -> Result<Vec<CommitteeView>, AppError> {
    let user = actor.user_id;
    db.read(move |conn| {
        q::committees_of_user(conn, user)?
            .into_iter()
            .map(|c| committee_view(conn, c))
            .collect()
    })
    .await
}

/// One committee.
pub async fn committee(db: &Db, actor: &Actor, id: i64) -> Result<CommitteeView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (c, _, _) = committee_for(conn, &actor, id)?;
        committee_view(conn, c)
    })
    .await
}

/// Sets up a committee for a stage at a union of the program's tree (at or above the
/// stage's level), and routes waiting initiatives to it.
pub async fn create_committee(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    input: CommitteeInput,
) -> Result<CommitteeView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (program, owner_path) = program_for(conn, &actor, program_id)?;
        let stage = q::find_stage(conn, input.stage_id)?
            .filter(|s| s.program_id == program_id)
            .ok_or_else(|| {
                AppError::field("stage_id", "Vòng xét duyệt không thuộc chương trình.")
            })?;
        let union = unions::find(conn, input.union_id)?
            .ok_or_else(|| AppError::field("union_id", "Không tìm thấy công đoàn."))?;
        let union_path = UnionPath::from_stored(union.path.clone());
        if !owner_path.covers(&union_path) {
            return Err(AppError::field(
                "union_id",
                "Công đoàn không thuộc phạm vi chương trình.",
            ));
        }
        if union.level > stage.union_level {
            return Err(AppError::field(
                "union_id",
                format!(
                    "Vòng \"{}\" do {} xét: chọn công đoàn cấp đó hoặc cấp trên.",
                    stage.name,
                    UnionKind::from_i32(stage.union_level).map_or("", UnionKind::label)
                ),
            ));
        }
        if !can(
            &actor,
            Action::ManageCommittee,
            Resource::Committee {
                owner_path: &owner_path,
                union_path: &union_path,
            },
        ) {
            return Err(AppError::forbidden());
        }
        if q::stage_committees(conn, stage.id)?.contains_key(&union.id) {
            return Err(AppError::new(ErrorCode::AlreadyExists)
                .with_message("Công đoàn này đã có hội đồng cho vòng xét duyệt này."));
        }
        let name = input
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("Hội đồng {} – {}", stage.name, union.name));
        let now = db::now();
        let id = q::insert_committee(conn, program.id, stage.id, union.id, &name, now)?;
        audit_program(conn, &actor, program.id, "committee_created", Some(&name))?;
        route_waiting_in(conn, program.id, &stage, now)?;
        let c = q::find_committee(conn, id)?.ok_or_else(AppError::not_found)?;
        committee_view(conn, c)
    })
    .await
}

/// Adds a member to a committee (or makes them chair); they receive the reviewer role over
/// the committee's union for the program, and open cases lacking reviewers are filled.
pub async fn put_member(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    user_id: i64,
    chair: bool,
) -> Result<CommitteeView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (c, _, manages) = committee_for(conn, &actor, committee_id)?;
        if !manages {
            return Err(AppError::forbidden());
        }
        let user = users::find(conn, user_id)?
            .filter(|u| u.status == "active")
            .ok_or_else(|| {
                AppError::field("user_id", "Không tìm thấy người dùng đang hoạt động.")
            })?;
        let now = db::now();
        q::put_member(conn, committee_id, user.id, chair, now)?;
        users::grant(
            conn,
            user.id,
            Role::Reviewer.as_str(),
            c.union_id,
            Some(c.program_id),
            Some(actor.user_id),
            now,
        )?;
        audit_program(
            conn,
            &actor,
            c.program_id,
            if chair {
                "committee_chair_set"
            } else {
                "committee_member_added"
            },
            Some(&format!("{} → {}", user.full_name, c.name)),
        )?;
        fill_committee_in(conn, &c, now)?;
        committee_view(conn, c)
    })
    .await
}

/// Removes a member: their unscored reviews in open cases go to others.
pub async fn remove_member(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    user_id: i64,
) -> Result<CommitteeView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let (c, _, manages) = committee_for(conn, &actor, committee_id)?;
        if !manages {
            return Err(AppError::forbidden());
        }
        if !q::remove_member(conn, committee_id, user_id)? {
            return Err(AppError::not_found());
        }
        let now = db::now();
        let (cases, _) = q::committee_cases(conn, committee_id, "open", None, 100_000, 0)?;
        for case in &cases {
            q::unassign(conn, case.case_id, user_id)?;
        }
        audit_program(
            conn,
            &actor,
            c.program_id,
            "committee_member_removed",
            Some(&format!("user {user_id} ← {}", c.name)),
        )?;
        fill_committee_in(conn, &c, now)?;
        committee_view(conn, c)
    })
    .await
}

/// Records (or clears) the head (thủ trưởng) of a union, who never reviews its initiatives.
pub async fn set_head(
    db: &Db,
    actor: &Actor,
    union_id: i64,
    user_id: Option<i64>,
) -> Result<(), AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let union = unions::find(conn, union_id)?.ok_or_else(AppError::not_found)?;
        let path = UnionPath::from_stored(union.path.clone());
        if !can(&actor, Action::ManageUnion, Resource::Union { path: &path }) {
            return Err(AppError::forbidden());
        }
        if let Some(u) = user_id {
            let user = users::find(conn, u)?
                .ok_or_else(|| AppError::field("user_id", "Không tìm thấy người dùng."))?;
            // The head belongs to the union or one below it (the page and the API alike).
            let own = unions::find(conn, user.union_id)?.ok_or_else(AppError::not_found)?;
            if !path.covers(&UnionPath::from_stored(own.path)) {
                return Err(AppError::field(
                    "user_id",
                    "Thủ trưởng phải là người thuộc đơn vị này hoặc đơn vị cấp dưới.",
                ));
            }
        }
        unions::set_head(conn, union_id, user_id)?;
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor.user_id),
                entity_type: "union",
                entity_id: union_id,
                action: "head_set",
                from_state: None,
                to_state: None,
                comment: user_id.map(|u| format!("user {u}")).as_deref(),
                created_at: db::now(),
            },
        )?;
        Ok(())
    })
    .await
}
