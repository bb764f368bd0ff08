//! Deling's persistence: sea-orm entities and the queries over them. This is
//! the only crate that speaks SQL; it runs on SQLite (the embedded default)
//! and PostgreSQL alike.
//!
//! Functions share verbs: `get_*` reads one, `list_*` reads many, `put_*`
//! inserts, `update_*` changes and `delete_*` removes (or tombstones).
#![deny(missing_docs)]

pub mod entities;
mod error;
pub mod queries;
pub mod records;

pub use error::StoreError;
pub use queries::item::{ItemCursor, ItemFilter, ItemSlice, Origin, Paged};
pub use sea_orm::DbBackend;

use deling_migrations::Migrator;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::{
    sync::{
        Arc, LazyLock, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

/// A handle on the database; cheap to clone (it wraps connection pools).
///
/// On SQLite there are two pools on the same file: `writer` has a single
/// connection, so writers wait their turn in the process instead of
/// racing for SQLite's lock (a deferred transaction that read first and
/// then finds another writer ahead of it fails at once with "database is
/// locked", whatever the busy timeout), and `reader` has several, so reads
/// go on beside a write (WAL). On PostgreSQL, and for an in-memory SQLite
/// database (where each new connection would be a new, empty database),
/// both are the same pool.
#[derive(Clone, Debug)]
pub struct Store {
    writer: DatabaseConnection,
    reader: DatabaseConnection,
    /// The writer pool's place in [`WATCH`], given up when the last clone
    /// of this store goes.
    _watched: Arc<Watched>,
}

/// The writes of every [`Store`] in this process, for [`Store::write_mark`].
/// One for the whole process rather than one per store: tests and the
/// bench open a second store on the server's database and write through
/// it, and what a server caches must see those writes too.
#[derive(Debug, Default)]
struct WriteWatch {
    /// Bumped each time a writer pool hands a connection out or takes one
    /// back.
    writes: AtomicU64,
    /// The writer pools of the stores open in this process, by a number
    /// of their own.
    pools: Mutex<Vec<(u64, WriterPool)>>,
    /// The number of the next store's writer pool.
    next: AtomicU64,
}

static WATCH: LazyLock<WriteWatch> = LazyLock::new(WriteWatch::default);

/// A writer pool, asked whether all its connections are idle.
#[derive(Debug, Clone)]
enum WriterPool {
    Sqlite(sea_orm::sqlx::SqlitePool),
    Postgres(sea_orm::sqlx::PgPool),
}

impl WriterPool {
    fn of(db: &DatabaseConnection) -> Option<Self> {
        match db.get_database_backend() {
            DbBackend::Sqlite => Some(Self::Sqlite(db.get_sqlite_connection_pool().clone())),
            DbBackend::Postgres => Some(Self::Postgres(db.get_postgres_connection_pool().clone())),
            _ => None,
        }
    }

    /// No connection is out of the pool (nor being opened or returned).
    fn idle(&self) -> bool {
        let (size, idle) = match self {
            Self::Sqlite(p) => (p.size(), p.num_idle()),
            Self::Postgres(p) => (p.size(), p.num_idle()),
        };
        idle >= size as usize
    }
}

/// A store's writer pool registered in [`WATCH`].
#[derive(Debug)]
struct Watched(u64);

impl Watched {
    fn register(writer: &DatabaseConnection) -> Self {
        let id = WATCH.next.fetch_add(1, Ordering::Relaxed);
        if let (Some(pool), Ok(mut pools)) = (WriterPool::of(writer), WATCH.pools.lock()) {
            pools.push((id, pool));
        }
        Self(id)
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if let Ok(mut pools) = WATCH.pools.lock() {
            pools.retain(|(id, _)| *id != self.0);
        }
    }
}

/// Counts every check-out and return of a connection of the pool `opts`
/// builds in [`WATCH`]: a connection is handed out either fresh
/// (`after_connect`) or from the idle queue (`before_acquire`), and comes
/// back through `after_release` once the code that held it is done with
/// it, so after its commit.
macro_rules! watch_writes {
    ($opts:expr, $map:ident, $db:ty) => {{
        $opts.$map(|pool: sea_orm::sqlx::pool::PoolOptions<$db>| {
            let bump = || WATCH.writes.fetch_add(1, Ordering::SeqCst);
            pool.after_connect(move |_, _| {
                bump();
                Box::pin(async { Ok(()) })
            })
            .before_acquire(move |_, _| {
                bump();
                Box::pin(async { Ok(true) })
            })
            .after_release(move |_, _| {
                bump();
                Box::pin(async { Ok(true) })
            })
        });
    }};
}

/// Read connections on SQLite unless [`Store::connect_with`] says otherwise
/// (measured in docs/PERFORMANCE.md).
pub const DEFAULT_SQLITE_READERS: u32 = 4;

/// Connections to PostgreSQL for writes and transactions.
const POSTGRES_WRITE_CONNECTIONS: u32 = 8;

/// Connections to PostgreSQL for reads outside a transaction.
const POSTGRES_READ_CONNECTIONS: u32 = 12;

/// Whether a SQLite URL names a database that lives in the connection.
fn sqlite_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// Options for one SQLite pool; PRAGMAs are per connection, so they are set
/// on every connection the pool opens, not once through one of them.
fn sqlite_options(url: &str, connections: u32, query_only: bool) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .max_connections(connections)
        .min_connections(1)
        // Under a burst, callers wait their turn for a connection rather
        // than fail after the default ten seconds.
        .acquire_timeout(Duration::from_secs(60));
    opts.map_sqlx_sqlite_opts(move |o| {
        let o = o
            .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .create_if_missing(!query_only);
        // A write sent to a read connection by mistake fails loudly in
        // the tests instead of racing the writer.
        if query_only {
            o.pragma("query_only", "ON")
        } else {
            o
        }
    });
    opts
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`),
    /// with [`DEFAULT_SQLITE_READERS`] read connections on SQLite.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, DEFAULT_SQLITE_READERS).await
    }

    /// Connects with `readers` read connections on SQLite (at least one)
    /// besides its one writer; PostgreSQL gets one pool of its own size.
    pub async fn connect_with(url: &str, readers: u32) -> Result<Self, StoreError> {
        if !url.starts_with("sqlite:") {
            // Two pools, as on SQLite: writes and transactions on one,
            // reads on the other, so that only writes move `write_mark`
            // and the caches of rendered pages keep while nothing is
            // written. Together as many connections as one pool had.
            let pool = |connections: u32| {
                let mut opts = ConnectOptions::new(url.to_owned());
                opts.sqlx_logging(false)
                    .connect_timeout(Duration::from_secs(5))
                    .acquire_timeout(Duration::from_secs(10))
                    .max_connections(connections);
                opts
            };
            let mut writer = pool(POSTGRES_WRITE_CONNECTIONS);
            watch_writes!(writer, map_sqlx_postgres_pool_opts, sea_orm::sqlx::Postgres);
            let writer = Database::connect(writer)
                .await
                .map_err(StoreError::Connect)?;
            let reader = Database::connect(pool(POSTGRES_READ_CONNECTIONS))
                .await
                .map_err(StoreError::Connect)?;
            return Ok(Self {
                _watched: Arc::new(Watched::register(&writer)),
                writer,
                reader,
            });
        }
        // The writer first: it creates the file and turns WAL on.
        let mut opts = sqlite_options(url, 1, false);
        watch_writes!(opts, map_sqlx_sqlite_pool_opts, sea_orm::sqlx::Sqlite);
        if sqlite_in_memory(url) {
            // The database lives only as long as its connection: never
            // retire it for age or idleness.
            opts.idle_timeout(None).max_lifetime(None);
        }
        let writer = Database::connect(opts).await.map_err(StoreError::Connect)?;
        let reader = if sqlite_in_memory(url) {
            writer.clone()
        } else {
            Database::connect(sqlite_options(url, readers.max(1), true))
                .await
                .map_err(StoreError::Connect)?
        };
        Ok(Self {
            _watched: Arc::new(Watched::register(&writer)),
            writer,
            reader,
        })
    }

    /// A mark of the writes made in this process, for caches of what was
    /// read: two equal marks mean that no write began or ended between
    /// them, through this store or any other open in the process, so what
    /// was read after the first is still current at the second. `None`
    /// while a write may be under way (a connection of a writer pool is
    /// out), when nothing read may be kept.
    ///
    /// Take the mark before reading and keep what was read only while the
    /// mark stays the same: a write that ended before the mark was taken
    /// is in what is read after it, and one that begins later changes the
    /// mark as its connection leaves the idle queue. Writes by other
    /// processes (the CLI) are not seen, so such a cache must also expire.
    /// On in-memory SQLite reads share the writer's connection, so every
    /// read changes the mark too.
    pub fn write_mark(&self) -> Option<u64> {
        let mark = WATCH.writes.load(Ordering::SeqCst);
        let pools = WATCH.pools.lock().ok()?;
        pools.iter().all(|(_, p)| p.idle()).then_some(mark)
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.writer, None)
            .await
            .map_err(StoreError::Migrate)
    }

    /// Rolls every migration back (for tests and for `deling migrate --down`).
    pub async fn migrate_down_all(&self) -> Result<(), StoreError> {
        Migrator::down(&self.writer, None)
            .await
            .map_err(StoreError::Migrate)
    }

    /// Names of applied migrations, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        let applied = Migrator::get_applied_migrations(&self.writer)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(applied.iter().map(|m| m.name().to_owned()).collect())
    }

    /// Names of migrations not yet applied.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        let pending = Migrator::get_pending_migrations(&self.writer)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(pending.iter().map(|m| m.name().to_owned()).collect())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.reader.ping().await.map_err(StoreError::Db)
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.writer.get_database_backend()
    }

    /// Closes the pools (both on each database: PostgreSQL has a read pool
    /// of its own too; closing the one pool an in-memory SQLite store shares
    /// twice is harmless).
    pub async fn close(self) -> Result<(), StoreError> {
        self.reader.close().await.map_err(StoreError::Db)?;
        self.writer.close().await.map_err(StoreError::Db)
    }

    /// The connection that may write (and read what it is about to
    /// change). On SQLite it is the single writer: whatever uses it waits
    /// for the write before it.
    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// A connection for reads that need not wait for a writer.
    pub(crate) fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// Starts a write transaction. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a deferred transaction that reads first
    /// cannot wait for the lock when it comes to write, and another
    /// process (the CLI beside the server) may hold it.
    pub(crate) async fn begin(&self) -> Result<DatabaseTransaction, StoreError> {
        let txn = if self.backend() == DbBackend::Sqlite {
            self.writer
                .begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await
        } else {
            self.writer.begin().await
        };
        txn.map_err(StoreError::Db)
    }

    /// Runs a raw statement; for tests that inspect the schema.
    #[doc(hidden)]
    pub async fn execute_unprepared(&self, sql: &str) -> Result<(), StoreError> {
        self.writer
            .execute_unprepared(sql)
            .await
            .map(|_| ())
            .map_err(StoreError::Db)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits (with a generous guard, not a timing) for the writer's
    /// connection to be back in its pool: it is returned by a task of its
    /// own after the transaction that held it ends.
    async fn settled(store: &Store) -> u64 {
        for _ in 0..60_000 {
            if let Some(mark) = store.write_mark() {
                return mark;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        panic!("the writer's connection never came back");
    }

    #[tokio::test]
    async fn the_write_mark_follows_writes_not_reads() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let before = settled(&store).await;

        // Reads go through the readers: the mark stays.
        store.count_agencies().await.unwrap();
        assert_eq!(store.write_mark(), Some(before));

        // While a write is open there is no mark; after it, a new one.
        let txn = store.begin().await.unwrap();
        assert_eq!(store.write_mark(), None);
        txn.execute_unprepared("CREATE TABLE scratch (x INTEGER)")
            .await
            .unwrap();
        assert_eq!(store.write_mark(), None);
        txn.commit().await.unwrap();
        let after = settled(&store).await;
        assert!(after > before);

        // A second store on the same database shares the mark.
        let other = Store::connect(&url).await.unwrap();
        let before = settled(&store).await;
        other
            .execute_unprepared("INSERT INTO scratch VALUES (1)")
            .await
            .unwrap();
        assert!(settled(&store).await > before);
        other.close().await.unwrap();
        store.close().await.unwrap();
    }
}
