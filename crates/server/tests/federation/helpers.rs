//! Deling instances in this process, each on its own loopback port and
//! SQLite database, federating with each other over real HTTP.
//!
//! An instance's domain is `localhost:PORT` (activitypub_federation refuses
//! IP-literal ids), so the port is reserved before the application is
//! built. Agencies, the editor and its token are made through a [`Store`] on
//! the same database; everything else goes through the HTTP API. Effects
//! that happen in the background are awaited with [`eventually`], which
//! polls with a bound instead of sleeping.

use deling::{
    config::{Config, DEFAULT_TOML},
    startup::Application,
};
use deling_domain::{
    agency::OrgNumber,
    auth::{NewToken, Role, Username},
    slug::Slug,
    text::DisplayName,
};
use deling_federation::{
    delivery::Worker,
    keys::{self, KeyPair},
};
use deling_store::{Store, queries::agency::NewAgency, records::Agency};
use figment::{
    Figment,
    providers::{Format, Toml},
};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::{
    sync::{
        OnceLock,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tempfile::TempDir;
use tokio::{sync::watch, task::JoinHandle};

/// How long a background effect may take before a test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// How long a restart keeps trying to bind the instance's port again.
const RESTART_WAIT: Duration = Duration::from_secs(30);

/// Distinct key pairs in the pool: an instance actor and two agency keys
/// for each of three instances, so no two servers in a test share a key.
const POOL: usize = 9;

/// Key pair `n` of a pool made once for the whole binary (RSA generation
/// is slow; a pool keeps servers' keys distinct without paying per test).
pub async fn pool_key(n: usize) -> &'static KeyPair {
    static KEYS: OnceLock<Vec<KeyPair>> = OnceLock::new();
    let keys = tokio::task::spawn_blocking(|| {
        KEYS.get_or_init(|| {
            let workers: Vec<_> = (0..POOL)
                .map(|_| std::thread::spawn(|| keys::generate().expect("generate a key pair")))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("key generation thread"))
                .collect()
        })
    })
    .await
    .expect("key pool");
    &keys[n % POOL]
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// An HTTP client that never goes through a proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

/// The defaults (without reading `DELING_*` variables, which are
/// process-global) with loopback federation settings for `port`.
fn test_config(port: u16, database_url: &str) -> Config {
    let mut config: Config = Figment::new()
        .merge(Toml::string(DEFAULT_TOML))
        .extract()
        .expect("the built-in defaults parse");
    config.bind = format!("127.0.0.1:{port}");
    config.domain = format!("localhost:{port}");
    config.database_url = database_url.to_owned();
    config.instance.name = format!("Deling test {port}");
    config.federation.debug = true;
    config.federation.allow_private_addresses = true;
    config.federation.retry_base_seconds = 1;
    config.http.workers = 1;
    config
}

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
    postgres: Option<String>,
    _dir: TempDir,
}

/// The PostgreSQL server the tests use (`TEST_POSTGRES_URL`).
fn postgres_server() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
        .trim_end_matches('/')
        .to_owned()
}

/// Makes a fresh PostgreSQL database and returns its URL; `None` (with a
/// note) when the server cannot be reached, unless
/// `TEST_REQUIRE_POSTGRES=1`, where that is a failure.
async fn fresh_postgres() -> Option<String> {
    let admin_url = format!("{}/postgres", postgres_server());
    let admin = match Store::connect(&admin_url).await {
        Ok(s) => s,
        Err(e) => {
            assert!(
                !std::env::var("TEST_REQUIRE_POSTGRES").is_ok_and(|v| v.trim() == "1"),
                "PostgreSQL is required (TEST_REQUIRE_POSTGRES=1) but {admin_url} is unreachable: {e}"
            );
            eprintln!("skipping the PostgreSQL case: cannot connect to {admin_url}: {e}");
            return None;
        }
    };
    let name = format!("deling_fed_{:016x}", rand::random::<u64>());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create the test database");
    Some(name)
}

impl Instance {
    /// An instance whose federation worker runs inside
    /// `Application::run_until_stopped`, as in production.
    pub async fn spawn() -> Self {
        Self::spawn_with(false, None).await
    }

    /// Like [`Instance::spawn`], on a fresh PostgreSQL database of its own
    /// (dropped with the instance); `None` when PostgreSQL is not there
    /// and not required.
    pub async fn spawn_postgres() -> Option<Self> {
        let name = fresh_postgres().await?;
        Some(Self::spawn_with(false, Some(name)).await)
    }

    /// An instance the test can stop and start again: its worker is run
    /// by the test (`Application::without_worker`) so that stopping it is
    /// clean.
    pub async fn spawn_stoppable() -> Self {
        Self::spawn_with(true, None).await
    }

    async fn spawn_with(own_worker: bool, postgres: Option<String>) -> Self {
        static INSTANCES: AtomicUsize = AtomicUsize::new(0);
        let key_base = 3 * INSTANCES.fetch_add(1, Ordering::Relaxed);
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = match &postgres {
            Some(name) => format!("{}/{name}", postgres_server()),
            None => format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("deling.sqlite3").display()
            ),
        };
        let store = Store::connect(&url).await.expect("connect to the database");
        store.migrate().await.expect("migrate the database");
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
            config: test_config(0, &url),
            own_worker,
            running: None,
            postgres,
            _dir: dir,
        };
        // A port can be taken between reserving and binding it; then take
        // another (the instance row follows the domain).
        let mut last_error = None;
        for _ in 0..5 {
            let port = free_port();
            instance.config = test_config(port, &url);
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
        self.store
            .get_or_put_instance(&self.config.domain, &self.config.instance.name, || {
                (kp.public_key_pem.clone(), kp.private_key_pem.clone())
            })
            .await?;
        let app = Application::build(&self.config).await?;
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

    /// `http://localhost:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The actor id of local agency `slug`.
    pub fn actor_id(&self, slug: &str) -> String {
        self.url(&format!("/agencies/{slug}"))
    }

    /// `@slug@localhost:PORT`.
    pub fn handle(&self, slug: &str) -> String {
        format!("@{slug}@{}", self.domain)
    }

    /// The shared inbox.
    pub fn shared_inbox(&self) -> String {
        self.url("/inbox")
    }

    /// Creates a local agency the editor may publish for.
    pub async fn agency(&self, slug: &str) -> Agency {
        let n = self.agencies.fetch_add(1, Ordering::Relaxed);
        let kp = pool_key(self.key_base + 1 + n % 2).await;
        let agency = self
            .store
            .put_agency(NewAgency {
                slug: Slug::parse(slug).expect("valid slug"),
                name: DisplayName::parse(&format!("Etaten {slug}")).expect("valid name"),
                org_number: Some(OrgNumber::parse("958935420").expect("valid org number")),
                public_key_pem: kp.public_key_pem.clone(),
                private_key_pem: kp.private_key_pem.clone(),
            })
            .await
            .expect("put agency");
        self.store
            .put_membership(self.editor_id, agency.id, Role::Editor)
            .await
            .expect("put membership");
        agency
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// `GET path`, expecting 200 and JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        json_body(self.get(path).await, StatusCode::OK).await
    }

    /// An authenticated request with an optional JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self
            .client
            .request(method.clone(), self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        req.send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Publishes an item for `slug` and returns its id.
    pub async fn publish(&self, slug: &str, title: &str, tags: &[&str]) -> i64 {
        let resp = self
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/agencies/{slug}/items"),
                Some(&item_body(title, tags)),
            )
            .await;
        id_of(&json_body(resp, StatusCode::CREATED).await)
    }

    /// `POST /api/v1/agencies/{slug}/following`, expecting 202.
    pub async fn follow(&self, slug: &str, target: &str) -> Value {
        let resp = self
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/agencies/{slug}/following"),
                Some(&json!({ "target": target })),
            )
            .await;
        json_body(resp, StatusCode::ACCEPTED).await
    }

    /// The state of `slug`'s Follow of `actor_id`, if listed.
    pub async fn following_state(&self, slug: &str, actor_id: &str) -> Option<String> {
        let list = self
            .get_json(&format!("/api/v1/agencies/{slug}/following"))
            .await;
        list.as_array()
            .expect("following is a list")
            .iter()
            .find(|f| f["actor"]["actor_id"] == actor_id)
            .map(|f| f["state"].as_str().unwrap_or_default().to_owned())
    }

    /// Waits until `slug`'s Follow of `actor_id` is accepted.
    pub async fn wait_accepted(&self, slug: &str, actor_id: &str) {
        eventually(
            &format!("{slug}'s Follow of {actor_id} accepted"),
            async || match self.following_state(slug, actor_id).await {
                Some(s) if s == "accepted" => Ok(()),
                other => Err(format!("state {other:?}")),
            },
        )
        .await;
    }

    /// Actor ids of `slug`'s followers, as the API lists them.
    pub async fn follower_ids(&self, slug: &str) -> Vec<String> {
        self.get_json(&format!("/api/v1/agencies/{slug}/followers"))
            .await
            .as_array()
            .expect("followers is a list")
            .iter()
            .map(|a| a["actor_id"].as_str().expect("actor_id").to_owned())
            .collect()
    }

    /// The items of other servers, as `GET /api/v1/items?origin=remote` lists them.
    pub async fn remote_items(&self) -> Vec<Value> {
        let page = self
            .get_json("/api/v1/items?origin=remote&per_page=100")
            .await;
        page["items"].as_array().expect("items is a list").clone()
    }

    /// Waits until the remote item with `ap_id` is listed, and returns it.
    pub async fn wait_remote_item(&self, ap_id: &str) -> Value {
        eventually(&format!("{ap_id} listed on {}", self.domain), async || {
            let items = self.remote_items().await;
            items
                .iter()
                .find(|i| i["ap_id"] == ap_id)
                .cloned()
                .ok_or_else(|| format!("remote items: {:?}", titles(&items)))
        })
        .await
    }

    /// The comments on item `id`.
    pub async fn comments(&self, id: i64) -> Vec<Value> {
        self.get_json(&format!("/api/v1/items/{id}/comments"))
            .await
            .as_array()
            .expect("comments is a list")
            .clone()
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
        if let Some(name) = self.postgres.take() {
            // Drop cannot wait on the test's runtime: a runtime of its own
            // on a thread of its own drops the database.
            let admin_url = format!("{}/postgres", postgres_server());
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(admin) = Store::connect(&admin_url).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A complete, valid guide.
pub fn item_body(title: &str, tags: &[&str]) -> Value {
    json!({
        "kind": "guide",
        "title": title,
        "summary": "Slik digitaliserte vi byggesaksbehandlingen.",
        "body": "# Steg 1\n\nLes *dette* først.",
        "language": "nb",
        "tags": tags,
        "license": "CC-BY-4.0",
        "links": [{"href": "https://www.oslo.kommune.no/byggesak", "title": "Byggesak i Oslo"}],
        "metadata": {}
    })
}

/// The id in an API body.
pub fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// Titles of listed items, for messages.
pub fn titles(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Checks the status and returns the JSON body, showing the body otherwise.
pub async fn json_body(resp: Response, status: StatusCode) -> Value {
    let got = resp.status();
    let url = resp.url().clone();
    let text = resp.text().await.expect("response body");
    assert_eq!(got, status, "{url}: unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: body is not JSON ({e}): {text}"))
}

/// The Content-Type of a response, or "".
pub fn content_type(resp: &Response) -> String {
    resp.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Polls `check` every 100 ms until it succeeds, for at most [`WAIT`];
/// on timeout fails with `what` and the last thing `check` reported.
pub async fn eventually<T>(what: &str, check: impl AsyncFnMut() -> Result<T, String>) -> T {
    eventually_within(WAIT, what, check).await
}

/// [`eventually`] with another bound.
pub async fn eventually_within<T>(
    bound: Duration,
    what: &str,
    mut check: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let start = Instant::now();
    loop {
        match check().await {
            Ok(v) => return v,
            Err(last) if start.elapsed() > bound => {
                panic!("timed out after {bound:?} waiting for {what}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

impl Instance {
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
}

impl Instance {
    /// Makes staff member `username` (an instance administrator if
    /// `instance_admin`, an editor of `editor_of` if given) through the
    /// store, and returns the secret of a new bearer token of theirs.
    pub async fn staff_token(
        &self,
        username: &str,
        instance_admin: bool,
        editor_of: Option<i64>,
    ) -> String {
        let staff = self
            .store
            .put_staff(
                &Username::parse(username).expect("valid username"),
                "not a hash".into(),
                instance_admin,
            )
            .await
            .expect("put staff");
        if let Some(agency_id) = editor_of {
            self.store
                .put_membership(staff.id, agency_id, Role::Editor)
                .await
                .expect("put membership");
        }
        let token = NewToken::generate();
        self.store
            .put_token(staff.id, token.hash, Some(username.to_owned()), None)
            .await
            .expect("put token");
        token.secret
    }

    /// Makes the fake `actor` follow agency `slug` here, and waits until it
    /// is listed as a follower (the Accept goes to the fake server).
    pub async fn followed_by(&self, actor: &crate::peer::FakeActor, slug: &str) {
        let follow = json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": actor.activity_id(&format!("follow-{slug}")), "type": "Follow",
            "actor": actor.id, "object": self.actor_id(slug)});
        let resp = actor
            .post(&self.shared_inbox(), &follow)
            .send(&self.client)
            .await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "{follow}");
        eventually(&format!("{} to follow {slug}", actor.id), async || {
            let ids = self.follower_ids(slug).await;
            if ids.contains(&actor.id) {
                Ok(())
            } else {
                Err(format!("{ids:?}"))
            }
        })
        .await;
    }

    /// A request with bearer `token` and an optional JSON body.
    pub async fn send_as(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self
            .client
            .request(method.clone(), self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(body);
        }
        req.send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }
}

impl Instance {
    /// The federation context this instance runs with, for calling
    /// `deling_federation` as the command line does.
    pub async fn federation(&self) -> deling_federation::context::Config {
        deling::startup::federation_config(&self.config, self.store.clone())
            .await
            .expect("federation configuration")
    }

    /// The ActivityPub document at `path` (asked for as a peer asks).
    pub async fn get_activity_json(&self, path: &str) -> Value {
        let resp = self
            .client
            .get(self.url(path))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        json_body(resp, StatusCode::OK).await
    }
}
