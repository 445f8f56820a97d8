//! The union tree over HTTP.

use actix_web::{HttpResponse, get, patch, post, put, web};

use crate::domain::text;
use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::attainment::{
    DashboardQuery, DashboardView, LeaderboardQuery, LeaderboardView,
};
use crate::service::input::unions::{
    CreateUnion, MoveUnion, SubtreeQuery, UnionSearch, UpdateUnion, parse_create, parse_update,
};
use crate::service::quotas::{AllocationInput, AllocationQuery, AllocationView, QuotaHistory};
use crate::service::unions::{SubtreeNode, UnionView};
use crate::state::AppState;

/// The root union(s).
#[utoipa::path(get, path = "/api/v1/unions", tag = "unions", security(("bearer" = [])),
    responses((status = 200, body = Vec<UnionView>), (status = 401, body = ErrorBody)))]
#[get("/unions")]
pub async fn roots(state: web::Data<AppState>, id: Identity) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(service::unions::roots_for(&state.db, &id.actor).await?))
}

/// Creates a child union (officers of the parent's subtree).
#[utoipa::path(post, path = "/api/v1/unions", tag = "unions", security(("bearer" = [])),
    request_body = CreateUnion,
    responses((status = 201, body = UnionView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
#[post("/unions")]
pub async fn create(
    state: web::Data<AppState>,
    id: Identity,
    body: web::Json<CreateUnion>,
) -> Result<HttpResponse, AppError> {
    let input = parse_create(&body)?;
    let view = service::unions::create(&state.db, &id.actor, input).await?;
    Ok(HttpResponse::Created().json(view))
}

/// One union.
#[utoipa::path(get, path = "/api/v1/unions/{id}", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = UnionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/unions/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::unions::get(&state.db, &id.actor, path.into_inner()).await?))
}

/// Changes a union.
#[utoipa::path(patch, path = "/api/v1/unions/{id}", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = UpdateUnion,
    responses((status = 200, body = UnionView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "invalid_state: deactivating a union with active children", body = ErrorBody)))]
#[patch("/unions/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<UpdateUnion>,
) -> Result<HttpResponse, AppError> {
    let changes = parse_update(&body)?;
    let view = service::unions::update(&state.db, &id.actor, path.into_inner(), changes).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The direct children of a union.
#[utoipa::path(get, path = "/api/v1/unions/{id}/children", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<UnionView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/unions/{id}/children")]
pub async fn children(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let rows = service::unions::children(&state.db, &id.actor, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// A union's subtree in tree order, each with the members of its own subtree.
#[utoipa::path(get, path = "/api/v1/unions/{id}/subtree", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path), SubtreeQuery),
    responses((status = 200, body = Vec<SubtreeNode>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/unions/{id}/subtree")]
pub async fn subtree(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    query: web::Query<SubtreeQuery>,
) -> Result<HttpResponse, AppError> {
    if query.depth.is_some_and(|d| !(0..=4).contains(&d)) {
        return Err(AppError::field("depth", "Độ sâu phải từ 0 đến 4."));
    }
    let rows =
        service::unions::subtree(&state.db, &id.actor, path.into_inner(), query.depth).await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// A union's attainment in a program: the counts of its subtree by the counting rules, its
/// quota, attainment and pace, and the same for each child (officers of the union and program
/// administrators over it).
#[utoipa::path(get, path = "/api/v1/unions/{id}/dashboard", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path), DashboardQuery),
    responses((status = 200, body = DashboardView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/unions/{id}/dashboard")]
pub async fn dashboard(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        service::attainment::dashboard(&state.db, &id.actor, path.into_inner(), query.into_inner())
            .await?,
    ))
}

/// The allocation of a union's quota among its children in a program (or one phase): the
/// union's quota, each child's, their sum and a warning when it differs, and the latest
/// changes (officers of the union and program administrators over it).
#[utoipa::path(get, path = "/api/v1/unions/{id}/quotas", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path), AllocationQuery),
    responses((status = 200, body = AllocationView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
#[get("/unions/{id}/quotas")]
pub async fn quotas(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    query: web::Query<AllocationQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        service::quotas::allocation(&state.db, &id.actor, path.into_inner(), query.into_inner())
            .await?,
    ))
}

/// The history of allocations of a union's own quota in a program (or one phase), the latest
/// recorded first: each set or removal with what it became, the day it holds from (a dashboard read as
/// of that day or later uses it), who made it and why, in Vietnamese (the same readers as the
/// quota).
#[utoipa::path(get, path = "/api/v1/unions/{id}/quotas/history", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path), AllocationQuery),
    responses((status = 200, body = QuotaHistory), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
#[get("/unions/{id}/quotas/history")]
pub async fn quota_history(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    query: web::Query<AllocationQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        service::quotas::history(&state.db, &id.actor, path.into_inner(), query.into_inner())
            .await?,
    ))
}

/// Sets the quotas of some of a union's children (absolute, or basis points of each child's
/// members counted today; no `kind` removes one), in one transaction, each change audited;
/// answers with the allocation as it now stands.
#[utoipa::path(put, path = "/api/v1/unions/{id}/quotas", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AllocationInput,
    responses((status = 200, body = AllocationView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
#[put("/unions/{id}/quotas")]
pub async fn allocate(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<AllocationInput>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        service::quotas::allocate(&state.db, &id.actor, path.into_inner(), body.into_inner())
            .await?,
    ))
}

/// A quarter's leaderboard among a union's children, cluster by cluster: approvals in the
/// quarter against the quota's share for it; a cluster's first leads only at 100% or more.
#[utoipa::path(get, path = "/api/v1/unions/{id}/leaderboard", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path), LeaderboardQuery),
    responses((status = 200, body = LeaderboardView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/unions/{id}/leaderboard")]
pub async fn leaderboard(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    query: web::Query<LeaderboardQuery>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        service::attainment::leaderboard(
            &state.db,
            &id.actor,
            path.into_inner(),
            query.into_inner(),
        )
        .await?,
    ))
}

/// Moves a union with its subtree under another parent of the same level (officers of both).
#[utoipa::path(post, path = "/api/v1/unions/{id}/move", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = MoveUnion,
    responses((status = 200, body = UnionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/unions/{id}/move")]
pub async fn move_union(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    body: web::Json<MoveUnion>,
) -> Result<HttpResponse, AppError> {
    let view =
        service::unions::move_to(&state.db, &id.actor, path.into_inner(), body.parent_id).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Unions of a managed union's subtree whose name or code contains `q` (at most 50).
#[utoipa::path(get, path = "/api/v1/unions/{id}/search", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path), UnionSearch),
    responses((status = 200, body = Vec<UnionView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/unions/{id}/search")]
pub async fn search(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    query: web::Query<UnionSearch>,
) -> Result<HttpResponse, AppError> {
    let q = text::clean_line(&query.q);
    if q.is_empty() || q.chars().count() > 100 {
        return Err(AppError::field("q", "Nhập từ 1 đến 100 ký tự."));
    }
    let found = service::unions::search(&state.db, &id.actor, path.into_inner(), q).await?;
    Ok(HttpResponse::Ok().json(found))
}
