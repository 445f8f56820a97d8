//! Administration over HTTP: the audit log, the system's state and a rebuild of the index.

use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::text;
use crate::error::{AppError, ErrorBody, ErrorCode};
use crate::routes::identity::Identity;
use crate::search::RebuildProgress;
use crate::service::audit::{AuditEntry, AuditQuery};
use crate::service::system::SystemView;
use crate::service::{self, Page, PageRequest};
use crate::state::AppState;

/// Filters of the audit log.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// The actor's email or member code.
    pub actor: Option<String>,
    /// The action, e.g. `create`, `move`, `grant_role`, `set_status`.
    pub action: Option<String>,
    /// The kind of object: `union`, `user`, `program`, `initiative`, …
    pub entity_type: Option<String>,
    /// The object's id.
    pub entity_id: Option<i64>,
    /// First day, Vietnam time (YYYY-MM-DD).
    pub from: Option<NaiveDate>,
    /// Last day, Vietnam time (YYYY-MM-DD), inclusive.
    pub to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

fn blank_to_none(v: Option<&str>) -> Option<String> {
    v.map(text::clean_line).filter(|s| !s.is_empty())
}

/// Checks the filters (the API and the page alike).
pub fn audit_query(p: &AuditParams) -> Result<AuditQuery, AppError> {
    let q = AuditQuery {
        actor: blank_to_none(p.actor.as_deref()),
        action: blank_to_none(p.action.as_deref()),
        entity_type: blank_to_none(p.entity_type.as_deref()),
        entity_id: p.entity_id,
        from: p.from,
        to: p.to,
    };
    for (name, v) in [
        ("actor", &q.actor),
        ("action", &q.action),
        ("entity_type", &q.entity_type),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > 100) {
            return Err(AppError::new(ErrorCode::InvalidQuery)
                .with_message("Giá trị lọc quá dài (tối đa 100 ký tự).")
                .with_details(serde_json::json!({"parameter": name})));
        }
    }
    if let (Some(f), Some(t)) = (q.from, q.to)
        && f > t
    {
        return Err(AppError::new(ErrorCode::InvalidQuery)
            .with_message("Ngày bắt đầu phải trước ngày kết thúc.")
            .with_details(serde_json::json!({"parameter": "to"})));
    }
    Ok(q)
}

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
