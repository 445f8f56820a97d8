//! Liveness and readiness.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;

use crate::search::IndexHealth;
use crate::state::AppState;

/// Health answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or what is wrong.
    pub status: &'static str,
    /// Readiness only: this instance's search index. A degraded index does not make the
    /// instance unready: submissions go on and the index catches up by itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexHealth>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        index: None,
    })
}

/// The database answers and every migration is applied (with the search index's state).
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, body = Health), (status = 503, body = Health)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let index = Some(state.search.health());
    match state.db.ready().await {
        Ok(true) => HttpResponse::Ok().json(Health {
            status: "ok",
            index,
        }),
        Ok(false) => HttpResponse::ServiceUnavailable().json(Health {
            status: "migrations_pending",
            index,
        }),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            HttpResponse::ServiceUnavailable().json(Health {
                status: "database_unavailable",
                index,
            })
        }
    }
}
