//! Use cases on programs (chương trình), their phases (đợt) and fields (lĩnh vực).
//!
//! Calls `review::install_defaults` one way: a new program gets its default review stages.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde::Serialize;

use crate::db::programs::{self, FieldRow, NewProgram, PhaseRow, ProgramChanges, ProgramRow};
use crate::db::{self, Db, DbConn, audit, outbox, unions};
use crate::domain::program::{eligibility_change_refusal, phase_change_refusal};
use crate::domain::{Action, Actor, PhaseWindow, ProgramStatus, Resource, UnionPath, can};
use crate::error::{AppError, ErrorCode};
use crate::service::shared::program::{load_managed, owner_path, status_of};

/// A phase as clients see it (times in UTC; pages show Asia/Ho_Chi_Minh).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhaseView {
    pub id: i64,
    pub name: String,
    pub position: i32,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Whether the phase accepts submissions right now.
    pub open_now: bool,
}

impl From<PhaseRow> for PhaseView {
    fn from(p: PhaseRow) -> Self {
        let now = db::now();
        Self {
            id: p.id,
            name: p.name,
            position: p.position,
            opens_at: p.opens_at.and_utc(),
            closes_at: p.closes_at.and_utc(),
            open_now: p.opens_at <= now && now < p.closes_at,
        }
    }
}

/// A field (lĩnh vực).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldView {
    pub id: i64,
    pub code: String,
    pub name: String,
}

impl From<FieldRow> for FieldView {
    fn from(f: FieldRow) -> Self {
        Self {
            id: f.id,
            code: f.code,
            name: f.name,
        }
    }
}

/// A program with its phases and fields.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgramView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    /// The union whose subtree takes part.
    pub owner_union_id: i64,
    /// First date an initiative may have been applied (inclusive).
    pub applied_from: Option<NaiveDate>,
    /// Last date an initiative may have been applied (inclusive).
    pub applied_to: Option<NaiveDate>,
    /// The program's overall target of approved initiatives.
    pub target_count: Option<i64>,
    pub status: ProgramStatus,
    /// The status's Vietnamese name.
    pub status_name: &'static str,
    pub phases: Vec<PhaseView>,
    pub fields: Vec<FieldView>,
}

/// A validated phase.
#[derive(Debug, Clone)]
pub struct PhaseInput {
    pub name: String,
    pub window: PhaseWindow,
}

/// A validated field.
#[derive(Debug, Clone)]
pub struct FieldInput {
    pub code: String,
    pub name: String,
}

/// A validated new program.
#[derive(Debug, Clone)]
pub struct NewProgramInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub owner_union_id: i64,
    pub applied_from: Option<NaiveDate>,
    pub applied_to: Option<NaiveDate>,
    pub target_count: Option<i64>,
    pub phases: Vec<PhaseInput>,
    pub fields: Vec<FieldInput>,
}

/// Validated changes to a program (absent: unchanged).
#[derive(Debug, Clone, Default)]
pub struct ProgramChangesInput {
    pub name: Option<String>,
    /// A new owning union (only while the program is a draft).
    pub owner_union_id: Option<i64>,
    pub description: Option<String>,
    pub applied_from: Option<Option<NaiveDate>>,
    pub applied_to: Option<Option<NaiveDate>>,
    pub target_count: Option<Option<i64>>,
}

/// The program with its phases and fields.
pub fn view(conn: &mut DbConn, row: ProgramRow) -> Result<ProgramView, AppError> {
    let phases = programs::phases(conn, row.id)?;
    let fields = programs::fields(conn, row.id)?;
    let status = status_of(&row)?;
    Ok(ProgramView {
        id: row.id,
        code: row.code,
        name: row.name,
        description: row.description,
        owner_union_id: row.owner_union_id,
        applied_from: row.applied_from,
        applied_to: row.applied_to,
        target_count: row.target_count,
        status,
        status_name: status.label(),
        phases: phases.into_iter().map(PhaseView::from).collect(),
        fields: fields.into_iter().map(FieldView::from).collect(),
    })
}

/// Refuses (404 or 403, as `load_managed`) unless the actor manages the program `program_id`.
pub async fn require_managed(db: &Db, actor: &Actor, program_id: i64) -> Result<(), AppError> {
    let actor = actor.clone();
    db.read(move |conn| load_managed(conn, &actor, program_id).map(|_| ()))
        .await
}

/// A refused change to a running program's rules, with the reason and the field.
fn rule_refused(field: &str, reason: &str) -> AppError {
    AppError::new(ErrorCode::RuleChangeRefused)
        .with_message(reason)
        .with_details(serde_json::json!({"field": field, "reason": reason}))
}

fn check_phases(existing: &[PhaseWindow], new: &PhaseWindow) -> Result<(), AppError> {
    if existing.iter().any(|w| w.overlaps(new)) {
        return Err(AppError::field(
            "phases",
            "Thời gian các đợt không được chồng lên nhau.",
        ));
    }
    Ok(())
}

/// Creates a program (in draft) with its phases and fields.
#[tracing::instrument(skip_all, fields(actor = actor.map(|a| a.user_id)))]
pub async fn create(
    db: &Db,
    actor: Option<&Actor>,
    input: NewProgramInput,
) -> Result<ProgramView, AppError> {
    let actor = actor.cloned();
    db.write(move |conn| create_in(conn, actor.as_ref(), &input))
        .await
}

/// Creates a program inside an open transaction (`actor` `None`: the seeder).
pub fn create_in(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    input: &NewProgramInput,
) -> Result<ProgramView, AppError> {
    let owner = unions::find(conn, input.owner_union_id)?
        .ok_or_else(|| AppError::field("owner_union_id", "Không tìm thấy công đoàn."))?;
    let path = UnionPath::from_stored(owner.path.clone());
    if let Some(actor) = actor
        && !can(
            actor,
            Action::ManageProgram,
            Resource::Program {
                owner_path: &path,
                status: ProgramStatus::Draft,
            },
        )
    {
        return Err(AppError::forbidden());
    }
    if programs::find_by_code(conn, &input.code)?.is_some() {
        return Err(AppError::new(ErrorCode::AlreadyExists)
            .with_message("Mã chương trình đã được sử dụng.")
            .with_details(serde_json::json!({"fields": {"code": "Mã đã tồn tại."}})));
    }
    let mut windows: Vec<PhaseWindow> = Vec::new();
    for p in &input.phases {
        check_phases(&windows, &p.window)?;
        windows.push(p.window);
    }
    let now = db::now();
    let row = programs::insert(
        conn,
        &NewProgram {
            code: &input.code,
            name: &input.name,
            description: &input.description,
            owner_union_id: owner.id,
            applied_from: input.applied_from,
            applied_to: input.applied_to,
            target_count: input.target_count,
            status: ProgramStatus::Draft.as_str(),
            created_at: now,
            updated_at: now,
        },
    )?;
    let mut sorted: Vec<&PhaseInput> = input.phases.iter().collect();
    sorted.sort_by_key(|p| p.window.opens_at);
    for (i, p) in sorted.into_iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        programs::insert_phase(
            conn,
            row.id,
            &p.name,
            position,
            p.window.opens_at,
            p.window.closes_at,
        )?;
    }
    for f in &input.fields {
        programs::insert_field(conn, row.id, &f.code, &f.name)?;
    }
    crate::service::review::install_defaults(conn, row.id, owner.level, now)?;
    record(conn, actor, row.id, "create", None, Some("draft"), now)?;
    view(conn, row)
}

fn record(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: i64,
    action: &str,
    from: Option<&str>,
    to: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    audit::record(
        conn,
        &audit::NewAudit {
            actor_id: actor.map(|a| a.user_id),
            entity_type: "program",
            entity_id: id,
            action,
            from_state: from,
            to_state: to,
            comment: None,
            created_at: now,
        },
    )?;
    outbox::append(
        conn,
        &format!("program.{action}"),
        "program",
        id,
        &serde_json::json!({"status": to}),
        now,
    )?;
    Ok(())
}

/// Changes a program's name, description, eligibility window or target.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, program = id))]
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    changes: ProgramChangesInput,
) -> Result<ProgramView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = load_managed(conn, &actor, id)?;
        let now = db::now();
        let name = changes.name.unwrap_or(row.name.clone());
        let description = changes.description.unwrap_or(row.description.clone());
        let applied_from = changes.applied_from.unwrap_or(row.applied_from);
        let applied_to = changes.applied_to.unwrap_or(row.applied_to);
        if let (Some(f), Some(t)) = (applied_from, applied_to)
            && f > t
        {
            return Err(AppError::field(
                "applied_to",
                "Ngày kết thúc phải sau ngày bắt đầu.",
            ));
        }
        let status = status_of(&row)?;
        if status.has_run()
            && let Some(reason) = eligibility_change_refusal(
                (row.applied_from, row.applied_to),
                (applied_from, applied_to),
            )
        {
            return Err(rule_refused("applied_from", reason));
        }
        let owner_union_id = match changes.owner_union_id {
            Some(owner) if owner != row.owner_union_id => {
                if status.has_run() {
                    return Err(rule_refused(
                        "owner_union_id",
                        "Chương trình đã diễn ra: không thể đổi đơn vị phát động, vì phạm vi tham gia và chỉ tiêu đã được tính theo đơn vị này.",
                    ));
                }
                let new_owner = unions::find(conn, owner)?
                    .ok_or_else(|| AppError::field("owner_union_id", "Không tìm thấy công đoàn."))?;
                let new_path = UnionPath::from_stored(new_owner.path);
                if !can(
                    &actor,
                    Action::ManageProgram,
                    Resource::Program {
                        owner_path: &new_path,
                        status,
                    },
                ) {
                    return Err(AppError::field(
                        "owner_union_id",
                        "Bạn không quản trị chương trình ở đơn vị này.",
                    ));
                }
                owner
            }
            _ => row.owner_union_id,
        };
        programs::update(
            conn,
            id,
            &ProgramChanges {
                name: &name,
                owner_union_id,
                description: &description,
                applied_from,
                applied_to,
                target_count: changes.target_count.unwrap_or(row.target_count),
                updated_at: now,
            },
        )?;
        record(conn, Some(&actor), id, "update", None, None, now)?;
        let row = programs::find(conn, id)?.ok_or_else(AppError::not_found)?;
        view(conn, row)
    })
    .await
}

/// Adds a phase to a program.
pub async fn add_phase(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: PhaseInput,
) -> Result<ProgramView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = load_managed(conn, &actor, id)?;
        let existing = programs::phases(conn, id)?;
        let windows: Vec<PhaseWindow> = existing
            .iter()
            .filter_map(|p| PhaseWindow::new(p.opens_at, p.closes_at))
            .collect();
        check_phases(&windows, &input.window)?;
        if status_of(&row)?.has_run()
            && let Some(reason) = phase_change_refusal(db::now(), None, &input.window)
        {
            return Err(rule_refused("phase", reason));
        }
        let position = i32::try_from(existing.len() + 1).unwrap_or(i32::MAX);
        programs::insert_phase(
            conn,
            id,
            &input.name,
            position,
            input.window.opens_at,
            input.window.closes_at,
        )?;
        record(conn, Some(&actor), id, "phase_added", None, None, db::now())?;
        view(conn, row)
    })
    .await
}

/// Changes a phase's name and window.
pub async fn update_phase(
    db: &Db,
    actor: &Actor,
    id: i64,
    phase_id: i64,
    input: PhaseInput,
) -> Result<ProgramView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = load_managed(conn, &actor, id)?;
        let existing = programs::phases(conn, id)?;
        let Some(old) = existing.iter().find(|p| p.id == phase_id) else {
            return Err(AppError::not_found());
        };
        // Times are entered to the minute: an instant stored with seconds (by the seeder or
        // an import) that is sent back unchanged keeps its exact stored value.
        let mut input = input;
        let same_minute = |stored: NaiveDateTime, sent: NaiveDateTime| {
            stored.with_second(0).and_then(|t| t.with_nanosecond(0)) == Some(sent)
        };
        if same_minute(old.opens_at, input.window.opens_at) {
            input.window.opens_at = old.opens_at;
        }
        if same_minute(old.closes_at, input.window.closes_at) {
            input.window.closes_at = old.closes_at;
        }
        if status_of(&row)?.has_run()
            && let Some(reason) = phase_change_refusal(
                db::now(),
                PhaseWindow::new(old.opens_at, old.closes_at).as_ref(),
                &input.window,
            )
        {
            return Err(rule_refused("phase", reason));
        }
        let others: Vec<PhaseWindow> = existing
            .iter()
            .filter(|p| p.id != phase_id)
            .filter_map(|p| PhaseWindow::new(p.opens_at, p.closes_at))
            .collect();
        check_phases(&others, &input.window)?;
        programs::update_phase(
            conn,
            phase_id,
            &input.name,
            input.window.opens_at,
            input.window.closes_at,
        )?;
        record(
            conn,
            Some(&actor),
            id,
            "phase_updated",
            None,
            None,
            db::now(),
        )?;
        view(conn, row)
    })
    .await
}

/// Adds a field to a program.
pub async fn add_field(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: FieldInput,
) -> Result<ProgramView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = load_managed(conn, &actor, id)?;
        if programs::fields(conn, id)?
            .iter()
            .any(|f| f.code == input.code)
        {
            return Err(AppError::new(ErrorCode::AlreadyExists)
                .with_message("Mã lĩnh vực đã có trong chương trình."));
        }
        programs::insert_field(conn, id, &input.code, &input.name)?;
        record(conn, Some(&actor), id, "field_added", None, None, db::now())?;
        view(conn, row)
    })
    .await
}

/// Renames a field of a program (its code, which imports and links use, stays).
pub async fn rename_field(
    db: &Db,
    actor: &Actor,
    id: i64,
    field_id: i64,
    name: String,
) -> Result<ProgramView, AppError> {
    let name = crate::domain::text::clean_line(&name);
    crate::domain::text::NAME
        .check(&name)
        .map_err(|e| AppError::field("name", e))?;
    let actor = actor.clone();
    db.write(move |conn| {
        let row = load_managed(conn, &actor, id)?;
        let Some(old) = programs::fields(conn, id)?
            .into_iter()
            .find(|f| f.id == field_id)
        else {
            return Err(AppError::not_found());
        };
        programs::rename_field(conn, field_id, &name)?;
        record(
            conn,
            Some(&actor),
            id,
            "field_renamed",
            Some(&old.name),
            Some(&name),
            db::now(),
        )?;
        view(conn, row)
    })
    .await
}

/// Removes a field no initiative names; one that is used can only be renamed.
pub async fn remove_field(
    db: &Db,
    actor: &Actor,
    id: i64,
    field_id: i64,
) -> Result<ProgramView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = load_managed(conn, &actor, id)?;
        let Some(old) = programs::fields(conn, id)?
            .into_iter()
            .find(|f| f.id == field_id)
        else {
            return Err(AppError::not_found());
        };
        if programs::field_uses(conn, field_id)? > 0 {
            return Err(rule_refused(
                "field",
                "Đã có sáng kiến thuộc lĩnh vực này nên không xoá được (có thể đổi tên).",
            ));
        }
        programs::delete_field(conn, field_id)?;
        record(
            conn,
            Some(&actor),
            id,
            "field_removed",
            Some(&old.name),
            None,
            db::now(),
        )?;
        view(conn, row)
    })
    .await
}

/// Removes a phase that no initiative or quota names and that has not begun on a program
/// that has run.
pub async fn remove_phase(
    db: &Db,
    actor: &Actor,
    id: i64,
    phase_id: i64,
) -> Result<ProgramView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = load_managed(conn, &actor, id)?;
        let Some(old) = programs::phases(conn, id)?
            .into_iter()
            .find(|p| p.id == phase_id)
        else {
            return Err(AppError::not_found());
        };
        if status_of(&row)?.has_run() && old.opens_at <= db::now() {
            return Err(rule_refused(
                "phase",
                "Đợt đã bắt đầu nên không xoá được: các sáng kiến và quyết định đã theo đợt này.",
            ));
        }
        if programs::phase_uses(conn, phase_id)? > 0 {
            return Err(rule_refused(
                "phase",
                "Đã có sáng kiến hoặc chỉ tiêu theo đợt này nên không xoá được.",
            ));
        }
        programs::delete_phase(conn, id, phase_id)?;
        record(
            conn,
            Some(&actor),
            id,
            "phase_removed",
            Some(&old.name),
            None,
            db::now(),
        )?;
        view(conn, row)
    })
    .await
}

/// Opens (or reopens) a program for submissions.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, program = id))]
pub async fn open(db: &Db, actor: &Actor, id: i64) -> Result<ProgramView, AppError> {
    change_status(db, actor, id, ProgramStatus::Open).await
}

/// Closes a program for submissions.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, program = id))]
pub async fn close(db: &Db, actor: &Actor, id: i64) -> Result<ProgramView, AppError> {
    change_status(db, actor, id, ProgramStatus::Closed).await
}

/// Archives a closed program: kept for the record, hidden from members' lists.
#[tracing::instrument(skip_all, fields(actor = actor.user_id, program = id))]
pub async fn archive(db: &Db, actor: &Actor, id: i64) -> Result<ProgramView, AppError> {
    change_status(db, actor, id, ProgramStatus::Archived).await
}

async fn change_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    to: ProgramStatus,
) -> Result<ProgramView, AppError> {
    let actor = actor.clone();
    db.write(move |conn| set_status_in(conn, Some(&actor), id, to))
        .await
}

/// Changes a program's status inside an open transaction.
pub fn set_status_in(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: i64,
    to: ProgramStatus,
) -> Result<ProgramView, AppError> {
    let row = match actor {
        Some(a) => load_managed(conn, a, id)?,
        None => programs::find(conn, id)?.ok_or_else(AppError::not_found)?,
    };
    let from = status_of(&row)?;
    let allowed = match to {
        ProgramStatus::Open => from.can_open(),
        ProgramStatus::Closed => from.can_close(),
        ProgramStatus::Archived => from.can_archive(),
        ProgramStatus::Draft => false,
    };
    if !allowed {
        return Err(AppError::new(ErrorCode::InvalidState)
            .with_message(format!(
                "Chương trình đang ở trạng thái \"{}\".",
                from.label()
            ))
            .with_details(serde_json::json!({"status": from})));
    }
    if to == ProgramStatus::Open && programs::phases(conn, id)?.is_empty() {
        return Err(AppError::new(ErrorCode::InvalidState)
            .with_message("Cần có ít nhất một đợt trước khi mở chương trình."));
    }
    if to == ProgramStatus::Open && actor.is_some() {
        let missing: Vec<ChecklistItem> = checklist_in(conn, &row)?
            .into_iter()
            .filter(|i| i.required && !i.done)
            .collect();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|i| i.label.as_str()).collect();
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message(format!(
                    "Chưa thể mở chương trình: {}.",
                    names.join("; ")
                ))
                .with_details(serde_json::json!({"missing": missing.iter().map(|i| i.code).collect::<Vec<_>>()})));
        }
    }
    let now = db::now();
    programs::set_status(conn, id, to.as_str(), now)?;
    record(
        conn,
        actor,
        id,
        match to {
            ProgramStatus::Open => "opened",
            ProgramStatus::Archived => "archived",
            _ => "closed",
        },
        Some(from.as_str()),
        Some(to.as_str()),
        now,
    )?;
    let row = programs::find(conn, id)?.ok_or_else(AppError::not_found)?;
    view(conn, row)
}

/// Programs the actor may see.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<ProgramView>, AppError> {
    where_actor_may(db, actor, Action::ViewProgram).await
}

/// One program.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<ProgramView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let row = programs::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let path = owner_path(conn, &row)?;
        let status = status_of(&row)?;
        if !can(
            &actor,
            Action::ViewProgram,
            Resource::Program {
                owner_path: &path,
                status,
            },
        ) {
            return Err(AppError::not_found());
        }
        view(conn, row)
    })
    .await
}

/// One line of the checklist before a program can open.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChecklistItem {
    /// Stable code: `name`, `description`, `phase`, `future_phase`, `eligibility`, `fields`,
    /// `stages`, `rubric`.
    pub code: &'static str,
    /// What it asks for, in Vietnamese.
    pub label: String,
    /// Is it there?
    pub done: bool,
    /// Must it be there before the program opens (otherwise: recommended)?
    pub required: bool,
}

fn checklist_in(conn: &mut DbConn, row: &ProgramRow) -> Result<Vec<ChecklistItem>, AppError> {
    let phases = programs::phases(conn, row.id)?;
    let fields = programs::fields(conn, row.id)?;
    let stages = db::review::stages(conn, row.id)?;
    let criteria = db::review::criteria(conn, row.id)?;
    let now = db::now();
    let item = |code, label: &str, done, required| ChecklistItem {
        code,
        label: label.to_owned(),
        done,
        required,
    };
    Ok(vec![
        item(
            "name",
            "Tên chương trình",
            !row.name.trim().is_empty(),
            true,
        ),
        item(
            "description",
            "Mô tả (thể lệ, đối tượng, cách tính)",
            !row.description.trim().is_empty(),
            false,
        ),
        item(
            "phase",
            "Ít nhất một đợt với thời điểm bắt đầu và kết thúc",
            !phases.is_empty(),
            true,
        ),
        item(
            "future_phase",
            "Một đợt chưa kết thúc (còn nhận sáng kiến)",
            phases.iter().any(|p| p.closes_at > now),
            true,
        ),
        item(
            "eligibility",
            "Khoảng ngày áp dụng lần đầu được chấp nhận",
            row.applied_from.is_some() || row.applied_to.is_some(),
            false,
        ),
        item("fields", "Danh sách lĩnh vực", !fields.is_empty(), false),
        item("stages", "Các vòng xét duyệt", !stages.is_empty(), true),
        item("rubric", "Tiêu chí chấm điểm", !criteria.is_empty(), true),
    ])
}

/// What is done and what is missing before the program can open (its administrators).
pub async fn checklist(db: &Db, actor: &Actor, id: i64) -> Result<Vec<ChecklistItem>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let row = load_managed(conn, &actor, id)?;
        checklist_in(conn, &row)
    })
    .await
}

/// The programs the actor administers (drafts included), newest first.
pub async fn managed(db: &Db, actor: &Actor) -> Result<Vec<ProgramView>, AppError> {
    where_actor_may(db, actor, Action::ManageProgram).await
}

/// The programs on which `actor` may do `action`, as the list shows them.
async fn where_actor_may(
    db: &Db,
    actor: &Actor,
    action: Action,
) -> Result<Vec<ProgramView>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let mut out = Vec::new();
        for row in programs::list(conn)? {
            let path = owner_path(conn, &row)?;
            let status = status_of(&row)?;
            if can(
                &actor,
                action,
                Resource::Program {
                    owner_path: &path,
                    status,
                },
            ) {
                out.push(view(conn, row)?);
            }
        }
        Ok(out)
    })
    .await
}
