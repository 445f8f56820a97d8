//! What the similar panel and the public search ask, as the API and the pages send it.

use serde::Deserialize;

use super::Checker;
use crate::domain::text;
use crate::error::AppError;
use crate::service::similar::{SimilarInput, SimilarScope};

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
