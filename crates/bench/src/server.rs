//! A real Deling server for the scenarios: a release build in this
//! process, on a SQLite file (or any database URL, for the growth
//! scenario), plain-HTTP federation on loopback, one agency (`oslo`) with
//! an editor's API token.

use deling::{config::Config, startup::Application};
use deling_domain::{
    auth::{NewToken, Role, Username},
    slug::Slug,
    text::DisplayName,
};
use deling_federation::{delivery::Worker, keys::KeyPair};
use deling_store::{Store, queries::agency::NewAgency};
use deling_testkit::{config::loopback_config, free_port};
use std::time::Duration;
use tempfile::TempDir;
use tokio::{sync::watch, task::JoinHandle};

/// A running server and what the scenarios need to drive it.
pub struct Server {
    /// `http://127.0.0.1:port`, to send requests to.
    pub base: String,
    /// `http://localhost:port`, the origin of its ActivityPub ids.
    pub origin: String,
    /// The editor's bearer token.
    pub token: String,
    /// The same database, opened beside the server.
    pub store: Store,
    /// The agency's id.
    pub agency_id: i64,
    /// The agency's (and the instance's) key pair.
    pub keys: KeyPair,
    /// The configuration it runs with.
    pub config: Config,
    /// The HTTP server's task, aborted by [`Server::stop`].
    serving: JoinHandle<std::io::Result<()>>,
    /// Tells the federation worker to stop, and its task.
    worker: (watch::Sender<bool>, JoinHandle<()>),
    /// The SQLite file's directory, removed when the server is dropped.
    _dir: Option<TempDir>,
}

/// The URL of a new SQLite file in `dir`.
pub fn sqlite_url(dir: &TempDir) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.sqlite3").display()
    )
}

/// The configuration of a bench server on `port` over `database_url`:
/// two workers (the machine's cores), rate limits out of the way, and
/// retries as shipped (`retry_base_seconds` 60): with a base of one
/// second, the silent hosts of one fan-out run came due again just as the
/// next run published, and were claimed before its deliveries.
pub fn bench_config(port: u16, database_url: &str) -> Config {
    let mut config = loopback_config(port, database_url);
    config.http.workers = 2;
    config.log.filter = "warn".into();
    // The test kit's one second makes tests quick; config/default.toml's.
    config.federation.retry_base_seconds = 60;
    let l = &mut config.limits;
    l.api_per_token_per_minute = 10_000_000;
    l.search_per_ip_per_minute = 10_000_000;
    l.inbox_per_ip_per_minute = 10_000_000;
    l.inbox_per_host_per_minute = 10_000_000;
    config
}

/// Makes the database at `url` hold the instance and agency `oslo`;
/// returns the agency's id, its editor's token and the key pair.
pub async fn prepare(config: &Config, store: &Store) -> anyhow::Result<(i64, String, KeyPair)> {
    store.migrate().await?;
    let keys = deling_federation::keys::generate()?;
    store
        .get_or_put_instance(&config.domain, "Bench", || {
            (keys.public_key_pem.clone(), keys.private_key_pem.clone())
        })
        .await?;
    let agency = store
        .put_agency(NewAgency {
            slug: Slug::parse("oslo")?,
            name: DisplayName::parse("Oslo kommune")?,
            org_number: None,
            public_key_pem: keys.public_key_pem.clone(),
            private_key_pem: keys.private_key_pem.clone(),
        })
        .await?;
    let staff = store
        .put_staff(&Username::parse("bench")?, String::new(), false)
        .await?;
    store
        .put_membership(staff.id, agency.id, Role::Editor)
        .await?;
    let token = NewToken::generate();
    store.put_token(staff.id, token.hash, None, None).await?;
    Ok((agency.id, token.secret, keys))
}

impl Server {
    /// Starts a server on a fresh SQLite file.
    pub async fn start() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = sqlite_url(&dir);
        let (server, ()) = Self::start_on(&url, Some(dir), true, async |_, _| Ok(())).await?;
        Ok(server)
    }

    /// Starts a server on the empty database at `database_url` (SQLite or
    /// PostgreSQL), keeping `dir` (where a SQLite file lives) until it is
    /// dropped. Before the server starts, with the schema, the instance
    /// and the agency in place, `fill` is given the store and the agency's
    /// id to write what the scenario needs, so that the server starts on
    /// it as on a database in service; what it returns comes back beside
    /// the server. Without `page_cache` every request reads the database.
    pub async fn start_on<T>(
        database_url: &str,
        dir: Option<TempDir>,
        page_cache: bool,
        fill: impl AsyncFnOnce(&Store, i64) -> anyhow::Result<T>,
    ) -> anyhow::Result<(Self, T)> {
        let port = free_port();
        let mut config = bench_config(port, database_url);
        config.http.page_cache = page_cache;
        let store = Store::connect(database_url).await?;
        let (agency_id, token, keys) = prepare(&config, &store).await?;
        let filled = fill(&store, agency_id).await?;
        let app = Application::build(&config).await?;
        // The worker runs beside the server as in `run_until_stopped`, but
        // with a stop of its own, so that [`Server::stop`] can end both.
        let (stop, stopped) = watch::channel(false);
        let worker = tokio::spawn(Worker::new(app.federation().clone()).run(stopped));
        let serving = tokio::spawn(app.without_worker().run_until_stopped());
        let server = Self {
            base: format!("http://127.0.0.1:{port}"),
            origin: format!("http://localhost:{port}"),
            token,
            store,
            agency_id,
            keys,
            config,
            serving,
            worker: (stop, worker),
            _dir: dir,
        };
        Ok((server, filled))
    }

    /// Stops serving (the listener closes, connections drop) and stops
    /// the worker after its current round, so that a scenario that starts
    /// servers one after another measures each alone.
    pub async fn stop(self) {
        self.serving.abort();
        let _ = self.serving.await;
        let (stop, worker) = self.worker;
        let _ = stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(30), worker).await;
        let _ = self.store.close().await;
    }
}
