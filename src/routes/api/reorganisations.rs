//! Reorganisations of the union tree over HTTP: apply (or try) a plan, sent as JSON or as a
//! plan file, list them, read one, and a union's history.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;

use crate::error::{AppError, ErrorBody, ErrorCode};
use crate::routes::identity::Identity;
use crate::routes::upload::organisation::receive;
use crate::service;
use crate::service::input::reorganisations::{ReorganisationBody, parse};
use crate::service::reorganisations::{Plan, ReorganisationView, Report, UnionHistory, plan_file};
use crate::state::AppState;

/// Query of a reorganisation. An unknown parameter (`dryrun=true`) is refused rather than
/// ignored, which would apply what was meant as a trial.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ApplyParams {
    /// Report what the plan would do, and change nothing.
    pub dry_run: Option<bool>,
}

/// The multipart form of a plan file: the file, and what it may leave blank.
#[derive(Debug, utoipa::ToSchema)]
#[expect(
    dead_code,
    reason = "documents the multipart form; the handler reads it part by part"
)]
pub struct PlanUpload {
    /// The plan: XLSX, or CSV in UTF-8 (`,` or `;`), at most 20 MB; one row per operation,
    /// columns `Thao tác`, `Mã đơn vị`, `Mã đơn vị cấp trên mới`, `Mã đơn vị kế thừa`,
    /// `Tên mới`, `Ngày hiệu lực`, `Số quyết định` (or `action`, `code`, `new_parent_code`,
    /// `successor_code`, `new_name`, `effective_on`, `decision`), any case, with or without
    /// diacritics, in any order.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The decision's number, when the file has none.
    decision_no: Option<String>,
    /// The day it takes effect (`2025-07-01` or `01/07/2025`), when the file has none.
    effective_on: Option<String>,
    /// The day the decision was signed.
    decided_on: Option<String>,
    note: Option<String>,
}

/// A plan as the request carries it: JSON operations, or a plan file (multipart).
async fn plan_of(req: &HttpRequest, payload: web::Payload) -> Result<Plan, actix_web::Error> {
    let mut payload = payload.into_inner();
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(req, &mut payload).await?;
        let upload = receive(multipart).await?;
        let given = plan_file::given(&upload.fields)?;
        return Ok(plan_file::read(upload.bytes, given).await?);
    }
    if content_type.is_empty() || content_type.starts_with("application/json") {
        // The app's JSON configuration answers a malformed or oversized body.
        let body = web::Json::<ReorganisationBody>::from_request(req, &mut payload).await?;
        return Ok(parse(&body)?);
    }
    Err(AppError::new(ErrorCode::UnsupportedMediaType)
        .with_message(
            "Gửi phương án dạng JSON (application/json) hoặc tệp bảng tính \
             (multipart/form-data, trường \"file\").",
        )
        .into())
}

/// Applies a reorganisation: a decision and its operations (transfer, dissolve, end, merge,
/// split, rename), as JSON or as a plan file (XLSX or CSV, multipart field `file`), checked
/// whole against the tree and the caller's scope before anything is written. With a bad row
/// (of the file, or against the tree) nothing changes and the answer is 422 `plan_invalid`,
/// whose `details.rows` gives each row's line and reason; a row beyond the caller's scope is
/// 403 `forbidden` with the same `details.rows`. With `dry_run=true` the report is the same
/// and nothing is kept.
#[utoipa::path(post, path = "/api/v1/reorganisations", tag = "unions", security(("bearer" = [])),
    params(ApplyParams),
    request_body(description = "the operations as JSON, or a plan file as multipart/form-data",
        content((ReorganisationBody = "application/json"), (PlanUpload = "multipart/form-data"))),
    responses((status = 200, body = Report, description = "the dry run's report"),
              (status = 201, body = Report, description = "applied"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "forbidden: the caller manages no union, or `details.rows` lists the rows beyond their scope"),
              (status = 413, body = ErrorBody, description = "payload_too_large"),
              (status = 415, body = ErrorBody, description = "not_a_spreadsheet or unsupported_media_type"),
              (status = 422, body = ErrorBody, description = "plan_invalid or spreadsheet_invalid")))]
#[post("/reorganisations")]
pub async fn apply(
    state: web::Data<AppState>,
    id: Identity,
    params: web::Query<ApplyParams>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let plan = plan_of(&req, payload).await?;
    let dry_run = params.dry_run.unwrap_or(false);
    let report = service::reorganisations::apply(&state.db, &id.actor, plan, dry_run).await?;
    Ok(if dry_run {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::Created().json(report)
    })
}

/// Reverts a reorganisation (hủy bỏ): its inverse plan — ended unions restored, moved ones
/// back, renamed ones named back, the unions it created ended again; members, roles,
/// programs, committees, open reviews, quotas and clusters back as they were — applied as a
/// new reorganisation taking effect today, with the same report and permission rules as any
/// plan (403 `forbidden` with `details.rows` beyond the caller's scope). History is kept:
/// the as-of reading of the days between stays that of the reorganised tree. Refused with
/// 409 `invalid_state` and a Vietnamese reason when a later reorganisation changed the same
/// unions (revert it first), when it was already reverted, or when it is itself a revert.
#[utoipa::path(post, path = "/api/v1/reorganisations/{id}/revert", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path), ApplyParams),
    responses((status = 200, body = Report, description = "the dry run's report"),
              (status = 201, body = Report, description = "reverted"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "forbidden: `details.rows` lists the rows beyond the caller's scope"),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "invalid_state: not the latest, already reverted, or a revert"),
              (status = 422, body = ErrorBody, description = "plan_invalid: the inverse plan no longer fits the tree")))]
#[post("/reorganisations/{id}/revert")]
pub async fn revert(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    params: web::Query<ApplyParams>,
) -> Result<HttpResponse, AppError> {
    let dry_run = params.dry_run.unwrap_or(false);
    let report =
        service::reorganisations::revert::revert(&state.db, &id.actor, path.into_inner(), dry_run)
            .await?;
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
