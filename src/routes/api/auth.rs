//! Sign-in and the current user.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;

use crate::auth::Identity;
use crate::error::{AppError, ErrorBody};
use crate::service;
use crate::service::auth::TokenResponse;
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
              (status = 403, description = "account disabled", body = ErrorBody)))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    if body.login.trim().is_empty() || body.password.is_empty() || body.password.len() > 1024 {
        return Err(AppError::new(crate::error::ErrorCode::InvalidCredentials));
    }
    let token = service::auth::login(&state.db, &state.keys, body.login, body.password).await?;
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
