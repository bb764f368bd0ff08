//! A database per test, on either backend, and the macros that run one test
//! body on both: [`both!`](crate::both) on a migrated schema,
//! [`both_fresh!`](crate::both_fresh) on an empty database.
//!
//! SQLite: a fresh file in a temporary directory. PostgreSQL: a
//! [`FreshDatabase`], skipped or failed as that module says when the server
//! cannot be reached.

use crate::postgres::FreshDatabase;
pub use deling_store::Store;
use std::future::Future;
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

/// The URL of SQLite file `file` in `dir` (made when first opened).
pub fn sqlite_url(dir: &std::path::Path, file: &str) -> String {
    format!("sqlite://{}?mode=rwc", dir.join(file).display())
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
    /// Dropped through the maintenance database.
    Postgres(FreshDatabase),
}

impl TestDb {
    /// A new SQLite database.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let url = sqlite_url(dir.path(), "deling.db");
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
        let db = FreshDatabase::create("deling_test").await?;
        let store = Store::connect(&db.url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to test database {}: {e}", db.url));
        Some(Self {
            store,
            url: db.url.clone(),
            cleanup: Cleanup::Postgres(db),
        })
    }

    /// Closes the store and removes the database (best effort).
    pub async fn destroy(self) {
        // The test may have closed the pool itself; that is fine.
        let _ = self.store.close().await;
        match self.cleanup {
            Cleanup::Sqlite(dir) => drop(dir),
            Cleanup::Postgres(db) => db.drop_now().await,
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
/// `both!(name, |store| { ... })`: `store` is a migrated
/// [`Store`](deling_store::Store).
#[macro_export]
macro_rules! both {
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $crate::db::run(
                    $crate::db::Backend::Sqlite,
                    $crate::db::Schema::Migrated,
                    |$store: $crate::db::Store, _url: String| async move $body,
                )
                .await;
            }

            #[tokio::test]
            async fn postgres() {
                $crate::db::run(
                    $crate::db::Backend::Postgres,
                    $crate::db::Schema::Migrated,
                    |$store: $crate::db::Store, _url: String| async move $body,
                )
                .await;
            }
        }
    };
}

/// Like [`both!`](crate::both), on an empty database:
/// `both_fresh!(name, |store, url| { ... })`, `url` being the database's
/// connection URL.
#[macro_export]
macro_rules! both_fresh {
    ($name:ident, |$store:ident, $url:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $crate::db::run(
                    $crate::db::Backend::Sqlite,
                    $crate::db::Schema::Fresh,
                    |$store: $crate::db::Store, $url: String| async move $body,
                )
                .await;
            }

            #[tokio::test]
            async fn postgres() {
                $crate::db::run(
                    $crate::db::Backend::Postgres,
                    $crate::db::Schema::Fresh,
                    |$store: $crate::db::Store, $url: String| async move $body,
                )
                .await;
            }
        }
    };
}
