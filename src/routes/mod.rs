//! HTTP edge: the JSON API under `/api/v1`, health checks, and the shared extractor
//! configuration that turns malformed input into catalogued errors.

pub mod api;
pub mod health;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{AppError, ErrorCode};

/// JSON bodies: size limit and malformed input → `invalid_json` (400) or `payload_too_large`.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req| {
            use actix_web::error::JsonPayloadError;
            let e = match &err {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => AppError::new(ErrorCode::PayloadTooLarge),
                JsonPayloadError::ContentType => AppError::new(ErrorCode::InvalidJson)
                    .with_message("Cần gửi dữ liệu với Content-Type: application/json."),
                JsonPayloadError::Deserialize(de) => AppError::new(ErrorCode::InvalidJson)
                    .with_details(serde_json::json!({ "reason": de.to_string() })),
                other => AppError::new(ErrorCode::InvalidJson)
                    .with_details(serde_json::json!({ "reason": other.to_string() })),
            };
            e.into()
        })
}

/// Query strings: bad values → `invalid_query` (400).
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        AppError::new(ErrorCode::InvalidQuery)
            .with_details(serde_json::json!({ "reason": err.to_string() }))
            .into()
    })
}

/// Path segments that do not parse (a non-numeric id) name nothing: 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err, _req| AppError::not_found().into())
}

/// Unknown routes: 404 in the catalogue's shape.
pub async fn not_found(_req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::not_found())
}
