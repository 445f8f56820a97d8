//! A union's reports over HTTP: the dashboard's table as XLSX or CSV, and the initiatives of
//! its subtree (a page as JSON, or all of them as a file). Same permission as the dashboard.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;

use crate::error::{AppError, ErrorBody};
use crate::routes::download;
use crate::routes::identity::Identity;
use crate::service;
use crate::service::attainment::{DashboardQuery, SortKey};
use crate::service::export::ExportFormat;
use crate::service::union_initiatives::{StatusGroup, UnionInitiatives, UnionInitiativesQuery};
use crate::state::AppState;

/// What a dashboard export is asked for.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct DashboardExportQuery {
    /// The program.
    pub program_id: i64,
    /// One phase of it (default: the whole program).
    pub phase_id: Option<i64>,
    /// Sort the children by `name`, `submitted`, `approved` or `attainment`.
    pub sort: Option<SortKey>,
    /// `xlsx` (default) or `csv`.
    pub format: Option<ExportFormat>,
    /// Read the tree and figures as they were at the end of this day.
    pub as_of: Option<chrono::NaiveDate>,
}

impl DashboardExportQuery {
    /// The dashboard it exports, and the format.
    pub fn split(self) -> (DashboardQuery, ExportFormat) {
        (
            DashboardQuery {
                program_id: self.program_id,
                phase_id: self.phase_id,
                sort: self.sort,
                as_of: self.as_of,
            },
            self.format.unwrap_or_default(),
        )
    }
}

/// What an export of a union's initiatives is asked for.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct InitiativesExportQuery {
    /// The program.
    pub program_id: i64,
    /// One phase of it (default: the whole program).
    pub phase_id: Option<i64>,
    /// A group of the counting rules: `submitted` (default, all), `under_review`, `approved`,
    /// `rejected`, `duplicate` or `revoked`.
    pub status: Option<StatusGroup>,
    /// `xlsx` (default) or `csv`.
    pub format: Option<ExportFormat>,
}

impl InitiativesExportQuery {
    /// The list it exports, and the format.
    pub fn split(self) -> (UnionInitiativesQuery, ExportFormat) {
        (
            UnionInitiativesQuery {
                program_id: self.program_id,
                phase_id: self.phase_id,
                status: self.status,
                page: None,
                per_page: None,
            },
            self.format.unwrap_or_default(),
        )
    }
}

/// The dashboard's table (the union's line and its children's: counts, quota, attainment) as
/// an Excel workbook or CSV, with a title naming union, program, period and counting rule.
#[utoipa::path(get, path = "/api/v1/unions/{id}/dashboard/export", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path), DashboardExportQuery),
    responses(
        (status = 200, description = "The file, as an attachment",
         content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                 (String = "text/csv; charset=utf-8"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/unions/{id}/dashboard/export")]
pub async fn dashboard_export(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    query: web::Query<DashboardExportQuery>,
) -> Result<HttpResponse, AppError> {
    let (query, format) = query.into_inner().split();
    let file =
        service::attainment_export::export(&state.db, &id.actor, path.into_inner(), query, format)
            .await?;
    Ok(download::attachment(file))
}

/// A page of the initiatives of a union's subtree in a program, newest submitted first,
/// filtered by phase and by a group of the counting rules (the dashboard's drill-down).
/// Confidential initiatives the caller may not read show a placeholder title and no authors.
#[utoipa::path(get, path = "/api/v1/unions/{id}/initiatives", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path), UnionInitiativesQuery),
    responses((status = 200, body = UnionInitiatives), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/unions/{id}/initiatives")]
pub async fn initiatives(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    query: web::Query<UnionInitiativesQuery>,
) -> Result<HttpResponse, AppError> {
    let page = service::union_initiatives::list(
        &state.db,
        &id.actor,
        path.into_inner(),
        query.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Every initiative of the list (at most 100,000) as an Excel workbook or CSV.
#[utoipa::path(get, path = "/api/v1/unions/{id}/initiatives/export", tag = "unions", security(("bearer" = [])),
    params(("id" = i64, Path), InitiativesExportQuery),
    responses(
        (status = 200, description = "The file, as an attachment",
         content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                 (String = "text/csv; charset=utf-8"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/unions/{id}/initiatives/export")]
pub async fn initiatives_export(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
    query: web::Query<InitiativesExportQuery>,
) -> Result<HttpResponse, AppError> {
    let (query, format) = query.into_inner().split();
    let file =
        service::union_initiatives::export(&state.db, &id.actor, path.into_inner(), query, format)
            .await?;
    Ok(download::attachment(file))
}
