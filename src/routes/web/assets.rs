//! The stylesheet, the script and the icon, compiled into the binary and served with
//! long-lived caching under a content-versioned URL.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpResponse, get};
use sha2::{Digest, Sha256};

/// The stylesheet (written here; no framework, no web fonts).
pub const CSS: &str = include_str!("../../../static/app.css");
/// The script: the live similar panel, autosave, the countdown; pages work without it.
pub const JS: &str = include_str!("../../../static/app.js");
/// The icon.
pub const ICON: &str = include_str!("../../../static/icon.svg");

static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    h.update(CSS);
    h.update(JS);
    h.update(ICON);
    hex::encode(&h.finalize()[..6])
});

/// The assets' content version (changes whenever any asset changes).
pub fn version() -> &'static str {
    VERSION.as_str()
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body)
}

/// `/static/app.css`.
#[get("/static/app.css")]
pub async fn stylesheet() -> HttpResponse {
    asset("text/css; charset=utf-8", CSS)
}

/// `/static/app.js`.
#[get("/static/app.js")]
pub async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", JS)
}

/// `/favicon.svg`.
#[get("/favicon.svg")]
pub async fn favicon() -> HttpResponse {
    asset("image/svg+xml", ICON)
}
