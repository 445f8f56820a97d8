//! The shared application state handed to every handler.

use std::path::PathBuf;
use std::sync::Arc;

use crate::auth::TokenKeys;
use crate::config::Settings;
use crate::db::Db;
use crate::search::SearchService;

/// What handlers share: settings, the database, the token keys, the file store.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Effective settings.
    pub settings: Arc<Settings>,
    /// The database.
    pub db: Db,
    /// Token keys.
    pub keys: Arc<TokenKeys>,
    /// Where attachments are stored (by content hash).
    pub uploads_dir: PathBuf,
    /// The search index (duplicate checks, full-text search).
    pub search: Arc<SearchService>,
}
