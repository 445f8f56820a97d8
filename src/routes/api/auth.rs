//! Sign-in and out, sessions, the password, and the current user.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorBody};
use crate::routes::client_of;
use crate::routes::identity::Identity;
use crate::service;
use crate::service::auth::{SessionInfo, TokenResponse};
use crate::service::users::UserDetail;
use crate::state::AppState;

/// Credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    /// Email or member code.
    pub login: String,
    pub password: String,
}

/// Signs in with an email or member code and a password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 400, body = ErrorBody),
              (status = 401, description = "wrong login or password", body = ErrorBody),
              (status = 403, description = "the right password, but the account may not sign in: `account_disabled`, or `union_inactive` (its union, or one above it, has stopped operating)", body = ErrorBody),
              (status = 429, description = "too many failed sign-ins for this login or from this address; see Retry-After", body = ErrorBody,
               headers(("Retry-After" = i64, description = "seconds to wait")))))]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    if body.login.trim().is_empty()
        || body.login.len() > 320
        || body.password.is_empty()
        || body.password.len() > 1024
    {
        return Err(AppError::new(crate::error::ErrorCode::InvalidCredentials));
    }
    let token = service::auth::login(
        &state.db,
        &state.keys,
        &state.settings.auth,
        body.login,
        body.password,
        &client_of(&req),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(token))
}

/// The signed-in user with their roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserDetail), (status = 401, body = ErrorBody)))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, id: Identity) -> Result<HttpResponse, AppError> {
    let detail = service::users::get(&state.db, &id.actor, id.user.id).await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Signs out: ends the session of the token presented.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "the token no longer works"), (status = 401, body = ErrorBody)))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, id: Identity) -> Result<HttpResponse, AppError> {
    service::auth::sign_out(&state.db, id.user.id, id.session_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's live sessions, newest first.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [SessionInfo]), (status = 401, body = ErrorBody)))]
#[get("/me/sessions")]
pub async fn sessions(state: web::Data<AppState>, id: Identity) -> Result<HttpResponse, AppError> {
    let list =
        service::auth::sessions_of(&state.db, &state.settings.auth, id.user.id, &id.session_id)
            .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(list))
}

/// Ends one of the caller's sessions (another device, or this one).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{session_id}", tag = "auth", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "the session's id")),
    responses((status = 204, description = "ended"), (status = 401, body = ErrorBody),
              (status = 404, description = "no live session of the caller has this id", body = ErrorBody)))]
#[delete("/me/sessions/{session_id}")]
pub async fn end_session(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let session_id = path.into_inner();
    if session_id.len() > 64 {
        return Err(AppError::not_found());
    }
    service::auth::sign_out(&state.db, id.user.id, session_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How many sessions were ended.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Revoked {
    /// Sessions ended.
    pub revoked: usize,
}

/// Signs out everywhere: ends every session of the caller, this one included.
#[utoipa::path(post, path = "/api/v1/me/sessions/revoke-all", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Revoked), (status = 401, body = ErrorBody)))]
#[post("/me/sessions/revoke-all")]
pub async fn end_all_sessions(
    state: web::Data<AppState>,
    id: Identity,
) -> Result<HttpResponse, AppError> {
    let revoked = service::auth::sign_out_everywhere(&state.db, id.user.id).await?;
    Ok(HttpResponse::Ok().json(Revoked { revoked }))
}

/// A password change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    /// The password now.
    pub current_password: String,
    /// The new password (8–128 characters).
    pub new_password: String,
}

/// Changes the caller's password; their other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204, description = "changed; other sessions ended"),
              (status = 400, description = "the current password is wrong or the new one too weak", body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 429, description = "too many wrong current passwords", body = ErrorBody,
               headers(("Retry-After" = i64, description = "seconds to wait")))))]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    id: Identity,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    if body.current_password.is_empty() || body.current_password.len() > 1024 {
        return Err(AppError::bad_field(
            "current_password",
            "Mật khẩu hiện tại không đúng.",
        ));
    }
    service::auth::change_password(
        &state.db,
        &state.settings.auth,
        id.user.id,
        id.session_id,
        body.current_password,
        body.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends every session of a user (an officer over the user's union, or a system
/// administrator): a lost phone, a shared computer.
#[utoipa::path(post, path = "/api/v1/users/{id}/sessions/revoke", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "the user")),
    responses((status = 200, body = Revoked), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/users/{id}/sessions/revoke")]
pub async fn revoke_user_sessions(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let revoked =
        service::auth::revoke_sessions_of(&state.db, &id.actor, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Revoked { revoked }))
}

/// Everything stored about the caller but their password, as a JSON download.
#[utoipa::path(get, path = "/api/v1/me/personal-data", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "the export: profile, roles, initiatives, reviews, emails, sessions, audit entries", content_type = "application/json"),
              (status = 401, body = ErrorBody)))]
#[get("/me/personal-data")]
pub async fn personal_data(
    state: web::Data<AppState>,
    id: Identity,
) -> Result<HttpResponse, AppError> {
    let export = service::privacy::export(&state.db, &id.actor, id.user.id).await?;
    crate::routes::download::personal_data(&export, id.user.id)
}
