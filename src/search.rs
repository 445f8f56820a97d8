//! The search index inside the service: a cache of the database, fed from the outbox by
//! sequence number, caught up at start and rebuilt on demand (`sangkien reindex`).
//!
//! Only submitted (non-draft) initiatives are indexed: drafts are private and are never
//! duplicate candidates.

use std::collections::{BTreeMap, BTreeSet};
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
    /// The low watermark of [`Position`] (-1: a rebuild is due), readable without a lock.
    applied: AtomicI64,
    position: Mutex<Position>,
    wake: Notify,
    /// Held while the index is being changed (catching up or rebuilding), so that a rebuild
    /// asked for from the settings page never interleaves with the background indexer.
    busy: Mutex<()>,
    /// The latest rebuild's progress.
    progress: Mutex<RebuildProgress>,
}

/// How far the indexer has read the outbox.
///
/// Sequence numbers are drawn when a row is inserted but become visible when its
/// transaction commits: on PostgreSQL, with writers running concurrently, a lower number can
/// appear after a higher one was applied. So the position is the highest number applied plus
/// the *holes*, the numbers below it not seen yet. Each catch-up reads the holes again;
/// a hole is given up only once it can no longer appear: when every transaction that was
/// running when the hole was first seen has ended (it committed, and the re-read that
/// follows finds it, or it rolled back and left a permanent gap). On SQLite one writer
/// commits at a time, in sequence order, so a gap is permanent as soon as it is seen.
#[derive(Debug, Default)]
struct Position {
    /// The highest sequence number applied (-1: a rebuild is due).
    high: i64,
    /// Numbers below `high` not seen yet, each with the `xmax` of a PostgreSQL snapshot taken
    /// after the read that showed the gap: once the oldest running transaction is at or
    /// past it, every transaction that could hold the number has ended.
    holes: BTreeMap<i64, i64>,
    /// The low watermark last written to `applied_seq`.
    stored: Option<i64>,
    /// Why the latest catch-up failed, until one succeeds.
    index_error: Option<String>,
    /// Why writing the position file failed, until a write succeeds.
    store_error: Option<String>,
}

impl Position {
    /// Every number up to this one has been applied or can no longer appear: a restart
    /// reads on from here (replaying what was applied above it is harmless: upserts).
    fn low(&self) -> i64 {
        self.holes
            .first_key_value()
            .map_or(self.high, |(first, _)| first - 1)
    }
}

/// The index's state, as readiness reports it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IndexHealth {
    /// `ok`; `rebuilding`; or `degraded`: the latest attempt to index or to record the
    /// position failed (a full disk, say). Submissions go on; the index catches up by itself
    /// once it can, and until then checks see it as it was.
    pub status: &'static str,
    /// Every outbox event up to this one is in the index.
    pub applied_seq: i64,
    /// Outbox numbers above `applied_seq` not seen yet (transactions still running, or
    /// rolled back and soon given up).
    pub pending_gaps: usize,
    /// What failed: `index_write` or `position_write` (the details are in the log).
    pub failing: Option<&'static str>,
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
            .field("holes", &self.position_mut().holes.len())
            .finish_non_exhaustive()
    }
}

fn index_error(e: search_index::SearchIndexError) -> AppError {
    AppError::failed("search index", e)
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
            position: Mutex::new(Position {
                high: applied,
                stored: (applied >= 0).then_some(applied),
                ..Position::default()
            }),
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
            position: Mutex::new(Position::default()),
            wake: Notify::new(),
            busy: Mutex::new(()),
            progress: Mutex::new(RebuildProgress::default()),
        })
    }

    /// The index, for checks and searches.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// The outbox position applied: every event up to it is in the index (-1: a rebuild is
    /// due). Events above it may be applied too, when an earlier number is still missing.
    pub fn applied_seq(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// The index's state for readiness.
    pub fn health(&self) -> IndexHealth {
        let rebuilding = self.progress_mut().running;
        let p = self.position_mut();
        let failing = if p.index_error.is_some() {
            Some("index_write")
        } else if p.store_error.is_some() {
            Some("position_write")
        } else {
            None
        };
        IndexHealth {
            status: if failing.is_some() {
                "degraded"
            } else if rebuilding || p.high < 0 {
                "rebuilding"
            } else {
                "ok"
            },
            applied_seq: p.low(),
            pending_gaps: p.holes.len(),
            failing,
        }
    }

    /// Asks the background indexer to look at the outbox now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn position_mut(&self) -> MutexGuard<'_, Position> {
        self.position
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Moves the position (in memory) and publishes its low watermark.
    fn set_position(&self, f: impl FnOnce(&mut Position)) {
        let mut p = self.position_mut();
        f(&mut p);
        self.applied.store(p.low(), Ordering::SeqCst);
    }

    /// Writes the low watermark to `applied_seq` if it moved. A failure (a full disk) loses
    /// nothing: the position stays in memory, the write is tried again at every catch-up,
    /// and until it succeeds a restart reads the outbox again from the older position.
    fn store_applied(&self) {
        let Some(path) = &self.seq_file else {
            return;
        };
        let mut p = self.position_mut();
        let low = p.low();
        if low < 0 || p.stored == Some(low) {
            return;
        }
        let tmp = path.with_extension("tmp");
        match std::fs::write(&tmp, low.to_string()).and_then(|()| std::fs::rename(&tmp, path)) {
            Ok(()) => {
                p.stored = Some(low);
                if p.store_error.take().is_some() {
                    tracing::info!(seq = low, "the index position is written again");
                }
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                if p.store_error.is_none() {
                    tracing::warn!(error = %e, path = %path.display(), "cannot write the index position; will retry");
                }
                p.store_error = Some(e.to_string());
            }
        }
    }

    /// Applies every outbox event not applied yet (blocking): the holes below the position
    /// that have appeared since, then everything after it. Returns how many initiatives were
    /// (re)indexed. On failure nothing past the last commit counts as applied, and the next
    /// call does it again.
    pub fn catch_up(&self, db: &Db) -> Result<usize, AppError> {
        let _busy = self.lock_busy();
        let result = self.catch_up_locked(db);
        {
            let mut p = self.position_mut();
            match &result {
                Ok(_) => {
                    if p.index_error.take().is_some() {
                        tracing::info!("the search index is writable again and caught up");
                    }
                }
                Err(e) => {
                    // Once per failure, not at every retry.
                    if p.index_error.is_none() {
                        tracing::warn!(error = %e, "indexing failed; the index is behind and will catch up");
                    }
                    p.index_error = Some(e.to_string());
                }
            }
        }
        self.store_applied();
        result
    }

    fn catch_up_locked(&self, db: &Db) -> Result<usize, AppError> {
        if self.applied_seq() < 0 {
            return self.rebuild_locked(db, |_, _| {});
        }
        let mut touched = 0;
        // Under sustained writes this loop runs for as long as events keep coming, so the
        // holes are read again at every turn, not only when a catch-up begins.
        loop {
            let holes: Vec<i64> = self.position_mut().holes.keys().copied().collect();
            // Taken before the holes are read again: a transaction that has ended by now
            // either committed, and the re-read sees its event, or rolled back.
            let settled = if holes.is_empty() {
                None
            } else {
                db.blocking_read(|conn| Ok(outbox::snapshot(conn)?))?
            };
            let appeared = if holes.is_empty() {
                Vec::new()
            } else {
                db.blocking_read(|conn| Ok(outbox::with_seqs(conn, &holes)?))?
            };
            let high = self.position_mut().high;
            let events = db.blocking_read(|conn| Ok(outbox::after(conn, high, BATCH)?))?;
            // Taken after the read: a transaction holding a number missing from it had drawn
            // that number before a later one committed, so it was running (with its id) by
            // then, and its id is below this snapshot's xmax.
            let seen = if events.is_empty() {
                None
            } else {
                db.blocking_read(|conn| Ok(outbox::snapshot(conn)?))?
            };
            if !appeared.is_empty() || !events.is_empty() {
                let all: Vec<&outbox::OutboxRow> = appeared.iter().chain(&events).collect();
                touched += self.apply(db, &all)?;
            }
            self.set_position(|p| {
                let before = p.holes.len();
                for e in &appeared {
                    p.holes.remove(&e.seq);
                }
                // Holes exist only on PostgreSQL, where `settled` was taken whenever there
                // were any (SQLite commits in sequence order and has no snapshot).
                if let Some(snap) = &settled {
                    p.holes.retain(|_, xmax| *xmax > snap.xmin);
                }
                let given_up = before.saturating_sub(appeared.len() + p.holes.len());
                if !appeared.is_empty() || given_up > 0 {
                    tracing::debug!(
                        appeared = appeared.len(),
                        given_up,
                        pending = p.holes.len(),
                        "outbox holes read again"
                    );
                }
                if let Some(snap) = &seen {
                    let mut expected = high + 1;
                    for e in &events {
                        for missing in expected..e.seq {
                            p.holes.insert(missing, snap.xmax);
                        }
                        expected = e.seq + 1;
                    }
                }
                if let Some(last) = events.last() {
                    p.high = last.seq;
                }
            });
            if events.is_empty() {
                return Ok(touched);
            }
        }
    }

    /// Indexes the initiatives that `events` name, as they are now, and commits.
    fn apply(&self, db: &Db, events: &[&outbox::OutboxRow]) -> Result<usize, AppError> {
        let mut ids: BTreeSet<i64> = events
            .iter()
            .filter(|e| e.aggregate_type == "initiative")
            .map(|e| e.aggregate_id)
            .collect();
        // A subtree moved (a reorganisation): its initiatives are re-scoped.
        let moved: Vec<String> = events
            .iter()
            .filter(|e| e.event_type == "union.moved")
            .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.payload).ok())
            .filter_map(|p| p.get("to").and_then(|t| t.as_str()).map(str::to_owned))
            .collect();
        for path in &moved {
            ids.extend(db.blocking_read(|conn| Ok(initiatives::counted_ids_under(conn, path)?))?);
        }
        if ids.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = ids.into_iter().collect();
        for chunk in ids.chunks(1_000) {
            let rows = db.blocking_read(|conn| Ok(initiatives::find_many(conn, chunk)?))?;
            for id in chunk {
                match rows.iter().find(|r| r.id == *id) {
                    Some(row) if row.status != "draft" => {
                        self.index.upsert(&to_indexed(row)).map_err(index_error)?;
                    }
                    _ => self.index.delete(id.unsigned_abs()).map_err(index_error)?,
                }
            }
        }
        self.index.commit().map_err(index_error)?;
        Ok(ids.len())
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
        // Everything written before this point is covered by the scan below: on PostgreSQL,
        // once the transactions that were running when it was read have ended (one of them
        // may hold a lower number, not visible yet).
        let seq = db.blocking_read(|conn| Ok(outbox::max_seq(conn)?))?;
        wait_for_running_transactions(db)?;
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
        self.set_position(|p| {
            p.high = seq;
            p.holes.clear();
        });
        self.store_applied();
        Ok(usize::try_from(done).unwrap_or(usize::MAX))
    }
}

/// Waits until every PostgreSQL transaction running now has ended (at once on SQLite).
fn wait_for_running_transactions(db: &Db) -> Result<(), AppError> {
    let Some(start) = db.blocking_read(|conn| Ok(outbox::snapshot(conn)?))? else {
        return Ok(());
    };
    let began = std::time::Instant::now();
    let mut warned = false;
    loop {
        let now = db.blocking_read(|conn| Ok(outbox::snapshot(conn)?))?;
        if now.is_none_or(|s| s.xmin >= start.xmax) {
            return Ok(());
        }
        if !warned && began.elapsed() > Duration::from_secs(10) {
            tracing::warn!("the index rebuild waits for a long-running transaction to end");
            warned = true;
        }
        std::thread::sleep(Duration::from_millis(20));
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
/// and not sooner than `COMMIT_GAP` after a catch-up that changed the index.
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
                // Logged once by `catch_up`; retried after the interval.
                Ok(Err(e)) => tracing::debug!(error = %e, "indexing failed; will retry"),
                Err(e) => tracing::error!(error = %e, "indexer task failed"),
            }
            tokio::select! {
                () = search.wake.notified() => {}
                () = tokio::time::sleep(interval) => {}
            }
        }
    })
}
