//! Programs, phases and fields over HTTP.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, DurationRound, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::Deserialize;

use super::{Checker, double_option};
use crate::domain::{PhaseWindow, text};
use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::programs::{
    ChecklistItem, FieldInput, NewProgramInput, PhaseInput, ProgramChangesInput, ProgramView,
};
use crate::state::AppState;

/// A phase: its window, to the minute (any RFC 3339 offset; stored in UTC).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PhaseBody {
    pub name: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// A field (lĩnh vực).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FieldBody {
    pub code: String,
    pub name: String,
}

/// A field's new name (its code stays).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FieldRename {
    pub name: String,
}

/// A new program.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateProgram {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The union whose subtree takes part.
    pub owner_union_id: i64,
    /// Eligibility window for the date an initiative was first applied.
    pub applied_from: Option<NaiveDate>,
    pub applied_to: Option<NaiveDate>,
    pub target_count: Option<i64>,
    #[serde(default)]
    pub phases: Vec<PhaseBody>,
    #[serde(default)]
    pub fields: Vec<FieldBody>,
}

/// Changes to a program (absent: unchanged; `null` clears).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateProgram {
    pub name: Option<String>,
    /// A new owning union (only while the program is a draft).
    pub owner_union_id: Option<i64>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub applied_from: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub applied_to: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub target_count: Option<Option<i64>>,
}

fn minute(t: DateTime<Utc>) -> NaiveDateTime {
    t.duration_trunc(TimeDelta::minutes(1))
        .unwrap_or(t)
        .naive_utc()
}

/// Checks a phase (the API and the page alike).
pub fn phase(c: &mut Checker, field: &str, p: &PhaseBody) -> Option<PhaseInput> {
    let name = c.line(&format!("{field}.name"), &p.name, text::NAME);
    match PhaseWindow::new(minute(p.opens_at), minute(p.closes_at)) {
        Some(window) => Some(PhaseInput { name, window }),
        None => {
            c.fail(
                &format!("{field}.closes_at"),
                "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
            );
            None
        }
    }
}

/// Checks a field (the API and the page alike).
pub fn field(c: &mut Checker, name: &str, f: &FieldBody) -> FieldInput {
    FieldInput {
        code: c.code(&format!("{name}.code"), &f.code),
        name: c.line(&format!("{name}.name"), &f.name, text::NAME),
    }
}

/// Checks a target count.
pub fn check_target(c: &mut Checker, target: Option<i64>) {
    if target.is_some_and(|t| !(0..=100_000_000).contains(&t)) {
        c.fail("target_count", "Chỉ tiêu không hợp lệ.");
    }
}

/// Checks a new program (the API and the page alike).
pub fn parse_create(b: &CreateProgram) -> Result<NewProgramInput, AppError> {
    let mut c = Checker::default();
    let code = c.code("code", &b.code);
    let name = c.line("name", &b.name, text::NAME);
    let description = c.text("description", &b.description, text::DESCRIPTION);
    if let (Some(f), Some(t)) = (b.applied_from, b.applied_to)
        && f > t
    {
        c.fail("applied_to", "Ngày kết thúc phải sau ngày bắt đầu.");
    }
    check_target(&mut c, b.target_count);
    if b.phases.len() > 24 {
        c.fail("phases", "Tối đa 24 đợt.");
    }
    if b.fields.len() > 100 {
        c.fail("fields", "Tối đa 100 lĩnh vực.");
    }
    let phases: Vec<PhaseInput> = b
        .phases
        .iter()
        .enumerate()
        .filter_map(|(i, p)| phase(&mut c, &format!("phases[{i}]"), p))
        .collect();
    let fields: Vec<FieldInput> = b
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| field(&mut c, &format!("fields[{i}]"), f))
        .collect();
    c.finish()?;
    let input = NewProgramInput {
        code,
        name,
        description,
        owner_union_id: b.owner_union_id,
        applied_from: b.applied_from,
        applied_to: b.applied_to,
        target_count: b.target_count,
        phases,
        fields,
    };
    Ok(input)
}

/// Programs the caller may see.
#[utoipa::path(get, path = "/api/v1/programs", tag = "programs", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProgramView>), (status = 401, body = ErrorBody)))]
#[get("/programs")]
pub async fn list(state: web::Data<AppState>, id: Identity) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(service::programs::list(&state.db, &id.actor).await?))
}

/// Creates a program in draft, with phases and fields (program administrators).
#[utoipa::path(post, path = "/api/v1/programs", tag = "programs", security(("bearer" = [])),
    request_body = CreateProgram,
    responses((status = 201, body = ProgramView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/programs")]
pub async fn create(
    state: web::Data<AppState>,
    id: Identity,
    body: web::Json<CreateProgram>,
) -> Result<HttpResponse, AppError> {
    let input = parse_create(&body)?;
    let view = service::programs::create(&state.db, Some(&id.actor), input).await?;
    Ok(HttpResponse::Created().json(view))
}

/// One program with its phases and fields.
#[utoipa::path(get, path = "/api/v1/programs/{id}", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ProgramView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/programs/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::programs::get(&state.db, &id.actor, path.into_inner()).await?))
}

/// Changes a program.
#[utoipa::path(patch, path = "/api/v1/programs/{id}", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = UpdateProgram,
    responses((status = 200, body = ProgramView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "rule_change_refused: the program has started", body = ErrorBody)))]
#[patch("/programs/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<UpdateProgram>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let mut c = Checker::default();
    let changes = ProgramChangesInput {
        name: b.name.map(|n| c.line("name", &n, text::NAME)),
        owner_union_id: b.owner_union_id,
        description: b
            .description
            .map(|d| c.text("description", &d, text::DESCRIPTION)),
        applied_from: b.applied_from,
        applied_to: b.applied_to,
        target_count: b.target_count,
    };
    check_target(&mut c, b.target_count.flatten());
    c.finish()?;
    let view = service::programs::update(&state.db, &id.actor, path.into_inner(), changes).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Adds a phase.
#[utoipa::path(post, path = "/api/v1/programs/{id}/phases", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PhaseBody,
    responses((status = 201, body = ProgramView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "rule_change_refused: a program that has run gets no phase in the past", body = ErrorBody)))]
#[post("/programs/{id}/phases")]
pub async fn add_phase(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<PhaseBody>,
) -> Result<HttpResponse, AppError> {
    let mut c = Checker::default();
    let p = phase(&mut c, "phase", &body);
    c.finish()?;
    let p = p.ok_or_else(|| AppError::field("phase", "Đợt không hợp lệ."))?;
    let view = service::programs::add_phase(&state.db, &id.actor, path.into_inner(), p).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Changes a phase's name and window.
#[utoipa::path(put, path = "/api/v1/programs/{id}/phases/{phase_id}", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path), ("phase_id" = i64, Path)), request_body = PhaseBody,
    responses((status = 200, body = ProgramView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "rule_change_refused: the phase has started", body = ErrorBody)))]
#[put("/programs/{id}/phases/{phase_id}")]
pub async fn update_phase(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<(i64, i64)>,
    body: web::Json<PhaseBody>,
) -> Result<HttpResponse, AppError> {
    let (program_id, phase_id) = path.into_inner();
    let mut c = Checker::default();
    let p = phase(&mut c, "phase", &body);
    c.finish()?;
    let p = p.ok_or_else(|| AppError::field("phase", "Đợt không hợp lệ."))?;
    let view =
        service::programs::update_phase(&state.db, &id.actor, program_id, phase_id, p).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Adds a field.
#[utoipa::path(post, path = "/api/v1/programs/{id}/fields", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = FieldBody,
    responses((status = 201, body = ProgramView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/programs/{id}/fields")]
pub async fn add_field(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<FieldBody>,
) -> Result<HttpResponse, AppError> {
    let mut c = Checker::default();
    let f = field(&mut c, "field", &body);
    c.finish()?;
    let view = service::programs::add_field(&state.db, &id.actor, path.into_inner(), f).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Renames a field.
#[utoipa::path(patch, path = "/api/v1/programs/{id}/fields/{field_id}", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path), ("field_id" = i64, Path)), request_body = FieldRename,
    responses((status = 200, body = ProgramView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[patch("/programs/{id}/fields/{field_id}")]
pub async fn rename_field(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<(i64, i64)>,
    body: web::Json<FieldRename>,
) -> Result<HttpResponse, AppError> {
    let (program_id, field_id) = path.into_inner();
    let body = body.into_inner();
    let view =
        service::programs::rename_field(&state.db, &id.actor, program_id, field_id, body.name)
            .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Removes a field that no initiative names (409 `rule_change_refused` otherwise).
#[utoipa::path(delete, path = "/api/v1/programs/{id}/fields/{field_id}", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path), ("field_id" = i64, Path)),
    responses((status = 200, body = ProgramView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/programs/{id}/fields/{field_id}")]
pub async fn remove_field(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (program_id, field_id) = path.into_inner();
    let view = service::programs::remove_field(&state.db, &id.actor, program_id, field_id).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Removes a phase that no initiative or quota names and that has not begun on a program
/// that has run (409 `rule_change_refused` otherwise).
#[utoipa::path(delete, path = "/api/v1/programs/{id}/phases/{phase_id}", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path), ("phase_id" = i64, Path)),
    responses((status = 200, body = ProgramView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/programs/{id}/phases/{phase_id}")]
pub async fn remove_phase(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (program_id, phase_id) = path.into_inner();
    let view = service::programs::remove_phase(&state.db, &id.actor, program_id, phase_id).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Opens a program for submissions.
#[utoipa::path(post, path = "/api/v1/programs/{id}/open", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ProgramView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/programs/{id}/open")]
pub async fn open(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::programs::open(&state.db, &id.actor, path.into_inner()).await?))
}

/// Closes a program for submissions.
#[utoipa::path(post, path = "/api/v1/programs/{id}/close", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ProgramView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/programs/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::programs::close(&state.db, &id.actor, path.into_inner()).await?))
}

/// Archives a closed program.
#[utoipa::path(post, path = "/api/v1/programs/{id}/archive", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ProgramView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/programs/{id}/archive")]
pub async fn archive(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::programs::archive(&state.db, &id.actor, path.into_inner()).await?))
}

/// What is done and what is missing before the program can open.
#[utoipa::path(get, path = "/api/v1/programs/{id}/checklist", tag = "programs", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ChecklistItem>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
#[get("/programs/{id}/checklist")]
pub async fn checklist(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::programs::checklist(&state.db, &id.actor, path.into_inner()).await?))
}
