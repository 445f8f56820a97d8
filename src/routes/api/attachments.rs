//! Attachments over HTTP: multipart upload with a size limit, listing, download.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::routes::upload::attachment::{receive, send};
use crate::service;
use crate::service::attachments::AttachmentView;
use crate::state::AppState;

/// The attachments of an initiative.
#[utoipa::path(get, path = "/api/v1/initiatives/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/initiatives/{id}/attachments")]
pub async fn list(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::attachments::list(&state.db, &id.actor, path.into_inner()).await?))
}

/// Uploads one file (multipart field `file`) to a draft or returned initiative.
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "one part named `file`"),
    responses((status = 201, body = AttachmentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
#[post("/initiatives/{id}/attachments")]
pub async fn upload(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let view = receive(&state, &id.actor, path.into_inner(), payload).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Downloads an attachment (to those who may see its initiative).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the file, as an attachment", content_type = "application/octet-stream"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/attachments/{id}")]
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    send(&req, &state, &id.actor, path.into_inner()).await
}
