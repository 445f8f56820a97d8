//! The live duplicate check and the published-initiative search over HTTP.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;

use super::Checker;
use crate::domain::text;
use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service::similar::{
    DuplicateCandidateView, SearchHitView, SimilarInput, SimilarScope, SimilarView,
};
use crate::service::{self, Page, PageRequest};
use crate::state::AppState;

/// A draft to check (all fields optional, but some text is needed).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SimilarRequest {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub current_situation: String,
    #[serde(default)]
    pub solution: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub benefits: String,
    pub program_id: Option<i64>,
    /// Where to look: `all` (default), `program` or `union` (the caller's province or sector).
    #[serde(default, rename = "search_scope")]
    pub search_scope: SimilarScope,
    /// The initiative being edited, left out of the results.
    pub exclude_id: Option<i64>,
}

impl SimilarRequest {
    /// Validates the draft's text into a check (some text is required).
    pub fn into_input(self) -> Result<SimilarInput, AppError> {
        let b = self;
        let mut c = Checker::default();
        let title = c.line(
            "title",
            &b.title,
            text::Limit {
                min: 0,
                max: text::TITLE.max,
            },
        );
        let sections = [
            c.text("current_situation", &b.current_situation, text::SECTION),
            c.text("solution", &b.solution, text::SECTION),
            c.text("scope", &b.scope, text::SECTION),
            c.text("benefits", &b.benefits, text::SECTION),
        ];
        if title.is_empty() && sections.iter().all(String::is_empty) {
            c.fail(
                "title",
                "Cần nhập tên hoặc nội dung sáng kiến để tìm sáng kiến tương tự.",
            );
        }
        c.finish()?;
        let input = SimilarInput {
            title,
            sections,
            program_id: b.program_id,
            scope: b.search_scope,
            exclude_id: b.exclude_id,
        };
        Ok(input)
    }
}

/// Search parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Words to find; diacritics optional ("sang kien cai tien").
    pub q: String,
    pub program_id: Option<i64>,
    /// Only this field (lĩnh vực).
    pub field_id: Option<i64>,
    /// Only initiatives of this union's subtree.
    pub union_id: Option<i64>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// Earlier initiatives that resemble a draft, for the live panel: up to 10, best first.
#[utoipa::path(post, path = "/api/v1/initiatives/similar", tag = "initiatives", security(("bearer" = [])),
    request_body = SimilarRequest,
    responses((status = 200, body = SimilarView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/initiatives/similar")]
pub async fn similar(
    state: web::Data<AppState>,
    id: Identity,
    body: web::Json<SimilarRequest>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner().into_input()?;
    let view = service::similar::similar(&state.db, &state.search, &id.actor, input).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Searches approved initiatives (the public gallery), with or without diacritics: every word
/// must match (a query of 4 words or more that finds fewer than 10 lets a quarter of its words
/// miss), ranked by BM25 over title and body (a title word weighs 3), with highlighted snippets.
#[utoipa::path(get, path = "/api/v1/search", tag = "initiatives", params(SearchQuery),
    responses((status = 200, body = Page<SearchHitView>), (status = 400, body = ErrorBody),
              (status = 404, description = "the union filtered on does not exist", body = ErrorBody)))]
#[get("/search")]
pub async fn search(
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let words = text::clean_line(&q.q);
    if words.is_empty() || words.chars().count() > 200 {
        return Err(AppError::field("q", "Cần nhập từ khoá (tối đa 200 ký tự)."));
    }
    let page = PageRequest {
        page: q.page,
        per_page: q.per_page,
    };
    let result = service::similar::search_published(
        &state.db,
        &state.search,
        words,
        q.program_id,
        q.field_id,
        q.union_id,
        page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Duplicate candidates recorded on an initiative, earliest-filed first (reviewers, officers).
#[utoipa::path(get, path = "/api/v1/initiatives/{id}/duplicates", tag = "initiatives", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DuplicateCandidateView>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/initiatives/{id}/duplicates")]
pub async fn duplicates(
    state: web::Data<AppState>,
    id: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let list =
        service::similar::duplicate_candidates(&state.db, &id.actor, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(list))
}
