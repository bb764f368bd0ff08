//! Deling instances in the test's process, each on its own loopback port
//! and database, federating with each other (and with [fake
//! peers](crate::peer)) over real HTTP.
//!
//! An instance's domain is `localhost:PORT` (activitypub_federation refuses
//! IP-literal ids), so the port is reserved before the application is
//! built. Agencies, the editor and its token are made through a [`Store`]
//! on the same database; everything else goes through the HTTP API
//! ([`requests`]). Effects that happen in the background are awaited with
//! [`eventually`](crate::eventually), which polls with a bound instead of
//! sleeping.

mod requests;

use crate::{
    config::loopback_config,
    db::sqlite_url,
    http::{client, free_port},
    keys::pool_key,
    postgres::FreshDatabase,
    server,
    wait::WAIT,
};
use deling::config::Config;
use deling_domain::auth::{NewToken, Username};
use deling_federation::delivery::Worker;
use deling_store::Store;
use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};
use tempfile::TempDir;
use tokio::{sync::watch, task::JoinHandle};

/// How long a restart keeps trying to bind the instance's port again.
const RESTART_WAIT: Duration = Duration::from_secs(30);

/// A running server: its HTTP task and, when the test owns it, its worker.
struct Running {
    server: JoinHandle<std::io::Result<()>>,
    worker: Option<(watch::Sender<bool>, JoinHandle<()>)>,
}

/// One Deling instance.
pub struct Instance {
    /// `localhost:PORT`: the domain in every id and handle.
    pub domain: String,
    /// `http://localhost:PORT`.
    pub base: String,
    /// The instance's database.
    pub store: Store,
    /// A client for the API.
    pub client: reqwest::Client,
    /// Bearer token of a staff member who edits every agency made with
    /// [`Instance::agency`].
    pub token: String,
    editor_id: i64,
    key_base: usize,
    agencies: AtomicUsize,
    config: Config,
    own_worker: bool,
    running: Option<Running>,
    /// The PostgreSQL database made for this instance, dropped with it.
    _postgres: Option<FreshDatabase>,
    _dir: TempDir,
}

/// The configuration of an instance on `port`: the loopback defaults,
/// named for the port.
fn instance_config(port: u16, database_url: &str) -> Config {
    let mut config = loopback_config(port, database_url);
    config.instance.name = format!("Deling test {port}");
    config
}

impl Instance {
    /// An instance whose federation worker runs inside
    /// `Application::run_until_stopped`, as in production.
    pub async fn spawn() -> Self {
        Self::spawn_with(false, None, |_| {}).await
    }

    /// Like [`Instance::spawn`], with `tune` applied to the configuration
    /// before the instance starts.
    pub async fn spawn_tuned(tune: impl Fn(&mut Config)) -> Self {
        Self::spawn_with(false, None, tune).await
    }

    /// Like [`Instance::spawn`], on a fresh PostgreSQL database of its own
    /// (dropped with the instance); `None` when PostgreSQL is not there
    /// and not required.
    pub async fn spawn_postgres() -> Option<Self> {
        let db = FreshDatabase::create("deling_fed").await?;
        Some(Self::spawn_with(false, Some(db), |_| {}).await)
    }

    /// An instance the test can stop and start again: its worker is run
    /// by the test (`Application::without_worker`) so that stopping it is
    /// clean.
    pub async fn spawn_stoppable() -> Self {
        Self::spawn_with(true, None, |_| {}).await
    }

    /// An instance whose configuration is changed by `tweak` before it
    /// serves anything of interest: it is started with the test defaults,
    /// stopped, and started again on the same port and database with the
    /// changed configuration (its worker is run by the test, as with
    /// [`Instance::spawn_stoppable`]).
    pub async fn spawn_configured(tweak: impl FnOnce(&mut Config)) -> Self {
        let mut instance = Self::spawn_stoppable().await;
        instance.stop().await;
        tweak(&mut instance.config);
        instance.restart().await;
        instance
    }

    async fn spawn_with(
        own_worker: bool,
        postgres: Option<FreshDatabase>,
        tune: impl Fn(&mut Config),
    ) -> Self {
        static INSTANCES: AtomicUsize = AtomicUsize::new(0);
        let key_base = 3 * INSTANCES.fetch_add(1, Ordering::Relaxed);
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = match &postgres {
            Some(db) => db.url.clone(),
            None => sqlite_url(dir.path(), "deling.sqlite3"),
        };
        let store = server::migrated_store(&url).await;
        let editor = store
            .put_staff(
                &Username::parse("editor").expect("valid username"),
                "not a hash".into(),
                false,
            )
            .await
            .expect("put staff");
        let token = NewToken::generate();
        store
            .put_token(editor.id, token.hash, Some("federation tests".into()), None)
            .await
            .expect("put token");
        let mut instance = Self {
            domain: String::new(),
            base: String::new(),
            store,
            client: client(),
            token: token.secret,
            editor_id: editor.id,
            key_base,
            agencies: AtomicUsize::new(0),
            config: instance_config(0, &url),
            own_worker,
            running: None,
            _postgres: postgres,
            _dir: dir,
        };
        // A port can be taken between reserving and binding it; then take
        // another (the instance row follows the domain).
        let mut last_error = None;
        for _ in 0..5 {
            let port = free_port();
            instance.config = instance_config(port, &url);
            tune(&mut instance.config);
            match instance.start().await {
                Ok(()) => return instance,
                Err(e) => {
                    eprintln!("cannot start an instance on port {port} ({e:#}); trying another");
                    last_error = Some(e);
                }
            }
        }
        panic!("cannot start an instance in 5 attempts: {last_error:?}");
    }

    /// Builds and starts the application on the configured port and database.
    async fn start(&mut self) -> anyhow::Result<()> {
        let kp = pool_key(self.key_base).await;
        let app = server::build(&self.config, &self.store, kp).await?;
        self.domain = self.config.domain.clone();
        self.base = format!("http://{}", self.domain);
        self.running = Some(if self.own_worker {
            let (stop, stopped) = watch::channel(false);
            let worker = tokio::spawn(Worker::new(app.federation().clone()).run(stopped));
            let server = tokio::spawn(app.without_worker().run_until_stopped());
            Running {
                server,
                worker: Some((stop, worker)),
            }
        } else {
            Running {
                server: tokio::spawn(app.run_until_stopped()),
                worker: None,
            }
        });
        Ok(())
    }

    /// Stops serving (the listener is closed, connections are dropped) and
    /// stops the worker after its current round.
    pub async fn stop(&mut self) {
        assert!(self.own_worker, "only a spawn_stoppable instance can stop");
        let running = self.running.take().expect("the instance is running");
        running.server.abort();
        let _ = running.server.await;
        if let Some((stop, worker)) = running.worker {
            let _ = stop.send(true);
            tokio::time::timeout(WAIT, worker)
                .await
                .expect("the worker stops")
                .expect("the worker task ends cleanly");
        }
    }

    /// Drops the `run_until_stopped` future of an instance spawned with
    /// [`Instance::spawn`] (as aborting its task does), without any signal.
    pub async fn abandon(&mut self) {
        assert!(!self.own_worker, "only for a spawn instance");
        let running = self.running.take().expect("the instance is running");
        running.server.abort();
        let _ = running.server.await;
    }

    /// Starts again on the same port and database.
    pub async fn restart(&mut self) {
        assert!(self.running.is_none(), "stop the instance first");
        // The port may for a while still be held by the stopped server's
        // threads, or be the local end of an outgoing connection: keep
        // trying, for longer than a busy machine needs.
        let deadline = Instant::now() + RESTART_WAIT;
        let mut tries = 0;
        loop {
            tries += 1;
            match self.start().await {
                Ok(()) => return,
                Err(e) if Instant::now() < deadline => {
                    if tries == 1 {
                        eprintln!(
                            "{}: cannot restart yet ({e:#}); trying for up to {RESTART_WAIT:?}",
                            self.config.domain
                        );
                    }
                }
                Err(e) => panic!(
                    "cannot restart {} on the same port within {RESTART_WAIT:?} \
                     ({tries} tries): {e:#}",
                    self.config.domain
                ),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The database URL the instance runs on.
    pub fn database_url(&self) -> &str {
        &self.config.database_url
    }

    /// The federation context this instance runs with, for calling
    /// `deling_federation` as the command line does.
    pub async fn federation(&self) -> deling_federation::context::Config {
        deling::startup::federation_config(&self.config, self.store.clone())
            .await
            .expect("federation configuration")
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.server.abort();
            if let Some((stop, worker)) = r.worker {
                let _ = stop.send(true);
                worker.abort();
            }
        }
        // The PostgreSQL database, if any, is dropped with its field.
    }
}
