//! Reorganisations of the union tree over HTTP: apply (or try) a plan, list them, read one,
//! and a union's history.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;

use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::input::reorganisations::{ReorganisationBody, parse};
use crate::service::reorganisations::{ReorganisationView, Report, UnionHistory};
use crate::state::AppState;

/// Query of a reorganisation. An unknown parameter (`dryrun=true`) is refused rather than
/// ignored, which would apply what was meant as a trial.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ApplyParams {
    /// Report what the plan would do, and change nothing.
    pub dry_run: Option<bool>,
}

/// Applies a reorganisation: a decision and its operations (transfer, dissolve, end, merge,
/// split, rename), checked whole against the tree and the caller's scope before anything is
/// written. With a bad row nothing changes and the answer is 422 `plan_invalid`, whose
/// `details.rows` gives each row's line and reason; a row beyond the caller's scope is 403
/// `forbidden` with the same `details.rows`. With `dry_run=true` the report is the
/// same and nothing is kept.
#[utoipa::path(post, path = "/api/v1/reorganisations", tag = "unions", security(("bearer" = [])),
    params(ApplyParams), request_body = ReorganisationBody,
    responses((status = 200, body = Report, description = "the dry run's report"),
              (status = 201, body = Report, description = "applied"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "forbidden: the caller manages no union, or `details.rows` lists the rows beyond their scope"),
              (status = 422, body = ErrorBody, description = "plan_invalid")))]
#[post("/reorganisations")]
pub async fn apply(
    state: web::Data<AppState>,
    id: Identity,
    params: web::Query<ApplyParams>,
    body: web::Json<ReorganisationBody>,
) -> Result<HttpResponse, AppError> {
    let plan = parse(&body)?;
    let dry_run = params.dry_run.unwrap_or(false);
    let report = service::reorganisations::apply(&state.db, &id.actor, plan, dry_run).await?;
    Ok(if dry_run {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::Created().json(report)
    })
}

/// A page of the list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// The reorganisations the caller may read (those issued by a union they oversee, or above a
/// union they are an officer of), the latest effective first.
#[utoipa::path(get, path = "/api/v1/reorganisations", tag = "unions", security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, body = Vec<ReorganisationView>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
#[get("/reorganisations")]
pub async fn list(
    state: web::Data<AppState>,
    id: Identity,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let page = params.page.unwrap_or(1);
    let per_page = params.per_page.unwrap_or(50);
    if !(1..=1_000_000).contains(&page) {
        return Err(AppError::bad_field("page", "Trang từ 1 đến 1.000.000."));
    }
    if !(1..=200).contains(&per_page) {
        return Err(AppError::bad_field(
            "per_page",
            "Mỗi trang từ 1 đến 200 dòng.",
        ));
    }
    Ok(HttpResponse::Ok()
        .json(service::reorganisations::list(&state.db, &id.actor, page, per_page).await?))
}

/// One reorganisation with its report.
#[utoipa::path(get, path = "/api/v1/reorganisations/{id}", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ReorganisationView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
#[get("/reorganisations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::reorganisations::get(&state.db, &id.actor, path.into_inner()).await?))
}

/// A union's history (Lịch sử tổ chức): its versions over time, predecessors and successors.
#[utoipa::path(get, path = "/api/v1/unions/{id}/history", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = UnionHistory), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/unions/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(service::reorganisations::history(&state.db, &id.actor, path.into_inner()).await?))
}
