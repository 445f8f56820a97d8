//! HTTP edge: the JSON API under `/api/v1`, health checks, and the shared extractor
//! configuration that turns malformed input into catalogued errors.

pub mod api;
pub mod download;
pub mod health;
pub mod identity;
pub mod upload;
pub mod web;

use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::error::{AppError, ErrorCode};

/// JSON bodies: size limit and malformed input → `invalid_json` (400) or `payload_too_large`.
pub fn json_config(limit: usize) -> actix_web::web::JsonConfig {
    actix_web::web::JsonConfig::default()
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

/// An error answered as a page for page routes, as JSON for the API.
fn for_route(req: &HttpRequest, e: AppError) -> actix_web::Error {
    if web::is_page_path(req.path()) {
        actix_web::error::InternalError::from_response(e.code.message(), web::error_page(&e)).into()
    } else {
        e.into()
    }
}

/// Query strings: bad values → `invalid_query` (400).
pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default().error_handler(|err, req| {
        for_route(
            req,
            AppError::new(ErrorCode::InvalidQuery)
                .with_details(serde_json::json!({ "reason": err.to_string() })),
        )
    })
}

/// Posted forms: too large or malformed → a 4xx page.
pub fn form_config() -> actix_web::web::FormConfig {
    actix_web::web::FormConfig::default()
        .limit(256 * 1024)
        .error_handler(|err, req| {
            use actix_web::error::UrlencodedError;
            let e = match &err {
                UrlencodedError::Overflow { .. } => AppError::new(ErrorCode::PayloadTooLarge),
                _ => AppError::new(ErrorCode::ValidationFailed)
                    .with_message("Biểu mẫu gửi lên không đúng định dạng."),
            };
            for_route(req, e)
        })
}

/// Path segments that do not parse (a non-numeric id) name nothing: 404, unless the path
/// is another operation's that lacks this method (`PATCH /initiatives/similar`): 405.
pub fn path_config() -> actix_web::web::PathConfig {
    actix_web::web::PathConfig::default().error_handler(|_err, req| {
        if !web::is_page_path(req.path())
            && let Some(res) = method_not_allowed(req)
        {
            return actix_web::error::InternalError::from_response("method not allowed", res)
                .into();
        }
        for_route(req, AppError::not_found())
    })
}

/// 405 with `Allow` when the API has `req`'s path but not its method.
fn method_not_allowed(req: &HttpRequest) -> Option<HttpResponse> {
    let methods = api::openapi::methods_of(req.path())?;
    if methods.iter().any(|m| m == req.method().as_str()) {
        return None;
    }
    let allow = methods.join(", ");
    let mut res = AppError::new(ErrorCode::MethodNotAllowed)
        .with_details(serde_json::json!({ "allow": methods }))
        .error_response();
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    Some(res)
}

/// Unknown routes: the 404 page, or for the API a 404 in the catalogue's shape; a path of
/// the API asked with a method it does not have is 405 with `Allow`.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    if web::is_page_path(req.path()) {
        return web::error_page(&AppError::not_found());
    }
    method_not_allowed(&req).unwrap_or_else(|| AppError::not_found().error_response())
}

/// The client of a request, for sign-in limits and the session list: the peer's address, or
/// with `server.trust_forwarded_for` the last hop a trusted proxy appended to
/// `X-Forwarded-For`; and the browser's `User-Agent`, cut short.
pub fn client_of(req: &HttpRequest) -> crate::service::auth::Client {
    let trust_proxy = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .is_some_and(|s| s.settings.server.trust_forwarded_for);
    let forwarded = trust_proxy
        .then(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(str::trim)
                .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
                .map(str::to_owned)
        })
        .flatten();
    let address = forwarded
        .or_else(|| req.peer_addr().map(|a| a.ip().to_string()))
        .unwrap_or_else(|| "unknown".to_owned());
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    crate::service::auth::Client {
        address,
        user_agent,
    }
}
