//! The system's state for its administrators: the effective configuration (secrets
//! redacted), the outbox and the search index's position in it, the mail queue, and a
//! rebuild of the index started from the settings page.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::config::Settings;
use crate::db::{self, Db, audit, outbox};
use crate::domain::{Action, Actor, Resource, can};
use crate::error::{AppError, ErrorCode};
use crate::search::{RebuildProgress, SearchService};

/// The system's state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SystemView {
    /// The effective configuration as TOML, secrets redacted.
    pub config: String,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The last sequence number written to the outbox.
    pub outbox_seq: i64,
    /// The last sequence number the search index has applied (-1: a rebuild is due).
    pub index_seq: i64,
    /// Outbox events the index has not applied yet.
    pub index_lag: i64,
    /// Initiatives past the draft stage (what a rebuild indexes).
    pub submitted_initiatives: i64,
    /// Emails in the mail queue, by status.
    pub mail: BTreeMap<String, i64>,
    /// The latest rebuild of the index.
    pub reindex: RebuildProgress,
}

/// Only system administrators.
pub fn authorize(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::Administer, Resource::System) {
        Ok(())
    } else {
        Err(AppError::forbidden()
            .with_message("Chỉ quản trị hệ thống mới xem được cấu hình và trạng thái hệ thống."))
    }
}

/// The system's state (system administrators).
pub async fn status(
    db: &Db,
    search: &SearchService,
    settings: &Settings,
    actor: &Actor,
) -> Result<SystemView, AppError> {
    authorize(actor)?;
    let config = settings
        .redacted_toml()
        .map_err(|e| AppError::failed("showing the configuration", e))?;
    let backend = if settings.database.url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let (outbox_seq, submitted, mail) = db
        .read(|conn| {
            let seq = outbox::max_seq(conn)?;
            let submitted = db::initiatives::count_submitted(conn, None)?;
            let mail: BTreeMap<String, i64> = db::mail::counts(conn)?.into_iter().collect();
            Ok((seq, submitted, mail))
        })
        .await?;
    let index_seq = search.applied_seq();
    Ok(SystemView {
        config,
        backend,
        outbox_seq,
        index_seq,
        index_lag: if index_seq < 0 {
            outbox_seq
        } else {
            (outbox_seq - index_seq).max(0)
        },
        submitted_initiatives: submitted,
        mail,
        reindex: search.progress(),
    })
}

/// Starts rebuilding the search index from the database in the background (system
/// administrators); recorded in the audit log. Refused while a rebuild runs.
#[tracing::instrument(skip_all, fields(actor = actor.user_id))]
pub async fn start_reindex(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
) -> Result<RebuildProgress, AppError> {
    authorize(actor)?;
    if !search.begin_rebuild() {
        return Err(AppError::new(ErrorCode::InvalidState)
            .with_message("Đang dựng lại chỉ mục; hãy chờ lần này xong."));
    }
    let actor_id = actor.user_id;
    let recorded = db
        .write(move |conn| {
            audit::record(
                conn,
                &audit::NewAudit {
                    actor_id: Some(actor_id),
                    entity_type: "system",
                    entity_id: 0,
                    action: "reindex",
                    from_state: None,
                    to_state: None,
                    comment: None,
                    created_at: db::now(),
                },
            )?;
            Ok(())
        })
        .await;
    if let Err(e) = recorded {
        search.cancel_rebuild(&e.to_string());
        return Err(e);
    }
    let s = search.clone();
    let d = db.clone();
    tokio::task::spawn_blocking(move || match s.rebuild(&d, |_, _| {}) {
        Ok(n) => tracing::info!(indexed = n, "search index rebuilt from the settings page"),
        Err(e) => tracing::error!(error = %e, "rebuilding the search index failed"),
    });
    Ok(search.progress())
}
