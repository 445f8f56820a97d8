//! The error type of the search index (lower layer: the service maps it to its edge error).

/// Errors returned by [`crate::SearchIndex`].
#[derive(Debug, thiserror::Error)]
pub enum SearchIndexError {
    /// The directory holds an index with another schema (built by an older version): it
    /// must be rebuilt.
    #[error("search index schema changed: {0}")]
    SchemaChanged(String),
    /// tantivy failed.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The index directory could not be opened.
    #[error("search index directory: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    /// File-system error.
    #[error("search index io: {0}")]
    Io(#[from] std::io::Error),
    /// A thread panicked while holding the writer.
    #[error("search index writer lock poisoned")]
    Poisoned,
    /// A document-preparation thread panicked.
    #[error("search index worker thread panicked")]
    WorkerPanicked,
}
