//! The audit log's filters as the API and the pages send them.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::text;
use crate::error::{AppError, ErrorCode};
use crate::service::audit::AuditQuery;

/// Filters of the audit log.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// The actor's email or member code.
    pub actor: Option<String>,
    /// The action, e.g. `create`, `move`, `grant_role`, `set_status`.
    pub action: Option<String>,
    /// The kind of object: `union`, `user`, `program`, `initiative`, …
    pub entity_type: Option<String>,
    /// The object's id.
    pub entity_id: Option<i64>,
    /// First day, Vietnam time (YYYY-MM-DD).
    pub from: Option<NaiveDate>,
    /// Last day, Vietnam time (YYYY-MM-DD), inclusive.
    pub to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

fn blank_to_none(v: Option<&str>) -> Option<String> {
    v.map(text::clean_line).filter(|s| !s.is_empty())
}

/// Checks the filters (the API and the page alike).
pub fn audit_query(p: &AuditParams) -> Result<AuditQuery, AppError> {
    let q = AuditQuery {
        actor: blank_to_none(p.actor.as_deref()),
        action: blank_to_none(p.action.as_deref()),
        entity_type: blank_to_none(p.entity_type.as_deref()),
        entity_id: p.entity_id,
        from: p.from,
        to: p.to,
    };
    for (name, v) in [
        ("actor", &q.actor),
        ("action", &q.action),
        ("entity_type", &q.entity_type),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > 100) {
            return Err(AppError::new(ErrorCode::InvalidQuery)
                .with_message("Giá trị lọc quá dài (tối đa 100 ký tự).")
                .with_details(serde_json::json!({"parameter": name})));
        }
    }
    if let (Some(f), Some(t)) = (q.from, q.to)
        && f > t
    {
        return Err(AppError::new(ErrorCode::InvalidQuery)
            .with_message("Ngày bắt đầu phải trước ngày kết thúc.")
            .with_details(serde_json::json!({"parameter": "to"})));
    }
    Ok(q)
}
