//! The search index inside the service: a cache of the database, fed from the outbox by
//! sequence number, caught up at start and rebuilt on demand (`sangkien reindex`).
//!
//! Only submitted (non-draft) initiatives are indexed: drafts are private and are never
//! duplicate candidates.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use search_index::{IndexedInitiative, SearchIndex, SearchIndexError};
use tokio::sync::Notify;

use crate::db::initiatives::{self, InitiativeRow};
use crate::db::{Db, outbox};
use crate::error::AppError;

/// Outbox events read per batch.
const BATCH: i64 = 500;

/// The index with the outbox position it has applied.
pub struct SearchService {
    index: SearchIndex,
    seq_file: Option<PathBuf>,
    applied: AtomicI64,
    wake: Notify,
    /// Held while the index is being changed (catching up or rebuilding), so that a rebuild
    /// asked for from the settings page never interleaves with the background indexer.
    busy: Mutex<()>,
    /// The latest rebuild's progress.
    progress: Mutex<RebuildProgress>,
}

/// Where the latest rebuild of the index stands.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct RebuildProgress {
    /// Is a rebuild running now?
    pub running: bool,
    /// Initiatives indexed so far.
    pub done: u64,
    /// Initiatives to index.
    pub total: u64,
    /// When it started and finished (UTC).
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

impl std::fmt::Debug for SearchService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchService")
            .field("applied", &self.applied.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

fn index_error(e: search_index::SearchIndexError) -> AppError {
    AppError::internal(format!("search index: {e}"))
}

impl SearchService {
    /// Opens (or creates) the index under `dir`; the applied sequence number lives beside it.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        // A process that is stopping may still hold the writer lock for a moment.
        let mut attempt = 0;
        let mut schema_changed = false;
        let index = loop {
            match SearchIndex::open_in_dir(dir) {
                Ok(index) => break index,
                Err(SearchIndexError::SchemaChanged(why)) if !schema_changed => {
                    // Built by an older version: the index is a cache of the database, so it
                    // is made anew and rebuilt.
                    tracing::warn!(%why, dir = %dir.display(), "the search index has an older schema: rebuilding it");
                    std::fs::remove_dir_all(dir)?;
                    std::fs::create_dir_all(dir)?;
                    schema_changed = true;
                }
                Err(e) if attempt < 50 => {
                    attempt += 1;
                    tracing::debug!(error = %e, "search index busy, retrying");
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => anyhow::bail!(
                    "cannot open the search index in {} ({e}); is another sangkien process using it?",
                    dir.display()
                ),
            }
        };
        let seq_file = dir.join("applied_seq");
        let mut applied = std::fs::read_to_string(&seq_file)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .unwrap_or(0);
        if schema_changed {
            applied = -1;
        } else if index.needs_reindex().unwrap_or(true) {
            tracing::warn!("the search index was built by another normaliser version: rebuilding");
            applied = -1;
        }
        Ok(Self {
            index,
            seq_file: Some(seq_file),
            applied: AtomicI64::new(applied),
            wake: Notify::new(),
            busy: Mutex::new(()),
            progress: Mutex::new(RebuildProgress::default()),
        })
    }

    /// An index in memory (tests).
    pub fn in_memory() -> anyhow::Result<Self> {
        Ok(Self {
            index: SearchIndex::open_in_ram().map_err(|e| anyhow::anyhow!("{e}"))?,
            seq_file: None,
            applied: AtomicI64::new(0),
            wake: Notify::new(),
            busy: Mutex::new(()),
            progress: Mutex::new(RebuildProgress::default()),
        })
    }

    /// The index, for checks and searches.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// The last outbox sequence number applied (-1: a rebuild is due).
    pub fn applied_seq(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Asks the background indexer to look at the outbox now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn store_applied(&self, seq: i64) -> Result<(), AppError> {
        self.applied.store(seq, Ordering::SeqCst);
        if let Some(path) = &self.seq_file {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, seq.to_string())
                .and_then(|()| std::fs::rename(&tmp, path))
                .map_err(|e| AppError::internal(format!("writing {}: {e}", path.display())))?;
        }
        Ok(())
    }

    /// Applies every outbox event after the applied position (blocking); returns how many
    /// initiatives were (re)indexed.
    pub fn catch_up(&self, db: &Db) -> Result<usize, AppError> {
        let _busy = self.lock_busy();
        if self.applied_seq() < 0 {
            return self.rebuild_locked(db, |_, _| {});
        }
        let mut touched = 0;
        loop {
            let from = self.applied_seq();
            let events = db.blocking_read(|conn| Ok(outbox::after(conn, from, BATCH)?))?;
            let Some(last) = events.last().map(|e| e.seq) else {
                return Ok(touched);
            };
            let ids: BTreeSet<i64> = events
                .iter()
                .filter(|e| e.aggregate_type == "initiative")
                .map(|e| e.aggregate_id)
                .collect();
            if !ids.is_empty() {
                let ids: Vec<i64> = ids.into_iter().collect();
                let rows = db.blocking_read(|conn| Ok(initiatives::find_many(conn, &ids)?))?;
                for id in &ids {
                    match rows.iter().find(|r| r.id == *id) {
                        Some(row) if row.status != "draft" => {
                            self.index.upsert(&to_indexed(row)).map_err(index_error)?;
                        }
                        _ => self.index.delete(id.unsigned_abs()).map_err(index_error)?,
                    }
                }
                self.index.commit().map_err(index_error)?;
                touched += ids.len();
            }
            self.store_applied(last)?;
        }
    }

    fn lock_busy(&self) -> MutexGuard<'_, ()> {
        self.busy
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn progress_mut(&self) -> MutexGuard<'_, RebuildProgress> {
        self.progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The latest rebuild's progress.
    pub fn progress(&self) -> RebuildProgress {
        self.progress_mut().clone()
    }

    /// Marks a rebuild as started; `false` when one is already running.
    pub fn begin_rebuild(&self) -> bool {
        let mut p = self.progress_mut();
        if p.running {
            return false;
        }
        *p = RebuildProgress {
            running: true,
            started_at: Some(chrono::Utc::now()),
            ..RebuildProgress::default()
        };
        true
    }

    /// Gives up a rebuild marked by [`Self::begin_rebuild`] that could not start.
    pub fn cancel_rebuild(&self, why: &str) {
        let mut p = self.progress_mut();
        p.running = false;
        p.finished_at = Some(chrono::Utc::now());
        p.error = Some(why.to_owned());
    }

    /// Rebuilds the index from the database (blocking), reporting `(done, total)`.
    pub fn rebuild(&self, db: &Db, mut progress: impl FnMut(u64, u64)) -> Result<usize, AppError> {
        let _busy = self.lock_busy();
        {
            let mut p = self.progress_mut();
            p.running = true;
            p.done = 0;
            p.error = None;
            p.finished_at = None;
            if p.started_at.is_none() {
                p.started_at = Some(chrono::Utc::now());
            }
        }
        let result = self.rebuild_locked(db, |done, total| {
            {
                let mut p = self.progress_mut();
                p.done = done;
                p.total = total;
            }
            progress(done, total);
        });
        let mut p = self.progress_mut();
        p.running = false;
        p.finished_at = Some(chrono::Utc::now());
        if let Err(e) = &result {
            p.error = Some(e.to_string());
        }
        result
    }

    fn rebuild_locked(
        &self,
        db: &Db,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<usize, AppError> {
        // Everything written before this point is covered by the scan below.
        let seq = db.blocking_read(|conn| Ok(outbox::max_seq(conn)?))?;
        let total = db.blocking_read(|conn| Ok(initiatives::count_submitted(conn, None)?))?;
        self.index.clear().map_err(index_error)?;
        progress(0, total.max(0).unsigned_abs());
        let mut after = 0;
        let mut done: u64 = 0;
        loop {
            let rows = db
                .blocking_read(move |conn| Ok(initiatives::submitted_after(conn, after, 2_000)?))?;
            let Some(last) = rows.last().map(|r| r.id) else {
                break;
            };
            let docs: Vec<IndexedInitiative> = rows.iter().map(to_indexed).collect();
            self.index.upsert_many(&docs).map_err(index_error)?;
            done += docs.len() as u64;
            progress(done, total.max(0).unsigned_abs());
            after = last;
        }
        self.index.commit().map_err(index_error)?;
        self.store_applied(seq)?;
        Ok(usize::try_from(done).unwrap_or(usize::MAX))
    }
}

/// What the index keeps of an initiative.
pub fn to_indexed(row: &InitiativeRow) -> IndexedInitiative {
    IndexedInitiative {
        id: row.id.unsigned_abs(),
        program_id: row.program_id.unsigned_abs(),
        field_id: row.field_id.map(i64::unsigned_abs),
        union_path: row.union_path.clone(),
        status: row.status.clone(),
        submitted_at: row
            .submitted_at
            .unwrap_or(row.created_at)
            .and_utc()
            .timestamp(),
        title: row.title.clone(),
        body_sections: sections(row),
    }
}

/// The four sections in form order.
pub fn sections(row: &InitiativeRow) -> Vec<String> {
    vec![
        row.current_situation.clone(),
        row.solution.clone(),
        row.scope.clone(),
        row.benefits.clone(),
    ]
}

/// The shortest time between two index commits while writes keep coming: a commit costs a
/// new segment (and, later, merges), so under load one commit takes the changes of this long
/// rather than one each. It bounds how soon a change is searchable, well within the 1 s asked.
const COMMIT_GAP: Duration = Duration::from_millis(500);

/// Keeps the index caught up: after a wake-up or every `interval`, whichever comes first,
/// and not sooner than [`COMMIT_GAP`] after a catch-up that changed the index.
pub fn spawn_indexer(
    search: Arc<SearchService>,
    db: Db,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let s = search.clone();
            let d = db.clone();
            match tokio::task::spawn_blocking(move || s.catch_up(&d)).await {
                Ok(Ok(n)) if n > 0 => {
                    tracing::debug!(indexed = n, "search index caught up");
                    // Wake-ups meanwhile are kept (one permit) and served after the gap.
                    tokio::time::sleep(COMMIT_GAP).await;
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "indexing failed; will retry"),
                Err(e) => tracing::error!(error = %e, "indexer task failed"),
            }
            tokio::select! {
                () = search.wake.notified() => {}
                () = tokio::time::sleep(interval) => {}
            }
        }
    })
}
