//! The live duplicate check and the published-initiative search over HTTP.

use actix_web::{HttpResponse, get, post, web};

use crate::domain::text;
use crate::error::{AppError, ErrorBody};
use crate::routes::identity::Identity;
use crate::service::input::search::{SearchQuery, SimilarRequest};
use crate::service::similar::{DuplicateCandidateView, SearchHitView, SimilarView};
use crate::service::{self, Page, PageRequest};
use crate::state::AppState;

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
