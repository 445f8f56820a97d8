//! Users and role grants over HTTP.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use crate::domain::text;
use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service::input::users::{
    CreateGrant, CreateUser, UpdateUser, UserQuery, parse_create, parse_update,
};
use crate::service::users::{GrantInput, GrantView, UserDetail, UserView};
use crate::service::{self, Page, PageRequest};
use crate::state::AppState;

/// Users the caller may see.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(UserQuery),
    responses((status = 200, body = Page<UserView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, description = "the union filtered on does not exist", body = ErrorBody)))]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    id: Identity,
    query: web::Query<UserQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let text = q.q.map(|t| text::clean_line(&t)).filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(AppError::field("q", "Tối đa 100 ký tự."));
    }
    let page = PageRequest {
        page: q.page,
        per_page: q.per_page,
    };
    let result = service::users::list(&state.db, &id.actor, q.union_id, text, page).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Creates a user in a union of the caller's subtree (officers).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUser,
    responses((status = 201, body = UserDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    id: Identity,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, AppError> {
    let input = parse_create(body.into_inner())?;
    let detail = service::users::create(&state.db, Some(&id.actor), input).await?;
    Ok(HttpResponse::Created().json(detail))
}

/// One user with their roles.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = UserDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/users/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(
        HttpResponse::Ok()
            .json(service::users::get(&state.db, &id.actor, path.into_inner()).await?),
    )
}

/// Changes a user's profile and enables or disables the account (officers of the user's subtree).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = UpdateUser,
    responses((status = 200, body = UserDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<UpdateUser>,
) -> Result<HttpResponse, AppError> {
    let user_id = path.into_inner();
    let b = body.into_inner();
    let changes = parse_update(&b)?;
    let profile = b.full_name.is_some()
        || b.email.is_some()
        || b.phone.is_some()
        || b.member_code.is_some()
        || b.union_id.is_some();
    let mut detail = None;
    if profile {
        detail = Some(service::users::update(&state.db, &id.actor, user_id, changes).await?);
    }
    if let Some(status) = b.status {
        detail = Some(service::users::set_status(&state.db, &id.actor, user_id, status).await?);
    }
    let detail = match detail {
        Some(d) => d,
        None => service::users::get(&state.db, &id.actor, user_id).await?,
    };
    Ok(HttpResponse::Ok().json(detail))
}

/// The roles of a user.
#[utoipa::path(get, path = "/api/v1/users/{id}/roles", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<GrantView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/users/{id}/roles")]
pub async fn roles(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::users::grants(&state.db, &id.actor, path.into_inner()).await?))
}

/// Grants a role over a union's subtree.
#[utoipa::path(post, path = "/api/v1/users/{id}/roles", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CreateGrant,
    responses((status = 201, body = Vec<GrantView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/users/{id}/roles")]
pub async fn grant(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<CreateGrant>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let input = GrantInput {
        role: b.role,
        union_id: b.union_id,
        program_id: b.program_id,
    };
    let grants =
        service::users::grant(&state.db, Some(&id.actor), path.into_inner(), input).await?;
    Ok(HttpResponse::Created().json(grants))
}

/// Revokes a role grant.
#[utoipa::path(delete, path = "/api/v1/users/{id}/roles/{grant_id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path), ("grant_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/users/{id}/roles/{grant_id}")]
pub async fn revoke(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, grant_id) = path.into_inner();
    service::users::revoke(&state.db, &id.actor, user_id, grant_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sends (again) the invitation email to an account without a password (officers).
#[utoipa::path(post, path = "/api/v1/users/{id}/invite", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 202), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/users/{id}/invite")]
pub async fn invite(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    service::users::invite(&state.db, &id.actor, path.into_inner()).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Everything stored about a user but their password (a request for their data made on
/// paper), as a JSON download: officers who manage the user; recorded in the audit log.
#[utoipa::path(get, path = "/api/v1/users/{id}/personal-data", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the export: profile, roles, initiatives, reviews, emails, sessions, audit entries", content_type = "application/json"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/users/{id}/personal-data")]
pub async fn personal_data(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let user_id = path.into_inner();
    let export = service::privacy::export(&state.db, &id.actor, user_id).await?;
    crate::routes::download::personal_data(&export, user_id)
}

/// Anonymises a user on request: name, email, member code, phone, password, roles, sessions
/// and emails are removed for good and the account is disabled; their initiatives, reviews
/// and decisions stay and still count. Officers who manage the user; never oneself; audited.
#[utoipa::path(post, path = "/api/v1/users/{id}/anonymise", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204, description = "anonymised"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "oneself, or already anonymised", body = ErrorBody)))]
#[post("/users/{id}/anonymise")]
pub async fn anonymise(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    service::privacy::anonymise(&state.db, &id.actor, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
