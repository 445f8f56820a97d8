//! Persistence: one connection type over SQLite and PostgreSQL, the pool, migrations, and the
//! query modules (one per aggregate).
//!
//! Backend-specific behaviour (connection pragmas, migration trees, write serialisation on
//! SQLite) is confined to this module; query modules are written once against [`DbConn`].

pub mod audit;
pub mod coauthors;
pub mod counts;
pub mod duplicates;
pub mod idempotency;
pub mod imports;
pub mod initiatives;
pub mod ledger;
pub mod mail;
pub mod outbox;
pub mod privacy;
pub mod programs;
pub mod reorganisations;
pub mod review;
pub mod schema;
pub mod sessions;
pub mod unions;
pub mod users;

pub use crate::config::{Backend, DatabaseUrl};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

/// Migrations for SQLite, embedded in the binary.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// Migrations for PostgreSQL, embedded in the binary.
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Runs `$body` on the concrete connection inside a [`DbConn`], for what diesel's
/// multi-backend connection cannot express although both backends can: multi-row `INSERT`
/// and `ON CONFLICT`. The body is written once and compiled for each backend.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

/// A connection to either backend; queries written against it run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// PostgreSQL (production, several instances).
    Pg(PgConnection),
    /// SQLite (the embedded default).
    Sqlite(SqliteConnection),
}

/// Opens connections of the configured backend, with SQLite's pragmas on every connection.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

/// A pooled connection and when it was last given back. A connection given back less than
/// `TRUSTED_FOR` ago is handed out again without a round trip to check it (as HikariCP
/// does): under load no request pays for a ping, while one that sat idle (across a database
/// restart, say) is checked first. A connection that fails in use is dropped when given back.
pub struct Pooled {
    conn: DbConn,
    returned: Instant,
}

/// How long a connection given back stays trusted without a ping.
const TRUSTED_FOR: Duration = Duration::from_millis(500);

impl std::ops::Deref for Pooled {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        let conn = self.open()?;
        Ok(Pooled {
            conn,
            returned: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), r2d2::Error> {
        if conn.returned.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        conn.conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        // Called as the connection is given back.
        conn.returned = Instant::now();
        conn.conn.is_broken()
    }
}

impl Manager {
    fn open(&self) -> Result<DbConn, r2d2::Error> {
        match self.url.backend {
            Backend::Postgres => PgConnection::establish(&self.url.target)
                .map(DbConn::Pg)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.url.target)
                    .map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA mmap_size = 268435456; PRAGMA cache_size = -8192;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// The database handle the application shares: a pool, plus a write lock on SQLite (which
/// has a single writer; serialising writes in-process avoids `SQLITE_BUSY` on upgrade).
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    write_lock: Arc<Mutex<()>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Db {
    /// Connects a pool of `pool_size` connections (creating the SQLite file's folder).
    pub fn connect(url: &DatabaseUrl, pool_size: u32) -> anyhow::Result<Self> {
        if url.backend == Backend::Sqlite
            && let Some(parent) = std::path::Path::new(&url.target).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(5))
            .build(Manager { url: url.clone() })?;
        Ok(Self {
            pool,
            backend: url.backend,
            write_lock: Arc::new(Mutex::new(())),
        })
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations of the backend's tree; returns how many ran.
    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = self.pool.get()?;
        let ran = match &mut conn.conn {
            DbConn::Pg(c) => c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("migrating PostgreSQL: {e}"))?
                .len(),
            DbConn::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("migrating SQLite: {e}"))?
                .len(),
        };
        Ok(ran)
    }

    /// True when the database answers and no migration is pending.
    pub async fn ready(&self) -> Result<bool, AppError> {
        self.read(|conn| {
            let pending = match conn {
                DbConn::Pg(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
                DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
            };
            pending
                .map(|p| !p)
                .map_err(|e| AppError::unexpected(format!("checking migrations: {e}")))
        })
        .await
    }

    /// Runs `f` on a pooled connection in a blocking thread, outside any transaction: for
    /// reads (a statement that writes here commits alone).
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(AppError::unavailable)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::failed("database task failed", e))?
    }

    /// Runs `f` as one write transaction in a blocking thread: see [`Db::blocking_write`],
    /// which it is, off the async runtime.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.blocking_write(f))
            .await
            .map_err(|e| AppError::failed("database task failed", e))?
    }

    /// Runs `f` on a pooled connection synchronously, outside any transaction (background
    /// workers already on a blocking thread).
    pub fn blocking_read<T>(
        &self,
        f: impl FnOnce(&mut DbConn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut conn = self.pool.get().map_err(AppError::unavailable)?;
        f(&mut conn)
    }

    /// Runs `f` as one write transaction, synchronously (start-up tasks, the CLI, workers on a
    /// blocking thread). Every write transaction is the same: serialised with the other
    /// writes on SQLite (one writer, no `SQLITE_BUSY` on lock upgrade), concurrent on
    /// PostgreSQL; an `Err` rolls everything back, outbox and audit rows included; and the
    /// count moves of its status changes are applied at its end, just before the commit
    /// ([`counts::deferring`]), whoever opened it.
    pub fn blocking_write<T>(
        &self,
        f: impl FnOnce(&mut DbConn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut conn = self.pool.get().map_err(AppError::unavailable)?;
        let _guard = (self.backend == Backend::Sqlite)
            .then(|| self.write_lock.lock().unwrap_or_else(|p| p.into_inner()));
        conn.transaction(|c| {
            if self.backend == Backend::Sqlite {
                claim_sqlite_write_lock(c)?;
            }
            counts::deferring(c, f)
        })
    }
}

/// Takes SQLite's write lock as the transaction's first act, as `BEGIN IMMEDIATE` would: a
/// transaction that read first and wrote later could not wait for another process's writer
/// (SQLite answers `SQLITE_BUSY` at once rather than break the snapshot it read), while one
/// that writes first waits for it up to the busy timeout. In this process writes are
/// serialised anyway; this is for the command line and a second instance on one file.
fn claim_sqlite_write_lock(conn: &mut DbConn) -> Result<(), AppError> {
    diesel::sql_query("UPDATE __diesel_schema_migrations SET version = version WHERE 0")
        .execute(conn)?;
    Ok(())
}

/// The current UTC time truncated to microseconds, as both backends store it.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}

diesel::define_sql_function! {
    /// SQL `lower(text)`, on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `[lo, hi)` bounds that select every path starting with `prefix` (a materialised path that
/// ends in `/`): an index range scan on both backends.
pub fn path_range(prefix: &str) -> (String, String) {
    let mut hi = prefix.trim_end_matches('/').to_owned();
    hi.push('0'); // '0' is the byte after '/'
    (prefix.to_owned(), hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_scheme_selects_backend() {
        let pg = DatabaseUrl::parse("postgres://postgres@127.0.0.1/x").unwrap();
        assert_eq!(pg.backend, Backend::Postgres);
        let lite = DatabaseUrl::parse("sqlite://data/sangkien.db").unwrap();
        assert_eq!(lite.backend, Backend::Sqlite);
        assert_eq!(lite.target, "data/sangkien.db");
        assert!(DatabaseUrl::parse("postgress://x").is_err());
        assert!(DatabaseUrl::parse("data/sangkien.db").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn path_range_covers_subtree_only() {
        let (lo, hi) = path_range("/1/5/");
        for inside in ["/1/5/", "/1/5/23/", "/1/5/9/99/"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/1/50/", "/1/4/", "/1/6/", "/1/"] {
            assert!(
                !(outside >= lo.as_str() && outside < hi.as_str()),
                "{outside}"
            );
        }
    }
}
