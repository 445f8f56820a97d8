//! A union's reports as pages and downloads (cookie session): the initiatives of its subtree
//! (`/don-vi/{id}/sang-kien`), their export, and the dashboard's table as XLSX or CSV
//! (`/don-vi/{id}/thanh-tich.xlsx|csv`, linked from the dashboard page). Same permission as
//! the dashboard: officers of the union and program administrators over it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use super::member::Pager;
use super::{Chrome, PageError, Visitor, format, render};
use crate::error::{AppError, ErrorCode};
use crate::routes::download;
use crate::service;
use crate::service::attainment::{DashboardQuery, SortKey};
use crate::service::export::ExportFormat;
use crate::service::union_initiatives::{StatusGroup, UnionInitiativesQuery};
use crate::state::AppState;

/// The query string of these pages, read leniently (empty means absent) and checked here.
#[derive(Debug, Default, Deserialize)]
pub struct ReportParams {
    #[serde(default)]
    pub program_id: String,
    #[serde(default)]
    pub phase_id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub as_of: String,
}

fn bad(parameter: &str, message: &str) -> AppError {
    AppError::new(ErrorCode::InvalidQuery)
        .with_message(message)
        .with_details(serde_json::json!({ "parameter": parameter }))
}

fn id_param(value: &str, parameter: &str, message: &str) -> Result<Option<i64>, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(Some)
        .ok_or_else(|| bad(parameter, message))
}

impl ReportParams {
    fn program_id(&self) -> Result<i64, AppError> {
        id_param(
            &self.program_id,
            "program_id",
            "Mã chương trình không hợp lệ.",
        )?
        .ok_or_else(|| bad("program_id", "Hãy chọn một chương trình."))
    }

    fn phase_id(&self) -> Result<Option<i64>, AppError> {
        id_param(&self.phase_id, "phase_id", "Mã đợt không hợp lệ.")
    }

    fn status(&self) -> Result<Option<StatusGroup>, AppError> {
        let s = self.status.trim();
        if s.is_empty() {
            return Ok(None);
        }
        StatusGroup::parse(s)
            .map(Some)
            .ok_or_else(|| bad("status", "Trạng thái không hợp lệ."))
    }

    fn sort(&self) -> Result<Option<SortKey>, AppError> {
        Ok(Some(match self.sort.trim() {
            "" => return Ok(None),
            "name" => SortKey::Name,
            "submitted" => SortKey::Submitted,
            "approved" => SortKey::Approved,
            "attainment" => SortKey::Attainment,
            _ => return Err(bad("sort", "Cách sắp xếp không hợp lệ.")),
        }))
    }

    fn page(&self) -> Result<Option<i64>, AppError> {
        id_param(&self.page, "page", "Số trang không hợp lệ.")
    }

    fn list_query(&self) -> Result<UnionInitiativesQuery, AppError> {
        Ok(UnionInitiativesQuery {
            program_id: self.program_id()?,
            phase_id: self.phase_id()?,
            status: self.status()?,
            page: self.page()?,
            per_page: None,
        })
    }

    fn dashboard_query(&self) -> Result<DashboardQuery, AppError> {
        Ok(DashboardQuery {
            program_id: self.program_id()?,
            phase_id: self.phase_id()?,
            sort: self.sort()?,
            as_of: self.as_of()?,
        })
    }

    fn as_of(&self) -> Result<Option<chrono::NaiveDate>, AppError> {
        let v = self.as_of.trim();
        if v.is_empty() {
            return Ok(None);
        }
        crate::format::parse_date(v).map(Some).ok_or_else(|| {
            bad(
                "as_of",
                "Ngày xem số liệu không hợp lệ: hãy nhập dạng 30/06/2025.",
            )
        })
    }
}

fn encode(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A choice in a filter.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub name: String,
    pub selected: bool,
}

/// A line of the list, ready to show.
#[derive(Debug, Clone)]
pub struct Line {
    pub id: i64,
    pub receipt_no: String,
    pub title: String,
    pub withheld: bool,
    pub authors: String,
    pub union_name: String,
    pub field_name: String,
    pub status_name: &'static str,
    pub tone: &'static str,
    pub submitted_text: String,
    pub decided_text: String,
}

/// The list page.
#[derive(Template)]
#[template(path = "union_initiatives.html")]
pub struct UnionInitiativesPage {
    pub chrome: Chrome,
    pub union_id: i64,
    pub union_name: String,
    pub program_name: String,
    pub period: String,
    pub group_name: &'static str,
    pub total_text: String,
    pub programs: Vec<Choice>,
    pub phases: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub lines: Vec<Line>,
    pub pager: Pager,
    /// The filters' query string (for the download links), without `page`.
    pub filter_query: String,
    pub counting_rule: &'static str,
}

/// `GET /don-vi/{id}/sang-kien`: the initiatives of a union's subtree in a program, newest
/// first, filtered by phase and status group, with downloads.
#[get("/don-vi/{id}/sang-kien")]
pub async fn initiatives(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let union_id = path.into_inner();
    let p = params.into_inner();
    let mut query = p.list_query();
    // Without a program, the most recent one that is not a draft.
    if p.program_id.trim().is_empty() {
        let latest = service::union_initiatives::program_choices(&state.db)
            .await?
            .first()
            .map(|(id, _)| *id);
        if let Some(program_id) = latest {
            query = Ok(UnionInitiativesQuery {
                program_id,
                phase_id: None,
                status: p.status()?,
                page: p.page()?,
                per_page: None,
            });
        }
    }
    let query = query?;
    let status = query.status;
    let list = service::union_initiatives::list(&state.db, &me.actor, union_id, query).await?;
    let programs = service::union_initiatives::program_choices(&state.db).await?;
    let program_id = list.program_id;
    let phases = service::union_initiatives::phase_choices(&state.db, program_id).await?;
    let mut filter_query = format!("program_id={program_id}&");
    if let Some(ph) = list.phase_id {
        filter_query.push_str(&format!("phase_id={ph}&"));
    }
    if let Some(s) = status {
        filter_query.push_str(&format!("status={}&", encode(s.as_str())));
    }
    let period = match &list.phase_name {
        Some(name) => name.clone(),
        None => "Toàn bộ chương trình".to_owned(),
    };
    let lines = list
        .items
        .iter()
        .map(|it| Line {
            id: it.id,
            receipt_no: it.receipt_no.clone().unwrap_or_default(),
            title: it.title.clone(),
            withheld: it.withheld,
            authors: it.authors.join(", "),
            union_name: it.union_name.clone(),
            field_name: it.field_name.clone().unwrap_or_default(),
            status_name: it.status_label,
            tone: it.status.tone(),
            submitted_text: it.submitted_at.map(format::datetime).unwrap_or_default(),
            decided_text: it.decided_at.map(format::datetime).unwrap_or_default(),
        })
        .collect();
    render(
        StatusCode::OK,
        &UnionInitiativesPage {
            chrome: Chrome::of(&visitor, ""),
            union_id: list.union_id,
            union_name: list.union_name.clone(),
            program_name: list.program_name.clone(),
            period,
            group_name: list.status.label(),
            total_text: format::number(list.total),
            programs: programs
                .into_iter()
                .map(|(id, name)| Choice {
                    value: id.to_string(),
                    name,
                    selected: id == program_id,
                })
                .collect(),
            phases: phases
                .into_iter()
                .map(|(id, name)| Choice {
                    value: id.to_string(),
                    name,
                    selected: Some(id) == list.phase_id,
                })
                .collect(),
            statuses: StatusGroup::ALL
                .into_iter()
                .map(|g| Choice {
                    value: g.as_str().to_owned(),
                    name: g.label().to_owned(),
                    selected: g == list.status,
                })
                .collect(),
            lines,
            pager: Pager::new(list.page, list.per_page, list.total, filter_query.clone()),
            filter_query,
            counting_rule: list.counting_rule,
        },
    )
}

/// `GET /don-vi/{id}/sang-kien.xlsx`: the whole list as an Excel workbook.
#[get("/don-vi/{id}/sang-kien.xlsx")]
pub async fn initiatives_xlsx(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, PageError> {
    initiatives_file(
        &state,
        &visitor,
        path.into_inner(),
        &params,
        ExportFormat::Xlsx,
    )
    .await
}

/// `GET /don-vi/{id}/sang-kien.csv`: the whole list as CSV.
#[get("/don-vi/{id}/sang-kien.csv")]
pub async fn initiatives_csv(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, PageError> {
    initiatives_file(
        &state,
        &visitor,
        path.into_inner(),
        &params,
        ExportFormat::Csv,
    )
    .await
}

async fn initiatives_file(
    state: &AppState,
    visitor: &Visitor,
    union_id: i64,
    params: &ReportParams,
    format: ExportFormat,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let mut query = params.list_query()?;
    query.page = None;
    let file =
        service::union_initiatives::export(&state.db, &me.actor, union_id, query, format).await?;
    Ok(download::attachment(file))
}

/// `GET /don-vi/{id}/thanh-tich.xlsx`: the dashboard's table as an Excel workbook.
#[get("/don-vi/{id}/thanh-tich.xlsx")]
pub async fn dashboard_xlsx(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, PageError> {
    dashboard_file(
        &state,
        &visitor,
        path.into_inner(),
        &params,
        ExportFormat::Xlsx,
    )
    .await
}

/// `GET /don-vi/{id}/thanh-tich.csv`: the dashboard's table as CSV.
#[get("/don-vi/{id}/thanh-tich.csv")]
pub async fn dashboard_csv(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, PageError> {
    dashboard_file(
        &state,
        &visitor,
        path.into_inner(),
        &params,
        ExportFormat::Csv,
    )
    .await
}

async fn dashboard_file(
    state: &AppState,
    visitor: &Visitor,
    union_id: i64,
    params: &ReportParams,
    format: ExportFormat,
) -> Result<HttpResponse, PageError> {
    let me = visitor.require()?;
    let query = params.dashboard_query()?;
    let file =
        service::attainment_export::export(&state.db, &me.actor, union_id, query, format).await?;
    Ok(download::attachment(file))
}
