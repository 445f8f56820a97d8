//! The organisation import over HTTP: a spreadsheet uploaded as multipart (field `file`),
//! the report back; `dry_run=true` only validates.

use std::sync::Arc;

use actix_multipart::Multipart;
use actix_web::{HttpResponse, post, web};
use serde::Deserialize;

use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::routes::upload::organisation::receive;
use crate::service;
use crate::service::imports::{ImportKind, ImportReport};
use crate::state::AppState;

/// Query of an import. An unknown parameter (`dryrun=true`) is refused rather than ignored,
/// which would apply what was meant as a trial.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Only validate and report; write nothing.
    pub dry_run: Option<bool>,
}

/// Imports the union tree (`unions`: code, parent code, name, level, cluster, member count)
/// or members (`members`: member code, full name, email, phone, union code) from an XLSX or
/// CSV file, within the caller's subtree. Every row is validated first; with a bad row
/// nothing is written and the answer is 422 `import_rows_invalid` whose details are the
/// report. Re-importing the same file changes nothing.
#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "imports", security(("bearer" = [])),
    params(("kind" = String, Path, description = "`unions` or `members`"), ImportParams),
    request_body(content_type = "multipart/form-data", description = "one part named `file`: XLSX, or CSV in UTF-8 (with or without BOM, `,` or `;`); at most 20 MB"),
    responses((status = 200, body = ImportReport, description = "the report (applied unless dry_run)"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody, description = "not_a_spreadsheet"),
              (status = 422, body = ErrorBody, description = "spreadsheet_invalid or import_rows_invalid")))]
#[post("/imports/{kind}")]
pub async fn import(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<String>,
    params: web::Query<ImportParams>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let kind = ImportKind::parse(&path.into_inner()).ok_or_else(AppError::not_found)?;
    service::imports::authorize(&id.actor)?;
    let upload = receive(payload).await?;
    let bytes = Arc::new(upload.bytes);
    let report = if params.dry_run.unwrap_or(false) {
        service::imports::preview(&state.db, &id.actor, kind, bytes).await?
    } else {
        service::imports::import(&state.db, &id.actor, kind, bytes).await?
    };
    Ok(HttpResponse::Ok().json(report))
}
