//! Fresh PostgreSQL databases, one per test, on the server
//! `TEST_POSTGRES_URL` names (default `postgres://postgres@127.0.0.1:5432`),
//! dropped when the test is done with them.
//!
//! When the server cannot be reached, [`FreshDatabase::create`] prints a
//! note to stderr and returns `None`, and the case is skipped; under
//! `TEST_REQUIRE_POSTGRES=1` (as in CI) it panics instead.

use deling_store::Store;
use std::{future::Future, io::Write, sync::OnceLock};

/// The server used when `TEST_POSTGRES_URL` is not set.
pub const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// Why PostgreSQL was found unreachable, remembered so that later cases in
/// the same test binary skip at once instead of waiting on timeouts again.
static DOWN: OnceLock<String> = OnceLock::new();

/// The server's URL, without a database and without a trailing `/`.
pub fn server_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_SERVER.to_owned())
        .trim()
        .trim_end_matches('/')
        .to_owned()
}

/// The maintenance database, through which test databases are made.
fn admin_url() -> String {
    format!("{}/postgres", server_url())
}

/// Whether an unreachable server is a failure (`TEST_REQUIRE_POSTGRES=1`).
pub fn required() -> bool {
    std::env::var("TEST_REQUIRE_POSTGRES").is_ok_and(|v| v.trim() == "1")
}

/// Says on stderr that a case is skipped, and why. Written to the stream
/// itself: the test harness captures `eprintln!` of passing tests, and a
/// skip must not go unnoticed.
pub fn skip_note(reason: &str) {
    let _ = writeln!(std::io::stderr(), "skipping a PostgreSQL case: {reason}");
}

/// A database made for one test: dropped by [`FreshDatabase::drop_now`],
/// or when the value is dropped (a test that panicked).
pub struct FreshDatabase {
    /// Its name.
    pub name: String,
    /// Its connection URL.
    pub url: String,
    dropped: bool,
}

impl FreshDatabase {
    /// Makes an empty database named `{prefix}_{random}`; `None` (after a
    /// note on stderr) when the server cannot be reached and is not
    /// required.
    pub async fn create(prefix: &str) -> Option<Self> {
        let base = server_url();
        let unreachable = |reason: String| -> Option<Self> {
            assert!(
                !required(),
                "PostgreSQL is required (TEST_REQUIRE_POSTGRES=1) but unreachable at {base}: \
                 {reason}"
            );
            skip_note(&reason);
            None
        };
        if let Some(reason) = DOWN.get() {
            return unreachable(reason.clone());
        }
        let admin_url = admin_url();
        let admin = match Store::connect(&admin_url).await {
            Ok(s) => s,
            Err(e) => {
                let reason = format!("cannot connect to {admin_url}: {e}");
                let _ = DOWN.set(reason.clone());
                return unreachable(reason);
            }
        };
        let name = format!("{prefix}_{:016x}", rand::random::<u64>());
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        Some(Self {
            url: format!("{base}/{name}"),
            name,
            dropped: false,
        })
    }

    /// Runs `scenario` with the database's URL in a task of its own, then
    /// drops the database, also when the scenario panics (the panic is
    /// passed on afterwards).
    pub async fn run<F, Fut>(self, scenario: F)
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let outcome = tokio::spawn(scenario(self.url.clone())).await;
        self.drop_now().await;
        if let Err(e) = outcome {
            match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("test task did not finish: {e}"),
            }
        }
    }

    /// Drops the database now (best effort; `WITH (FORCE)` closes
    /// connections still open on it).
    pub async fn drop_now(mut self) {
        self.dropped = true;
        drop_database(&self.name).await;
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // Drop cannot wait on the test's runtime: a runtime of its own on
        // a thread of its own drops the database.
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(drop_database(&name));
        })
        .join();
    }
}

async fn drop_database(name: &str) {
    let Ok(admin) = Store::connect(&admin_url()).await else {
        return;
    };
    if let Err(e) = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
    {
        let _ = writeln!(
            std::io::stderr(),
            "could not drop test database {name}: {e}"
        );
    }
    let _ = admin.close().await;
}
