//! Vietnamese text normalisation, the tantivy index, the duplicate detector and full-text
//! search for "Sáng kiến" initiatives. No web or database dependency.
//!
//! ```no_run
//! use search_index::{IndexedInitiative, SearchIndex, SimilarityQuery};
//! # fn main() -> Result<(), search_index::SearchIndexError> {
//! let index = SearchIndex::open_in_ram()?;
//! index.upsert(&IndexedInitiative {
//!     id: 1, program_id: 7, field_id: None, union_path: "/1/5/23/".into(),
//!     status: "submitted".into(),
//!     submitted_at: 1_700_000_000, title: "Sáng kiến cải tiến".into(),
//!     body_sections: vec!["Hiện trạng ...".into()],
//! })?;
//! index.commit()?;
//! let found = index.check_similar(&SimilarityQuery {
//!     title: "Sang kien cai tien".into(), text: "Hien trang ...".into(), ..Default::default()
//! })?;
//! # let _ = found; Ok(()) }
//! ```

pub mod analyzer;
pub mod detector;
pub mod error;
pub mod index;
pub mod legacy;
pub mod normalize;
pub mod partial;
pub mod search;
pub mod shingle;
pub mod syllable;
pub mod synth;

pub use analyzer::register_analyzers;
pub use detector::{Match, Passage, SimilarResult, SimilarityQuery, Verdict};
pub use error::SearchIndexError;
pub use index::{IndexOptions, IndexedInitiative, SearchIndex, join_sections};
pub use normalize::{
    DetectedEncoding, EncodingReport, NORMALIZER_VERSION, Normalized, Token, normalize, repair_text,
};
pub use search::{SearchFilters, SearchHit, SearchResults};

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn search_index_is_send_and_sync() {
        assert_send_sync::<SearchIndex>();
    }
}
