//! The tantivy index of initiatives: schema and fields (resolved once), the single writer
//! behind a mutex, batched commits with reader reload, upsert / delete and stored texts.
//!
//! A failed write leaves tantivy's writer unusable: an indexing thread that hits an I/O
//! error (a full disk, say) returns it from `commit` and marks the writer killed, so every
//! later call fails too. The writer is then dropped, which discards everything not
//! committed, and a new one is opened on the last commit at the next call; the caller does
//! the uncommitted work again (the service replays the outbox from its applied position).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Searcher,
    TantivyDocument, Term,
};

use crate::analyzer::{VI_FOLD, register_analyzers};
use crate::error::SearchIndexError;
use crate::normalize::NORMALIZER_VERSION;
use crate::shingle::Analyzed;

/// An initiative as the index sees it (sáng kiến).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedInitiative {
    /// Database id.
    pub id: u64,
    /// Program (chương trình) id.
    pub program_id: u64,
    /// Field (lĩnh vực) id, when chosen.
    #[serde(default)]
    pub field_id: Option<u64>,
    /// Materialised path of the author's union, e.g. `/1/5/23/` (root first, trailing slash).
    pub union_path: String,
    /// Status code as the service names it (e.g. `submitted`, `approved`).
    pub status: String,
    /// Submission time, unix seconds.
    pub submitted_at: i64,
    /// Title (tên sáng kiến).
    pub title: String,
    /// Sections in form order: hiện trạng, nội dung giải pháp, phạm vi áp dụng, hiệu quả.
    pub body_sections: Vec<String>,
}

impl IndexedInitiative {
    /// The body as stored and compared: sections joined by a blank line. Passage ranges of a
    /// candidate are char ranges into this text.
    pub fn body_text(&self) -> String {
        join_sections(&self.body_sections)
    }
}

/// Joins sections the way the index stores them.
pub fn join_sections<S: AsRef<str>>(sections: &[S]) -> String {
    let mut out = String::new();
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(s.as_ref());
    }
    out
}

/// Tuning of an index.
#[derive(Debug, Clone, Copy)]
pub struct IndexOptions {
    /// Memory budget of the writer, bytes (tantivy's minimum is 15 MB per thread).
    pub writer_memory: usize,
    /// Indexing threads of the writer.
    pub writer_threads: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            writer_memory: 64_000_000,
            writer_threads: 1,
        }
    }
}

/// How many times a title word counts in the gallery search's `text` field (BM25F, as
/// Elasticsearch's `combined_fields` weighs fields): a word of the title weighs as much as this
/// many of the body, and the title's length counts as many times.
const TITLE_WEIGHT: usize = 3;

/// Fields of the schema, resolved once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub program: Field,
    pub program_key: Field,
    pub field: Field,
    pub union_path: Field,
    pub union_scope: Field,
    pub status: Field,
    pub submitted_at: Field,
    pub fingerprint: Field,
    pub sketch: Field,
    pub title: Field,
    pub body: Field,
    /// Title (`TITLE_WEIGHT` times) and body in one field: what the gallery search ranks by.
    pub text: Field,
    pub normalizer: Field,
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let title_opts = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(VI_FOLD)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let body_opts = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(VI_FOLD)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    // The single-valued filter fields (program, field, status) hold one whole value per
    // document, with frequencies and field norms: every document has the same length (one
    // token) and frequency (one) there, so as a scoring clause such a term adds the same score
    // to every document it keeps, and a filtered gallery search stays a pure term intersection
    // that tantivy ranks with block-max WAND instead of scoring every match. (Without field
    // norms tantivy 0.27 records a block maximum of 0 and prunes wrongly.)
    let filter_opts = || {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let text_opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(VI_FOLD)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | STORED | FAST),
        program: b.add_u64_field("program", STORED | FAST),
        program_key: b.add_text_field("program_key", filter_opts()),
        field: b.add_text_field("field_key", filter_opts()),
        union_path: b.add_text_field("union_path", STRING | STORED | FAST),
        union_scope: b.add_text_field("union_scope", STRING),
        status: b.add_text_field("status", filter_opts().set_stored().set_fast("raw")),
        submitted_at: b.add_i64_field("submitted_at", INDEXED | STORED | FAST),
        fingerprint: b.add_u64_field("fingerprint", INDEXED),
        sketch: b.add_u64_field("sketch", INDEXED),
        title: b.add_text_field("title", title_opts),
        body: b.add_text_field("body", body_opts),
        text: b.add_text_field("text", text_opts),
        normalizer: b.add_u64_field("normalizer_version", FAST),
    };
    (b.build(), fields)
}

/// Every prefix of a union path: `/1/5/23/` → `/1/`, `/1/5/`, `/1/5/23/`.
pub(crate) fn union_prefixes(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut acc = String::from("/");
    for part in path.split('/').filter(|p| !p.is_empty()) {
        acc.push_str(part);
        acc.push('/');
        out.push(acc.clone());
    }
    out
}

/// Normalises a union path prefix given by a caller to the stored form (`/1/5` → `/1/5/`).
pub(crate) fn canonical_union_prefix(prefix: &str) -> String {
    union_prefixes(prefix)
        .pop()
        .unwrap_or_else(|| "/".to_string())
}

/// The search index: share one instance (e.g. in an `Arc`) across threads.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    /// `None` after a failed write, until the next call opens a new writer.
    writer: Mutex<Option<IndexWriter>>,
    options: IndexOptions,
    pub(crate) fields: Fields,
}

impl SearchIndex {
    /// Opens (or creates) an index in a directory.
    pub fn open_in_dir(path: impl AsRef<Path>) -> Result<SearchIndex, SearchIndexError> {
        Self::open_in_dir_with(path, IndexOptions::default())
    }

    /// Opens (or creates) an index in a directory with options.
    pub fn open_in_dir_with(
        path: impl AsRef<Path>,
        options: IndexOptions,
    ) -> Result<SearchIndex, SearchIndexError> {
        std::fs::create_dir_all(path.as_ref())?;
        let (schema, fields) = build_schema();
        let dir = MmapDirectory::open(path.as_ref())?;
        let index = match Index::builder()
            .schema(schema)
            .settings(IndexSettings::default())
            .open_or_create(dir)
        {
            Ok(index) => index,
            Err(tantivy::TantivyError::SchemaError(m)) => {
                return Err(SearchIndexError::SchemaChanged(m));
            }
            Err(e) => return Err(e.into()),
        };
        Self::from_index(index, fields, options)
    }

    /// Creates an index in memory (tests, benchmarks).
    pub fn open_in_ram() -> Result<SearchIndex, SearchIndexError> {
        Self::open_in_ram_with(IndexOptions::default())
    }

    /// Creates an index in memory with options.
    pub fn open_in_ram_with(options: IndexOptions) -> Result<SearchIndex, SearchIndexError> {
        let (schema, fields) = build_schema();
        let index = Index::builder()
            .schema(schema)
            .settings(IndexSettings::default())
            .create_in_ram()?;
        Self::from_index(index, fields, options)
    }

    fn from_index(
        index: Index,
        fields: Fields,
        options: IndexOptions,
    ) -> Result<SearchIndex, SearchIndexError> {
        register_analyzers(&index);
        let writer = new_writer(&index, &options)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            options,
            fields,
        })
    }

    /// Runs `f` on the writer (opening a new one if the last one failed). When `f` fails the
    /// writer is dropped with everything not committed: tantivy's writer does not recover
    /// from a failed indexing thread or commit.
    fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter) -> tantivy::Result<T>,
    ) -> Result<T, SearchIndexError> {
        let mut slot: MutexGuard<'_, Option<IndexWriter>> =
            self.writer.lock().map_err(|_| SearchIndexError::Poisoned)?;
        let writer = match slot.as_mut() {
            Some(w) => w,
            // Dropping the failed writer released the directory lock.
            None => slot.insert(new_writer(&self.index, &self.options)?),
        };
        match f(writer) {
            Ok(v) => Ok(v),
            Err(e) => {
                // Joins the indexing threads and releases the lock; the next call starts
                // afresh from the last commit.
                *slot = None;
                Err(e.into())
            }
        }
    }

    /// Whether the writer is open (false after a failed write, until the next one).
    pub fn writer_open(&self) -> bool {
        self.writer.lock().is_ok_and(|w| w.is_some())
    }

    /// Adds or replaces an initiative (visible after the next [`SearchIndex::commit`]).
    pub fn upsert(&self, doc: &IndexedInitiative) -> Result<(), SearchIndexError> {
        let tdoc = self.to_document(doc);
        self.with_writer(|writer| {
            writer.delete_term(Term::from_field_u64(self.fields.id, doc.id));
            writer.add_document(tdoc).map(|_| ())
        })
    }

    /// Adds or replaces many initiatives; analysis happens outside the writer lock.
    pub fn upsert_many(&self, docs: &[IndexedInitiative]) -> Result<(), SearchIndexError> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let prepared: Vec<(u64, TantivyDocument)> = if threads < 2 || docs.len() < 64 {
            docs.iter().map(|d| (d.id, self.to_document(d))).collect()
        } else {
            let per = docs.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = docs
                    .chunks(per)
                    .map(|chunk| {
                        scope.spawn(move || {
                            chunk
                                .iter()
                                .map(|d| (d.id, self.to_document(d)))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                let mut all = Vec::with_capacity(docs.len());
                for h in handles {
                    all.extend(h.join().map_err(|_| SearchIndexError::WorkerPanicked)?);
                }
                Ok::<_, SearchIndexError>(all)
            })?
        };
        self.with_writer(|writer| {
            for (id, tdoc) in prepared {
                writer.delete_term(Term::from_field_u64(self.fields.id, id));
                writer.add_document(tdoc)?;
            }
            Ok(())
        })
    }

    /// Removes an initiative (effective after the next commit).
    pub fn delete(&self, id: u64) -> Result<(), SearchIndexError> {
        self.with_writer(|writer| {
            writer.delete_term(Term::from_field_u64(self.fields.id, id));
            Ok(())
        })
    }

    /// Removes every initiative (effective after the next commit), before a rebuild.
    pub fn clear(&self) -> Result<(), SearchIndexError> {
        self.with_writer(|writer| writer.delete_all_documents().map(|_| ()))
    }

    /// Commits pending changes and reloads the readers so searches see them.
    pub fn commit(&self) -> Result<(), SearchIndexError> {
        self.with_writer(|writer| writer.commit().map(|_| ()))?;
        self.reader.reload()?;
        Ok(())
    }

    /// Merges all segments into one and waits (useful after a bulk load).
    pub fn optimize(&self) -> Result<(), SearchIndexError> {
        self.with_writer(|writer| {
            writer.commit()?;
            let ids = self.index.searchable_segment_ids()?;
            if ids.len() > 1 {
                writer.merge(&ids).wait()?;
            }
            Ok(())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// Number of searchable initiatives.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Total bytes of the index files (directory indexes only report their segment files).
    pub fn size_bytes(&self) -> Result<u64, SearchIndexError> {
        let searcher = self.reader.searcher();
        let mut total = 0u64;
        for seg in searcher.segment_readers() {
            let space = seg.space_usage()?;
            total += space.total().get_bytes();
        }
        Ok(total)
    }

    /// Whether some initiative was indexed by another normaliser version (then reindex).
    pub fn needs_reindex(&self) -> Result<bool, SearchIndexError> {
        let searcher = self.reader.searcher();
        for seg in searcher.segment_readers() {
            let col = seg.fast_fields().u64("normalizer_version")?;
            if seg.num_docs() > 0
                && (col.min_value() != u64::from(NORMALIZER_VERSION)
                    || col.max_value() != u64::from(NORMALIZER_VERSION))
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The stored title and body text of an initiative (body = sections joined as
    /// [`IndexedInitiative::body_text`]), for the side-by-side comparison.
    pub fn stored_text(&self, id: u64) -> Result<Option<(String, String)>, SearchIndexError> {
        let searcher = self.reader.searcher();
        let q = tantivy::query::TermQuery::new(
            Term::from_field_u64(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let hits = searcher.search(
            &q,
            &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
        )?;
        match hits.first() {
            Some((_, addr)) => {
                let d = self.load(&searcher, *addr)?;
                Ok(Some((d.title, d.body)))
            }
            None => Ok(None),
        }
    }

    pub(crate) fn load(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
    ) -> Result<StoredDoc, SearchIndexError> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        Ok(self.stored(&doc))
    }

    /// A stored document's fields.
    pub(crate) fn stored(&self, doc: &TantivyDocument) -> StoredDoc {
        let text = |f: Field| {
            doc.get_first(f)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let num = |f: Field| {
            doc.get_first(f)
                .and_then(|v| v.as_u64())
                .unwrap_or_default()
        };
        StoredDoc {
            id: num(self.fields.id),
            program_id: num(self.fields.program),
            union_path: text(self.fields.union_path),
            status: text(self.fields.status),
            submitted_at: doc
                .get_first(self.fields.submitted_at)
                .and_then(|v| v.as_i64())
                .unwrap_or_default(),
            title: text(self.fields.title),
            body: text(self.fields.body),
        }
    }

    fn to_document(&self, d: &IndexedInitiative) -> TantivyDocument {
        let f = &self.fields;
        let body = d.body_text();
        let analyzed = if body.trim().is_empty() {
            Analyzed::new(&d.title)
        } else {
            Analyzed::new(&body)
        };
        let mut doc = TantivyDocument::new();
        doc.add_u64(f.id, d.id);
        doc.add_u64(f.program, d.program_id);
        doc.add_text(f.program_key, d.program_id.to_string());
        if let Some(field) = d.field_id {
            doc.add_text(f.field, field.to_string());
        }
        let canonical_path = canonical_union_prefix(&d.union_path);
        for p in union_prefixes(&canonical_path) {
            doc.add_text(f.union_scope, p);
        }
        doc.add_text(f.union_path, &canonical_path);
        doc.add_text(f.status, &d.status);
        doc.add_i64(f.submitted_at, d.submitted_at);
        doc.add_u64(f.fingerprint, analyzed.fingerprint());
        for s in analyzed.sketch() {
            doc.add_u64(f.sketch, s);
        }
        doc.add_text(f.title, &d.title);
        doc.add_text(f.body, &body);
        for _ in 0..TITLE_WEIGHT {
            doc.add_text(f.text, &d.title);
        }
        doc.add_text(f.text, &body);
        doc.add_u64(f.normalizer, u64::from(NORMALIZER_VERSION));
        doc
    }
}

fn new_writer(index: &Index, options: &IndexOptions) -> tantivy::Result<IndexWriter> {
    index.writer_with_num_threads(
        options.writer_threads.max(1),
        options
            .writer_memory
            .max(15_000_000 * options.writer_threads.max(1)),
    )
}

/// A stored initiative as read back from the index.
#[derive(Debug, Clone)]
pub(crate) struct StoredDoc {
    pub id: u64,
    pub program_id: u64,
    pub union_path: String,
    pub status: String,
    pub submitted_at: i64,
    pub title: String,
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use tantivy::directory::error::{DeleteError, OpenReadError, OpenWriteError};
    use tantivy::directory::{
        Directory, FileHandle, RamDirectory, WatchCallback, WatchHandle, WritePtr,
    };

    /// A directory in memory whose writes can be made to fail, as on a full disk.
    #[derive(Debug, Clone, Default)]
    struct FullDisk {
        inner: RamDirectory,
        full: Arc<AtomicBool>,
    }

    impl FullDisk {
        fn refuse(&self, path: &Path) -> Option<std::io::Error> {
            let full = self.full.load(Ordering::SeqCst);
            (full && !path.to_string_lossy().ends_with(".lock"))
                .then(|| std::io::Error::from_raw_os_error(28))
        }
    }

    impl Directory for FullDisk {
        fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
            self.inner.get_file_handle(path)
        }
        fn delete(&self, path: &Path) -> Result<(), DeleteError> {
            self.inner.delete(path)
        }
        fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
            self.inner.exists(path)
        }
        fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
            match self.refuse(path) {
                Some(e) => Err(OpenWriteError::wrap_io_error(e, path.to_path_buf())),
                None => self.inner.open_write(path),
            }
        }
        fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
            self.inner.atomic_read(path)
        }
        fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
            match self.refuse(path) {
                Some(e) => Err(e),
                None => self.inner.atomic_write(path, data),
            }
        }
        fn sync_directory(&self) -> std::io::Result<()> {
            self.inner.sync_directory()
        }
        fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
            self.inner.watch(watch_callback)
        }
    }

    fn doc(id: u64, title: &str) -> IndexedInitiative {
        IndexedInitiative {
            id,
            program_id: 1,
            field_id: None,
            union_path: "/1/".to_owned(),
            status: "submitted".to_owned(),
            submitted_at: 0,
            title: title.to_owned(),
            body_sections: vec!["Nội dung".to_owned()],
        }
    }

    #[test]
    fn a_failed_commit_is_done_again_by_a_new_writer() -> Result<(), SearchIndexError> {
        let dir = FullDisk::default();
        let (schema, fields) = build_schema();
        let index = Index::builder()
            .schema(schema)
            .settings(IndexSettings::default())
            .open_or_create(dir.clone())?;
        let search = SearchIndex::from_index(index, fields, IndexOptions::default())?;
        search.upsert(&doc(1, "Một"))?;
        search.commit()?;
        assert_eq!(search.num_docs(), 1);

        dir.full.store(true, Ordering::SeqCst);
        search.upsert(&doc(2, "Hai"))?;
        assert!(search.commit().is_err(), "the disk is full");
        assert!(!search.writer_open());
        // Still full: the new writer fails the same way, and searches go on meanwhile.
        search.upsert(&doc(2, "Hai"))?;
        assert!(search.commit().is_err());
        assert_eq!(search.num_docs(), 1);

        // Space returns: the work is done again and committed.
        dir.full.store(false, Ordering::SeqCst);
        search.upsert(&doc(2, "Hai"))?;
        search.upsert(&doc(3, "Ba"))?;
        search.commit()?;
        assert!(search.writer_open());
        assert_eq!(search.num_docs(), 3);
        Ok(())
    }

    #[test]
    fn union_prefixes_cover_every_ancestor() {
        assert_eq!(union_prefixes("/1/5/23/"), ["/1/", "/1/5/", "/1/5/23/"]);
        assert_eq!(canonical_union_prefix("1/5"), "/1/5/");
        assert_eq!(canonical_union_prefix("/"), "/");
    }
}
