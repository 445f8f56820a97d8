//! The officers' organisation import page (`/don-vi/nhap-du-lieu`): upload a spreadsheet, read
//! the report (new, changed and unchanged rows, every bad row with its line), then
//! "Nhập dữ liệu" applies it. The file waits under the data folder in between, tied to the
//! officer, for an hour.

use std::sync::Arc;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Gate, NoFields, SignedInForm};
use super::{Chrome, PageError, Visitor, format, render, see_other};
use crate::error::{AppError, ErrorCode};
use crate::routes::identity::Identity;
use crate::service;
use crate::service::imports::sheet::MAX_BYTES;
use crate::service::imports::{ImportKind, ImportReport, RowChange, RowProblem, pending};
use crate::state::AppState;

/// Where the page lives.
pub const PAGE: &str = "/don-vi/nhap-du-lieu";
/// Rows of errors and changes a page lists at most.
const LISTED: usize = 500;

/// A report ready to show.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub kind_label: &'static str,
    pub rows: String,
    pub new: String,
    pub changed: String,
    pub unchanged: String,
    pub bad_lines: String,
    pub valid: bool,
    pub has_changes: bool,
    pub errors: Vec<RowProblem>,
    pub more_errors: usize,
    pub changes: Vec<RowChange>,
    pub more_changes: usize,
}

impl From<ImportReport> for ReportView {
    fn from(r: ImportReport) -> Self {
        let bad_lines = r
            .errors
            .iter()
            .map(|e| e.line)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let listed_changes = r.new + r.changed;
        let n = |x: usize| format::number(i64::try_from(x).unwrap_or(i64::MAX));
        Self {
            kind_label: r.kind.label(),
            rows: n(r.rows),
            new: n(r.new),
            changed: n(r.changed),
            unchanged: n(r.unchanged),
            bad_lines: n(bad_lines),
            valid: r.is_valid(),
            has_changes: r.has_changes(),
            more_errors: r.errors.len().saturating_sub(LISTED),
            errors: r.errors.into_iter().take(LISTED).collect(),
            more_changes: listed_changes.saturating_sub(LISTED),
            changes: r.changes.into_iter().take(LISTED).collect(),
        }
    }
}

/// The page: the upload form, and the report of the last upload.
#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub notice: Option<(&'static str, String)>,
    /// The kind chosen on the form.
    pub kind: &'static str,
    pub report: Option<ReportView>,
    /// The kept file, when the report may be applied.
    pub token: Option<String>,
    pub file_name: String,
    pub max_mb: usize,
}

fn page(visitor: &Visitor, kind: ImportKind) -> ImportPage {
    ImportPage {
        chrome: Chrome::of(visitor, "import"),
        notice: None,
        kind: kind.as_str(),
        report: None,
        token: None,
        file_name: String::new(),
        max_mb: MAX_BYTES / (1024 * 1024),
    }
}

fn officer(visitor: &Visitor) -> Result<&Identity, PageError> {
    let me = visitor.require()?;
    service::imports::authorize(&me.actor)?;
    Ok(me)
}

/// Query of the page after an import.
#[derive(Debug, Deserialize)]
pub struct Done {
    pub da_nhap: Option<String>,
    pub moi: Option<i64>,
    pub doi: Option<i64>,
    pub giu: Option<i64>,
}

/// `GET /don-vi/nhap-du-lieu`: the upload form.
#[get("/don-vi/nhap-du-lieu")]
pub async fn show(visitor: Visitor, done: web::Query<Done>) -> Result<HttpResponse, PageError> {
    officer(&visitor)?;
    let kind = done
        .da_nhap
        .as_deref()
        .and_then(ImportKind::parse)
        .unwrap_or(ImportKind::Unions);
    let mut p = page(&visitor, kind);
    if done.da_nhap.is_some() {
        p.notice = Some((
            "ok",
            format!(
                "Đã nhập {}: {} mới, {} thay đổi, {} không đổi.",
                kind.label().to_lowercase(),
                format::number(done.moi.unwrap_or(0)),
                format::number(done.doi.unwrap_or(0)),
                format::number(done.giu.unwrap_or(0)),
            ),
        ));
    }
    render(StatusCode::OK, &p)
}

/// Query of an upload (the token travels in the URL: the file is read first).
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    pub csrf: String,
}

fn refused(visitor: &Visitor, kind: ImportKind, e: &AppError) -> Result<HttpResponse, PageError> {
    let mut p = page(visitor, kind);
    let mut message = e.message.clone();
    if let Some(fields) = e
        .details
        .as_ref()
        .and_then(|d| d.get("fields"))
        .and_then(|f| f.as_object())
    {
        for v in fields.values().filter_map(|v| v.as_str()) {
            message = format!("{message} {v}");
        }
    }
    p.notice = Some(("error", message));
    render(e.code.status(), &p)
}

fn is_bad_input(e: &AppError) -> bool {
    matches!(
        e.code,
        ErrorCode::ValidationFailed
            | ErrorCode::PayloadTooLarge
            | ErrorCode::NotASpreadsheet
            | ErrorCode::SpreadsheetInvalid
            | ErrorCode::NotFound
    )
}

/// `POST /don-vi/nhap-du-lieu?csrf=…`: checks the uploaded file and shows the report.
#[post("/don-vi/nhap-du-lieu")]
pub async fn upload(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<UploadQuery>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let me = officer(&visitor)?.clone();
    visitor.check_csrf(&query.csrf)?;
    let upload = match crate::routes::upload::organisation::receive(payload).await {
        Ok(u) => u,
        Err(e) if is_bad_input(&e) => return refused(&visitor, ImportKind::Unions, &e),
        Err(e) => return Err(e.into()),
    };
    let Some(kind) = upload.fields.get("kind").and_then(|k| ImportKind::parse(k)) else {
        return refused(
            &visitor,
            ImportKind::Unions,
            &AppError::field(
                "kind",
                "Chọn loại dữ liệu: cây đơn vị hoặc danh sách đoàn viên.",
            ),
        );
    };
    let bytes = Arc::new(upload.bytes);
    let report = match service::imports::preview(&state.db, &me.actor, kind, bytes.clone()).await {
        Ok(r) => r,
        Err(e) if is_bad_input(&e) => return refused(&visitor, kind, &e),
        Err(e) => return Err(e.into()),
    };
    let token = if report.is_valid() && report.has_changes() {
        let dir = state.settings.data.dir.join("imports");
        let name = upload.file_name.clone();
        let user = me.user.id;
        Some(
            tokio::task::spawn_blocking(move || pending::save(&dir, user, kind, &name, &bytes))
                .await
                .map_err(AppError::internal)??,
        )
    } else {
        None
    };
    let status = if report.is_valid() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut p = page(&visitor, kind);
    p.file_name = upload.file_name;
    p.token = token;
    p.report = Some(report.into());
    render(status, &p)
}

/// Who may import: officers and system administrators (`service::imports::authorize`).
#[derive(Debug)]
pub struct ImportOfficers;

impl Gate for ImportOfficers {
    fn check(me: &Identity) -> Result<(), PageError> {
        service::imports::authorize(&me.actor)?;
        Ok(())
    }
}

/// `POST /don-vi/nhap-du-lieu/{token}`: applies the file checked before (validated again: the
/// data may have changed meanwhile).
#[post("/don-vi/nhap-du-lieu/{token}")]
pub async fn accept(
    state: web::Data<AppState>,
    path: web::Path<String>,
    f: SignedInForm<NoFields, ImportOfficers>,
) -> Result<HttpResponse, PageError> {
    let (visitor, me, NoFields {}) = f.into_parts();
    let token = path.into_inner();
    let dir = state.settings.data.dir.join("imports");
    let user = me.user.id;
    let loaded = {
        let dir = dir.clone();
        let token = token.clone();
        tokio::task::spawn_blocking(move || pending::load(&dir, &token, user))
            .await
            .map_err(AppError::internal)?
    };
    let (info, bytes) = match loaded {
        Ok(x) => x,
        Err(e) => return refused(&visitor, ImportKind::Unions, &e),
    };
    let report = match service::imports::run(
        &state.db,
        &me.actor,
        info.kind,
        Arc::new(bytes),
        false,
    )
    .await
    {
        Ok(r) => r,
        Err(e) if is_bad_input(&e) => return refused(&visitor, info.kind, &e),
        Err(e) => return Err(e.into()),
    };
    if !report.is_valid() {
        let mut p = page(&visitor, info.kind);
        p.file_name = info.file_name;
        p.notice = Some((
            "error",
            "Dữ liệu trong hệ thống đã thay đổi từ lúc kiểm tra nên tệp không còn hợp lệ; chưa nhập dòng nào."
                .to_owned(),
        ));
        p.report = Some(report.into());
        return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    tokio::task::spawn_blocking(move || pending::remove(&dir, &token))
        .await
        .map_err(AppError::internal)?;
    Ok(see_other(&format!(
        "{PAGE}?da_nhap={}&moi={}&doi={}&giu={}",
        info.kind.as_str(),
        report.new,
        report.changed,
        report.unchanged
    )))
}
