//! Programs, phases and fields over HTTP.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};

use crate::domain::text;
use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::input::Checker;
use crate::service::input::programs::{
    CreateProgram, FieldBody, FieldRename, PhaseBody, UpdateProgram, check_target, field,
    parse_create, phase,
};
use crate::service::programs::{ChecklistItem, ProgramChangesInput, ProgramView};
use crate::state::AppState;

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
