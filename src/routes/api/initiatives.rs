//! Initiatives over HTTP: drafts, updates with optimistic locking, submission, reading.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, patch, post, web};

use super::body::OptionalJson;
use super::{IdempotencyKey, answer};
use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service::initiatives::{HistoryEntry, InitiativeSummary, InitiativeView, ListQuery};
use crate::service::input::initiatives::{
    CreateInitiative, InitiativeQuery, SubmitBody, UpdateInitiative, parse,
};
use crate::service::{self, Page, PageRequest};
use crate::state::AppState;

/// Initiatives the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/initiatives", tag = "initiatives", security(("bearer" = [])),
    params(InitiativeQuery),
    responses((status = 200, body = Page<InitiativeSummary>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, description = "the union or program filtered on does not exist", body = ErrorBody)))]
#[get("/initiatives")]
pub async fn list(
    state: web::Data<AppState>,
    id: Identity,
    query: web::Query<InitiativeQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let page = PageRequest {
        page: q.page,
        per_page: q.per_page,
    };
    let filter = ListQuery {
        program_id: q.program_id,
        phase_id: q.phase_id,
        field_id: q.field_id,
        union_id: q.union_id,
        status: q.status,
        author_id: q.author_id,
    };
    Ok(HttpResponse::Ok()
        .json(service::initiatives::list(&state.db, &id.actor, filter, page).await?))
}

/// Starts a draft for the caller's union. With an `Idempotency-Key`, a retry of the same
/// request answers with the draft made the first time (marked `Idempotency-Replayed`).
#[utoipa::path(post, path = "/api/v1/initiatives", tag = "initiatives", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header,
            description = "Any unique value (a UUID): a retry with the same key and body is answered as the first request was, for 24 hours")),
    request_body = CreateInitiative,
    responses((status = 201, body = InitiativeView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, description = "invalid content, program not open, or idempotency_key_reused", body = ErrorBody)))]
#[post("/initiatives")]
pub async fn create(
    state: web::Data<AppState>,
    id: Identity,
    key: IdempotencyKey,
    body: web::Json<CreateInitiative>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let request = key.request("POST /api/v1/initiatives", &b);
    let input = parse(b.content)?;
    let done =
        service::initiatives::create_keyed(&state.db, &id.actor, b.program_id, input, request)
            .await?;
    Ok(answer(done, StatusCode::CREATED))
}

/// One initiative.
#[utoipa::path(get, path = "/api/v1/initiatives/{id}", tag = "initiatives", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = InitiativeView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/initiatives/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::initiatives::get(&state.db, &id.actor, path.into_inner()).await?))
}

/// Saves changes to a draft or a returned initiative (the submitting author).
#[utoipa::path(patch, path = "/api/v1/initiatives/{id}", tag = "initiatives", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = UpdateInitiative,
    responses((status = 200, body = InitiativeView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "stale version or not editable", body = ErrorBody)))]
#[patch("/initiatives/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<UpdateInitiative>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let input = parse(b.content)?;
    let view =
        service::initiatives::update(&state.db, &id.actor, path.into_inner(), b.version, input)
            .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Submits a complete draft within an open phase; gives it a receipt number. With an
/// `Idempotency-Key`, a retry of the same request answers as the first submission did.
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/submit", tag = "initiatives", security(("bearer" = [])),
    params(("id" = i64, Path),
           ("Idempotency-Key" = Option<String>, Header,
            description = "Any unique value (a UUID): a retry with the same key and body is answered as the first request was, for 24 hours")),
    request_body(content = Option<SubmitBody>),
    responses((status = 200, body = InitiativeView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "version_conflict, invalid_state, duplicate_submission, or coauthors_pending (invitations to co-author not yet answered)", body = ErrorBody),
              (status = 422, description = "phase_closed, program_not_open, incomplete_initiative or idempotency_key_reused", body = ErrorBody)))]
#[post("/initiatives/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    id: Identity,
    key: IdempotencyKey,
    path: web::Path<i64>,
    body: OptionalJson<SubmitBody>,
) -> Result<HttpResponse, AppError> {
    let initiative = path.into_inner();
    let body = body.into_inner().unwrap_or_default();
    let request = key.request(
        &format!("POST /api/v1/initiatives/{initiative}/submit"),
        &body,
    );
    let done = service::initiatives::submit_keyed(
        &state.db,
        &state.search,
        &id.actor,
        initiative,
        body.version,
        request,
    )
    .await?;
    Ok(answer(done, StatusCode::OK))
}

/// The history of an initiative (the audit log), oldest first.
#[utoipa::path(get, path = "/api/v1/initiatives/{id}/history", tag = "initiatives", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/initiatives/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::initiatives::history(&state.db, &id.actor, path.into_inner()).await?))
}
