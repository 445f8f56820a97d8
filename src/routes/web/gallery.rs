//! The public gallery of approved initiatives and their public pages; no sign-in needed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use super::member::Pager;
use super::{Chrome, PageError, Visitor, format, render};
use crate::domain::text;
use crate::error::AppError;
use crate::service::gallery::{GalleryItem, GalleryQuery, PublicInitiative};
use crate::service::{self, PageRequest};
use crate::state::AppState;

/// An option of a filter.
#[derive(Debug, Clone)]
pub struct FilterOption {
    pub id: i64,
    pub name: String,
    /// For fields: the program's name (an `<optgroup>`).
    pub group: String,
    pub selected: bool,
}

/// A gallery card, ready to show.
#[derive(Debug, Clone)]
pub struct Card {
    pub item: GalleryItem,
    pub benefit_text: String,
}

/// The gallery page.
#[derive(Template)]
#[template(path = "gallery.html")]
pub struct GalleryPage {
    pub chrome: Chrome,
    pub q: String,
    pub programs: Vec<FilterOption>,
    pub fields: Vec<FilterOption>,
    pub provinces: Vec<FilterOption>,
    pub cards: Vec<Card>,
    pub pager: Pager,
    pub total_text: String,
    pub searching: bool,
    pub problem: Option<String>,
}

/// The gallery's query string.
#[derive(Debug, Default, Deserialize)]
pub struct GalleryParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub program: String,
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub province: String,
    pub page: Option<i64>,
}

fn id_of(s: &str) -> Option<i64> {
    s.trim().parse().ok().filter(|n| *n > 0)
}

fn options(all: &[(i64, String)], selected: Option<i64>) -> Vec<FilterOption> {
    all.iter()
        .map(|(id, name)| FilterOption {
            id: *id,
            name: name.clone(),
            group: String::new(),
            selected: Some(*id) == selected,
        })
        .collect()
}

/// `GET /thu-vien`: browse or search approved initiatives.
#[get("/thu-vien")]
pub async fn index(
    state: web::Data<AppState>,
    visitor: Visitor,
    params: web::Query<GalleryParams>,
) -> Result<HttpResponse, PageError> {
    let p = params.into_inner();
    let q = text::clean_line(&p.q);
    let (program, field, province) = (id_of(&p.program), id_of(&p.field), id_of(&p.province));
    let page_no = p.page.unwrap_or(1).clamp(1, 100_000);
    let filters = service::gallery::filters(&state.db).await?;
    let mut problem = None;
    let query = GalleryQuery {
        q: if q.chars().count() > 200 {
            problem = Some("Từ khoá quá dài (tối đa 200 ký tự).".to_owned());
            String::new()
        } else {
            q.clone()
        },
        program_id: program,
        field_id: field,
        province_id: province,
    };
    let per_page = 12;
    let page = service::gallery::browse(
        &state.db,
        &state.search,
        query,
        PageRequest {
            page: Some(page_no),
            per_page: Some(per_page),
        },
    )
    .await
    .or_else(|e| {
        if e.code == crate::error::ErrorCode::NotFound {
            // A province that does not exist: nothing to show.
            Ok(service::Page {
                items: Vec::new(),
                total: 0,
                page: page_no,
                per_page,
            })
        } else {
            Err::<_, AppError>(e)
        }
    })?;
    let mut base = String::new();
    for (k, v) in [
        ("q", q.clone()),
        (
            "program",
            program.map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("field", field.map(|n| n.to_string()).unwrap_or_default()),
        (
            "province",
            province.map(|n| n.to_string()).unwrap_or_default(),
        ),
    ] {
        if !v.is_empty() {
            base.push_str(&format!(
                "{k}={}&",
                percent_encoding::utf8_percent_encode(&v, percent_encoding::NON_ALPHANUMERIC)
            ));
        }
    }
    render(
        StatusCode::OK,
        &GalleryPage {
            chrome: Chrome::of(&visitor, "gallery"),
            searching: !q.is_empty(),
            q,
            programs: options(&filters.programs, program),
            fields: filters
                .fields
                .iter()
                .map(|(id, name, group)| FilterOption {
                    id: *id,
                    name: name.clone(),
                    group: group.clone(),
                    selected: Some(*id) == field,
                })
                .collect(),
            provinces: options(&filters.provinces, province),
            total_text: format::number(page.total),
            pager: Pager::new(page.page, page.per_page, page.total, base),
            cards: page
                .items
                .into_iter()
                .map(|item| Card {
                    benefit_text: item
                        .estimated_benefit_vnd
                        .map(format::vnd)
                        .unwrap_or_default(),
                    item,
                })
                .collect(),
            problem,
        },
    )
}

/// An initiative's public page.
#[derive(Template)]
#[template(path = "public.html")]
pub struct PublicPage {
    pub chrome: Chrome,
    pub p: PublicInitiative,
    pub benefit_text: String,
    pub decided_text: String,
    pub first_applied_text: String,
}

/// `GET /thu-vien/{id}`.
#[get("/thu-vien/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let p = service::gallery::public(&state.db, path.into_inner()).await?;
    render(
        StatusCode::OK,
        &PublicPage {
            chrome: Chrome::of(&visitor, "gallery"),
            benefit_text: p.estimated_benefit_vnd.map(format::vnd).unwrap_or_default(),
            decided_text: p.decided_at.map(format::datetime).unwrap_or_default(),
            first_applied_text: p
                .content
                .as_ref()
                .and_then(|c| c.first_applied_on)
                .map(format::date)
                .unwrap_or_default(),
            p,
        },
    )
}
