//! Test databases for the store's integration tests: every test body runs
//! once on SQLite and once on PostgreSQL, each time on a database of its own.
//!
//! SQLite: a fresh file in a temporary directory.
//! PostgreSQL: a fresh database with a random name on the server named by
//! `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`),
//! dropped after the test. When the server cannot be reached the PostgreSQL
//! case is skipped with a note on stderr, unless `TEST_REQUIRE_POSTGRES=1`
//! (as in CI), which makes it fail.
#![allow(dead_code, unused_macros, clippy::unwrap_used, clippy::expect_used)]

use deling_store::Store;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use std::{collections::BTreeSet, future::Future, io::Write, sync::OnceLock};
use tempfile::TempDir;

/// Which database a case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// Whether the test gets a migrated schema or an empty database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// `Store::migrate` has run.
    Migrated,
    /// Nothing has run.
    Fresh,
}

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432";

/// Why PostgreSQL was found unreachable, remembered so that later cases in
/// the same test binary skip at once instead of waiting on timeouts again.
static POSTGRES_DOWN: OnceLock<String> = OnceLock::new();

fn postgres_base_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_owned())
        .trim()
        .trim_end_matches('/')
        .to_owned()
}

fn postgres_required() -> bool {
    std::env::var("TEST_REQUIRE_POSTGRES").is_ok_and(|v| v.trim() == "1")
}

/// A database made for one test, removed by [`TestDb::destroy`].
pub struct TestDb {
    /// The store on it.
    pub store: Store,
    /// Its connection URL.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Dropping the directory deletes the file.
    Sqlite(TempDir),
    /// `DROP DATABASE name` through `admin_url`.
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// A new SQLite database.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let path = dir.path().join("deling.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let store = Store::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open SQLite database {url}: {e}"));
        Self {
            store,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A new PostgreSQL database, or `None` (after a note on stderr) when the
    /// server is unreachable and not required.
    pub async fn postgres() -> Option<Self> {
        let base = postgres_base_url();
        let unreachable = |reason: String| -> Option<Self> {
            if postgres_required() {
                panic!(
                    "PostgreSQL is required (TEST_REQUIRE_POSTGRES=1) but unreachable at \
                     {base}: {reason}"
                );
            }
            // Straight to stderr: the test harness captures `eprintln!` of
            // passing tests, and a skip must not go unnoticed.
            let _ = writeln!(std::io::stderr(), "skipping PostgreSQL case: {reason}");
            None
        };
        if let Some(reason) = POSTGRES_DOWN.get() {
            return unreachable(reason.clone());
        }
        let admin_url = format!("{base}/postgres");
        let admin = match Store::connect(&admin_url).await {
            Ok(s) => s,
            Err(e) => {
                let reason = format!("cannot connect to {admin_url}: {e}");
                let _ = POSTGRES_DOWN.set(reason.clone());
                return unreachable(reason);
            }
        };
        let name = format!("deling_test_{:016x}", rand::random::<u64>());
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        let url = format!("{base}/{name}");
        let store = Store::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to test database {url}: {e}"));
        Some(Self {
            store,
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        })
    }

    /// Closes the store and removes the database (best effort).
    pub async fn destroy(self) {
        // The test may have closed the pool itself; that is fine.
        let _ = self.store.close().await;
        match self.cleanup {
            Cleanup::Sqlite(dir) => drop(dir),
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(admin) = Store::connect(&admin_url).await {
                    if let Err(e) = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await
                    {
                        eprintln!("could not drop test database {name}: {e}");
                    }
                    let _ = admin.close().await;
                }
            }
        }
    }
}

/// Runs `body` on a new database of `backend`, then removes the database,
/// also when the body panics (the panic is passed on afterwards).
pub async fn run<F, Fut>(backend: Backend, schema: Schema, body: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = match backend {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => match TestDb::postgres().await {
            Some(db) => db,
            None => return,
        },
    };
    if schema == Schema::Migrated
        && let Err(e) = db.store.migrate().await
    {
        let msg = format!("migrating the {backend:?} test database failed: {e}");
        db.destroy().await;
        panic!("{msg}");
    }
    let outcome = tokio::spawn(body(db.store.clone(), db.url.clone())).await;
    db.destroy().await;
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("test task did not finish: {e}"),
        }
    }
}

/// Defines a test that runs on both backends: a module `name` with the
/// tests `sqlite` and `postgres`.
///
/// `both!(name, |store| { ... })`: `store` is a migrated [`Store`].
macro_rules! both {
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $crate::common::run(
                    $crate::common::Backend::Sqlite,
                    $crate::common::Schema::Migrated,
                    |$store: ::deling_store::Store, _url: String| async move $body,
                )
                .await;
            }

            #[tokio::test]
            async fn postgres() {
                $crate::common::run(
                    $crate::common::Backend::Postgres,
                    $crate::common::Schema::Migrated,
                    |$store: ::deling_store::Store, _url: String| async move $body,
                )
                .await;
            }
        }
    };
}

/// Like [`both!`], on an empty database: `both_fresh!(name, |store, url| { ... })`,
/// `url` being the database's connection URL.
macro_rules! both_fresh {
    ($name:ident, |$store:ident, $url:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $crate::common::run(
                    $crate::common::Backend::Sqlite,
                    $crate::common::Schema::Fresh,
                    |$store: ::deling_store::Store, $url: String| async move $body,
                )
                .await;
            }

            #[tokio::test]
            async fn postgres() {
                $crate::common::run(
                    $crate::common::Backend::Postgres,
                    $crate::common::Schema::Fresh,
                    |$store: ::deling_store::Store, $url: String| async move $body,
                )
                .await;
            }
        }
    };
}

/// Runs a query returning one text column `name` on a connection of its own,
/// for looking at the schema behind the store's back.
async fn names(url: &str, sqlite_sql: &str, postgres_sql: &str) -> BTreeSet<String> {
    let db = Database::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => sqlite_sql,
        _ => postgres_sql,
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap_or_else(|e| panic!("schema query failed: {e}"));
    let out = rows
        .iter()
        .map(|r| r.try_get::<String>("", "name").expect("a name column"))
        .collect();
    let _ = db.close().await;
    out
}

/// Every table, index and sequence in the database (SQLite's internal
/// objects left out).
pub async fn schema_objects(url: &str) -> BTreeSet<String> {
    names(
        url,
        "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
        "SELECT c.relname::text AS name FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
    )
    .await
}

/// The tables in the database.
pub async fn tables(url: &str) -> BTreeSet<String> {
    names(
        url,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .await
}
