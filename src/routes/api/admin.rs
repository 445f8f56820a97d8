//! Administration over HTTP: the audit log, the system's state and a rebuild of the index.

use actix_web::{HttpResponse, get, post, web};

use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::search::RebuildProgress;
use crate::service::audit::AuditEntry;
use crate::service::input::audit::{AuditParams, audit_query};
use crate::service::system::SystemView;
use crate::service::{self, Page, PageRequest};
use crate::state::AppState;

/// The audit log, newest first: everything for system administrators, their subtrees for
/// officers and program administrators.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", security(("bearer" = [])),
    params(AuditParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/audit")]
pub async fn audit(
    state: web::Data<AppState>,
    id: Identity,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, AppError> {
    let q = audit_query(&params)?;
    let page = PageRequest {
        page: params.page,
        per_page: params.per_page,
    };
    Ok(HttpResponse::Ok().json(service::audit::list(&state.db, &id.actor, q, page).await?))
}

/// The effective configuration (secrets redacted), the outbox and index positions, the mail
/// queue and the latest rebuild: system administrators.
#[utoipa::path(get, path = "/api/v1/admin/system", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = SystemView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/admin/system")]
pub async fn system(state: web::Data<AppState>, id: Identity) -> Result<HttpResponse, AppError> {
    let view =
        service::system::status(&state.db, &state.search, &state.settings, &id.actor).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Starts rebuilding the search index from the database; follow it on `GET /admin/system`.
#[utoipa::path(post, path = "/api/v1/admin/reindex", tag = "admin", security(("bearer" = [])),
    responses((status = 202, body = RebuildProgress), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
#[post("/admin/reindex")]
pub async fn reindex(state: web::Data<AppState>, id: Identity) -> Result<HttpResponse, AppError> {
    let p = service::system::start_reindex(&state.db, &state.search, &id.actor).await?;
    Ok(HttpResponse::Accepted().json(p))
}
