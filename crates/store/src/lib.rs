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
use std::time::Duration;

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
}

/// Read connections on SQLite unless [`Store::connect_with`] says otherwise
/// (measured in docs/PERFORMANCE.md).
pub const DEFAULT_SQLITE_READERS: u32 = 4;

/// Connections to PostgreSQL.
const POSTGRES_CONNECTIONS: u32 = 20;

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
            let mut opts = ConnectOptions::new(url.to_owned());
            opts.sqlx_logging(false)
                .connect_timeout(Duration::from_secs(5))
                .acquire_timeout(Duration::from_secs(10))
                .max_connections(POSTGRES_CONNECTIONS);
            let db = Database::connect(opts).await.map_err(StoreError::Connect)?;
            return Ok(Self {
                writer: db.clone(),
                reader: db,
            });
        }
        // The writer first: it creates the file and turns WAL on.
        let mut opts = sqlite_options(url, 1, false);
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
        Ok(Self { writer, reader })
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

    /// Closes the pools.
    pub async fn close(self) -> Result<(), StoreError> {
        if self.backend() == DbBackend::Sqlite {
            self.reader.close().await.map_err(StoreError::Db)?;
        }
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
