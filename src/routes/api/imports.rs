//! The organisation import over HTTP: a spreadsheet uploaded as multipart (field `file`),
//! the report back; `dry_run=true` only validates.

use std::collections::HashMap;
use std::sync::Arc;

use actix_multipart::Multipart;
use actix_web::{HttpResponse, post, web};
use futures_util::TryStreamExt;
use serde::Deserialize;

use crate::error::{AppError, ErrorBody, ErrorCode};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::imports::sheet::MAX_BYTES;
use crate::service::imports::{ImportKind, ImportReport};
use crate::state::AppState;

/// Bytes read and thrown away after an upload went over the limit, so that the client gets
/// the 413 answer instead of a reset connection.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;
/// The largest plain (non-file) field of the form.
const MAX_FIELD: usize = 1_024;
/// The most plain fields kept (the page sends two: the kind and the CSRF token); more are
/// read and thrown away within [`DRAIN_LIMIT`], so that many small fields cannot add up.
const MAX_FIELDS: usize = 16;

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

/// An uploaded import file with the form's other fields.
#[derive(Debug, Default)]
pub struct Upload {
    /// The name the client gave.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Other (small) fields.
    pub fields: HashMap<String, String>,
}

/// Reads a multipart form with one file (`file`, at most 20 MB) and small text fields; shared
/// by the API and the pages.
pub async fn receive(mut payload: Multipart) -> Result<Upload, AppError> {
    let mut upload = Upload::default();
    let mut got_file = false;
    let mut too_large = false;
    let mut drained = 0usize;
    while let Some(mut field) = payload.try_next().await.map_err(bad_multipart)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" && !got_file && !too_large {
            got_file = true;
            upload.file_name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename().map(crate::domain::text::clean_line))
                .unwrap_or_default();
            while let Some(chunk) = field.try_next().await.map_err(bad_multipart)? {
                if too_large || upload.bytes.len() + chunk.len() > MAX_BYTES {
                    too_large = true;
                    drained += chunk.len();
                    if drained > DRAIN_LIMIT {
                        break;
                    }
                    continue;
                }
                upload.bytes.extend_from_slice(&chunk);
            }
            continue;
        }
        // Every byte of a plain field counts: kept (small, few) or thrown away (bounded).
        let keep = upload.fields.len() < MAX_FIELDS;
        let mut value = Vec::new();
        while let Some(chunk) = field.try_next().await.map_err(bad_multipart)? {
            if keep && value.len() + chunk.len() <= MAX_FIELD {
                value.extend_from_slice(&chunk);
            } else {
                drained += chunk.len();
            }
            if drained > DRAIN_LIMIT {
                return Err(AppError::new(ErrorCode::PayloadTooLarge));
            }
        }
        if keep {
            upload
                .fields
                .insert(name, String::from_utf8_lossy(&value).into_owned());
        }
    }
    if too_large {
        return Err(AppError::new(ErrorCode::PayloadTooLarge)
            .with_message(format!(
                "Tệp quá lớn: mỗi lần nhập tối đa {} MB.",
                MAX_BYTES / (1024 * 1024)
            ))
            .with_details(serde_json::json!({ "max_bytes": MAX_BYTES })));
    }
    if !got_file {
        return Err(AppError::field(
            "file",
            "Cần chọn một tệp bảng tính để tải lên (trường \"file\").",
        ));
    }
    Ok(upload)
}

fn bad_multipart(e: actix_multipart::MultipartError) -> AppError {
    AppError::new(ErrorCode::ValidationFailed)
        .with_message("Dữ liệu tải lên không đúng định dạng multipart/form-data.")
        .with_details(serde_json::json!({ "reason": e.to_string() }))
}
