//! Use cases: one function each, owning its transaction; called by both the JSON API and the
//! pages. Services never build HTTP responses.

pub mod attachments;
pub mod attainment;
pub mod attainment_export;
pub mod audit;
pub mod auth;
pub mod coauthors;
pub mod export;
pub mod gallery;
pub mod idempotency;
pub mod imports;
pub mod initiatives;
pub mod input;
pub mod mail;
pub mod privacy;
pub mod programs;
pub mod quotas;
pub mod reorganisations;
pub mod review;
pub mod seed;
pub mod shared;
pub mod similar;
pub mod system;
pub mod union_initiatives;
pub mod unions;
pub mod users;

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A page request: 1-based page number and page size (at most 200).
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
pub struct PageRequest {
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Items per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

impl PageRequest {
    /// Checked `(limit, offset, page, per_page)`.
    pub fn resolve(&self) -> Result<(i64, i64, i64, i64), AppError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        if !(1..=1_000_000).contains(&page) {
            return Err(AppError::field("page", "Số trang phải từ 1 trở lên."));
        }
        if !(1..=200).contains(&per_page) {
            return Err(AppError::field(
                "per_page",
                "Số mục mỗi trang phải từ 1 đến 200.",
            ));
        }
        Ok((per_page, (page - 1) * per_page, page, per_page))
    }
}

/// A page of results.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: i64,
    /// This page's number, from 1.
    pub page: i64,
    /// Items per page.
    pub per_page: i64,
}
