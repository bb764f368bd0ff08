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
pub use queries::item::{ItemFilter, Origin, Paged};
pub use sea_orm::DbBackend;

use deling_migrations::Migrator;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// A handle on the database; cheap to clone (it wraps a connection pool).
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`).
    ///
    /// SQLite connections each get WAL, `synchronous=NORMAL`, foreign keys
    /// and a busy timeout: PRAGMAs are per connection, so they are set on
    /// every pooled connection, not once.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.sqlx_logging(false)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(10));
        if url.starts_with("sqlite:") {
            // sea-orm gives SQLite one connection; under load, callers wait
            // their turn rather than fail after the default ten seconds.
            opts.acquire_timeout(Duration::from_secs(60));
            opts.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    .create_if_missing(true)
            });
        } else {
            opts.max_connections(20);
        }
        let db = Database::connect(opts).await.map_err(StoreError::Connect)?;
        Ok(Self { db })
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None)
            .await
            .map_err(StoreError::Migrate)
    }

    /// Rolls every migration back (for tests and for `deling migrate --down`).
    pub async fn migrate_down_all(&self) -> Result<(), StoreError> {
        Migrator::down(&self.db, None)
            .await
            .map_err(StoreError::Migrate)
    }

    /// Names of applied migrations, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        let applied = Migrator::get_applied_migrations(&self.db)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(applied.iter().map(|m| m.name().to_owned()).collect())
    }

    /// Names of migrations not yet applied.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        let pending = Migrator::get_pending_migrations(&self.db)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(pending.iter().map(|m| m.name().to_owned()).collect())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await.map_err(StoreError::Db)
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await.map_err(StoreError::Db)
    }

    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Runs a raw statement; for tests that inspect the schema.
    #[doc(hidden)]
    pub async fn execute_unprepared(&self, sql: &str) -> Result<(), StoreError> {
        self.db
            .execute_unprepared(sql)
            .await
            .map(|_| ())
            .map_err(StoreError::Db)
    }
}
