//! Email over the API: password reset by email (asking and using the signed link), an
//! invitation's link, the caller's mail preferences, unsubscribing by a digest's link, and
//! the administrators' outbox with retry of a failed email.

use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;

use crate::auth::LinkPurpose;
use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::PageRequest;
use crate::service::mail::{LinkHolder, MailPreferences, MailView, OutboxView};
use crate::state::AppState;

/// Asking for a password-reset email.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordResetRequest {
    /// Email or member code.
    pub login: String,
}

/// Sends a password-reset email when the account exists and has an address. The answer is
/// 202 either way (it does not tell whether an account exists); at most one email per account
/// every ten minutes.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = PasswordResetRequest,
    responses((status = 202, description = "accepted (whether or not the account exists)"),
              (status = 400, body = ErrorBody)))]
#[post("/auth/password-reset")]
pub async fn request_reset(
    state: web::Data<AppState>,
    body: web::Json<PasswordResetRequest>,
) -> Result<HttpResponse, AppError> {
    service::mail::request_password_reset(&state.db, body.into_inner().login).await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({})))
}

/// A new password through a signed link from an email.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SetPasswordRequest {
    /// The `t` parameter of the emailed link.
    pub token: String,
    /// The new password (8–128 characters).
    pub password: String,
}

/// Sets a new password with a password-reset link (single use, valid 60 minutes).
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth", request_body = SetPasswordRequest,
    responses((status = 200, body = LinkHolder),
              (status = 400, description = "invalid_link: malformed, expired or already used; validation_failed: weak password", body = ErrorBody)))]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_reset(
    state: web::Data<AppState>,
    body: web::Json<SetPasswordRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let holder = service::mail::set_password_by_link(
        &state.db,
        &state.keys,
        body.token,
        LinkPurpose::PasswordReset,
        body.password,
    )
    .await?;
    Ok(HttpResponse::Ok().json(holder))
}

/// Sets the first password of an imported account with its invitation link (single use,
/// valid 14 days).
#[utoipa::path(post, path = "/api/v1/auth/invitation/accept", tag = "auth", request_body = SetPasswordRequest,
    responses((status = 200, body = LinkHolder),
              (status = 400, description = "invalid_link or validation_failed", body = ErrorBody)))]
#[post("/auth/invitation/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    body: web::Json<SetPasswordRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let holder = service::mail::set_password_by_link(
        &state.db,
        &state.keys,
        body.token,
        LinkPurpose::Invitation,
        body.password,
    )
    .await?;
    Ok(HttpResponse::Ok().json(holder))
}

/// A digest's unsubscribe link.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UnsubscribeRequest {
    /// The `t` parameter of the link.
    pub token: String,
}

/// Turns digests off with the signed link of a digest (no sign-in).
#[utoipa::path(post, path = "/api/v1/mail/unsubscribe", tag = "mail", request_body = UnsubscribeRequest,
    responses((status = 204), (status = 400, description = "invalid_link", body = ErrorBody)))]
#[post("/mail/unsubscribe")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    body: web::Json<UnsubscribeRequest>,
) -> Result<HttpResponse, AppError> {
    service::mail::unsubscribe(&state.db, &state.keys, body.into_inner().token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's mail preferences.
#[utoipa::path(get, path = "/api/v1/me/mail-preferences", tag = "mail", security(("bearer" = [])),
    responses((status = 200, body = MailPreferences), (status = 401, body = ErrorBody)))]
#[get("/me/mail-preferences")]
pub async fn preferences(
    state: web::Data<AppState>,
    id: Identity,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(service::mail::preferences(&state.db, &id.actor).await?))
}

/// Changes the caller's mail preferences.
#[utoipa::path(put, path = "/api/v1/me/mail-preferences", tag = "mail", security(("bearer" = [])),
    request_body = MailPreferences,
    responses((status = 200, body = MailPreferences), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[put("/me/mail-preferences")]
pub async fn set_preferences(
    state: web::Data<AppState>,
    id: Identity,
    body: web::Json<MailPreferences>,
) -> Result<HttpResponse, AppError> {
    let prefs = service::mail::set_preferences(&state.db, &id.actor, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(prefs))
}

/// Filters of the outbox.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct OutboxQuery {
    /// `pending`, `sending`, `sent` or `failed`; all when absent.
    pub status: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// The mail outbox, newest first, with the number in each status: system administrators.
#[utoipa::path(get, path = "/api/v1/admin/mail", tag = "mail", security(("bearer" = [])),
    params(OutboxQuery),
    responses((status = 200, body = OutboxView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/admin/mail")]
pub async fn outbox(
    state: web::Data<AppState>,
    id: Identity,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let view = service::mail::outbox(
        &state.db,
        &id.actor,
        q.status.filter(|s| !s.is_empty()),
        PageRequest {
            page: q.page,
            per_page: q.per_page,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Puts a failed email back to be sent (fresh attempts): system administrators; 409
/// `invalid_state` unless it had failed.
#[utoipa::path(post, path = "/api/v1/admin/mail/{id}/retry", tag = "mail", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = MailView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/admin/mail/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let view = service::mail::retry(&state.db, &id.actor, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}
