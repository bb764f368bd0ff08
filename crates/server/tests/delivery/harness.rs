//! `deling` as child processes on a database prepared by the test (keys
//! from the shared pool, so no child generates RSA keys), plus helpers to
//! add followers and read the delivery queue.

use crate::helpers::{client, eventually_within, free_port, id_of, item_body, json_body, pool_key};
use deling_domain::{
    agency::OrgNumber,
    auth::{NewToken, Role, Username},
    slug::Slug,
    text::DisplayName,
};
use deling_store::{
    Store,
    queries::{agency::NewAgency, delivery::Delivery, remote_actor::RemoteActorData},
    records::Agency,
};
use rand::Rng;
use reqwest::StatusCode;
use std::{
    collections::HashSet,
    io::{BufRead, BufReader, Read},
    net::TcpListener,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tempfile::TempDir;

/// How long a child may take to start answering.
const START: Duration = Duration::from_secs(30);

/// How long `deling serve` keeps being started again while its port is
/// still taken (by a child just killed, say).
const BIND_RETRY: Duration = Duration::from_secs(30);

/// A port for a site's `deling serve`, which every restart binds again.
///
/// A port the kernel handed out (`free_port`) is in its ephemeral range,
/// where it may hand it out again at any time, as the local end of some
/// outgoing connection, while the site is between children. So this takes
/// one below that range (bindable now, and never given to another site of
/// this process), falling back to `free_port` should there be no room.
pub fn site_port() -> u16 {
    static TAKEN: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let (low, high) = (10_000u16, ephemeral_low.saturating_sub(1));
    if high > low + 1000 {
        let mut taken = TAKEN.lock().unwrap();
        let taken = taken.get_or_insert_with(HashSet::new);
        for _ in 0..200 {
            let port = rand::thread_rng().gen_range(low..=high);
            if !taken.contains(&port) && TcpListener::bind(("127.0.0.1", port)).is_ok() {
                taken.insert(port);
                return port;
            }
        }
    }
    free_port()
}

/// Makes the remote actor `data` a follower of `agency_id`.
pub async fn follow(store: &Store, agency_id: i64, data: RemoteActorData) {
    let follow_id = format!("{}/follows/1", data.ap_id);
    let actor = store
        .put_remote_actor(data)
        .await
        .expect("put remote actor");
    store
        .put_follower(agency_id, actor.id, &follow_id)
        .await
        .expect("put follower");
}

/// The deliveries of each of `activities`, in order.
pub async fn deliveries(store: &Store, activities: &[String]) -> Vec<Delivery> {
    let mut rows = Vec::new();
    for a in activities {
        rows.extend(store.list_deliveries_of(a).await.expect("list deliveries"));
    }
    rows
}

/// The delivery of `activity` to `host`, if one is queued.
pub async fn row_to(store: &Store, activity: &str, host: &str) -> Option<Delivery> {
    store
        .list_deliveries_of(activity)
        .await
        .expect("list deliveries")
        .into_iter()
        .find(|d| d.host == host)
}

/// The pid in a lease holder's name (`{pid}-{random}`).
pub fn holder_pid(row: &Delivery) -> Option<u32> {
    row.locked_by.as_deref()?.split('-').next()?.parse().ok()
}

/// A database prepared for `deling` children: the instance actor, agency
/// `oslo`, an editor of it and an instance administrator, each with a token.
pub struct Site {
    /// The port every `deling serve` of this site listens on.
    pub port: u16,
    /// `localhost:PORT`.
    pub domain: String,
    /// The database URL.
    pub database_url: String,
    /// The same database, for the test.
    pub store: Store,
    /// Agency `oslo`.
    pub agency: Agency,
    /// Token of `editor` (editor of `oslo`, not an instance administrator).
    pub editor: String,
    /// Token of `admin` (instance administrator).
    pub admin: String,
    /// An HTTP client without proxy.
    pub client: reqwest::Client,
    _dir: Option<TempDir>,
}

impl Site {
    /// A site on a SQLite file in a temporary directory.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("deling.sqlite3").display()
        );
        Self::seed(url, Some(dir)).await
    }

    /// A site on the (empty) database at `database_url`.
    pub async fn seed(database_url: String, dir: Option<TempDir>) -> Self {
        let port = site_port();
        let domain = format!("localhost:{port}");
        let store = Store::connect(&database_url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let instance_key = pool_key(0).await;
        store
            .get_or_put_instance(&domain, "Deling", || {
                (
                    instance_key.public_key_pem.clone(),
                    instance_key.private_key_pem.clone(),
                )
            })
            .await
            .expect("instance");
        let key = pool_key(1).await;
        let agency = store
            .put_agency(NewAgency {
                slug: Slug::parse("oslo").unwrap(),
                name: DisplayName::parse("Oslo kommune").unwrap(),
                org_number: Some(OrgNumber::parse("958935420").unwrap()),
                public_key_pem: key.public_key_pem.clone(),
                private_key_pem: key.private_key_pem.clone(),
            })
            .await
            .expect("put agency");
        let token_for = async |name: &str, admin: bool| {
            let staff = store
                .put_staff(&Username::parse(name).unwrap(), "not a hash".into(), admin)
                .await
                .expect("put staff");
            let token = NewToken::generate();
            store
                .put_token(staff.id, token.hash, None, None)
                .await
                .expect("put token");
            (staff.id, token.secret)
        };
        let (editor_id, editor) = token_for("editor", false).await;
        store
            .put_membership(editor_id, agency.id, Role::Editor)
            .await
            .expect("membership");
        let (_, admin) = token_for("admin", true).await;
        Self {
            port,
            domain,
            database_url,
            store,
            agency,
            editor,
            admin,
            client: client(),
            _dir: dir,
        }
    }

    /// `http://localhost:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.domain)
    }

    /// The id of item `id`'s Create.
    pub fn create_id(&self, id: i64) -> String {
        self.url(&format!("/items/{id}/create"))
    }

    /// `deling ARGS` with only this site's `DELING_*` settings.
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_with(args, &[])
    }

    /// [`Site::command`] with `envs` set as well (after the site's own).
    pub fn command_with(&self, args: &[&str], envs: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_deling"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("DELING_") {
                cmd.env_remove(&key);
            }
        }
        cmd.env_remove("RUST_LOG")
            .env("DELING_DATABASE_URL", &self.database_url)
            .env("DELING_BIND", format!("127.0.0.1:{}", self.port))
            .env("DELING_DOMAIN", &self.domain)
            .env("DELING_INSTANCE__NAME", "Deling")
            .env("DELING_HTTP__WORKERS", "1")
            .env("DELING_FEDERATION__DEBUG", "true")
            .env("DELING_FEDERATION__ALLOW_PRIVATE_ADDRESSES", "true")
            .env("DELING_FEDERATION__RETRY_BASE_SECONDS", "1")
            .envs(envs.iter().copied())
            .args(args);
        cmd
    }

    /// Starts `deling serve` and waits until it answers. The port may still
    /// be held for a moment after a previous child died; then it tries
    /// again, for up to [`BIND_RETRY`].
    pub async fn serve(&self) -> Deling {
        self.serve_with(&[]).await
    }

    /// [`Site::serve`] with `envs` set as well.
    pub async fn serve_with(&self, envs: &[(&str, &str)]) -> Deling {
        let mut last = String::new();
        let deadline = Instant::now() + BIND_RETRY;
        let mut tries = 0;
        while tries == 0 || Instant::now() < deadline {
            tries += 1;
            let mut child = Deling::spawn(self.command_with(&["serve"], envs), "deling serve");
            let started = Instant::now();
            loop {
                if let Some(status) = child.exited() {
                    last = format!("exited with {status}: {}", child.output());
                    break;
                }
                let health = self.client.get(self.url("/healthz")).send().await;
                if health.is_ok_and(|r| r.status() == StatusCode::OK) {
                    return child;
                }
                assert!(
                    started.elapsed() < START,
                    "deling serve did not answer within {START:?}: {}",
                    child.output()
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        panic!("deling serve does not start ({tries} tries in {BIND_RETRY:?}): {last}");
    }

    /// Starts `deling worker` and waits for its ready line.
    pub async fn worker(&self) -> Deling {
        let mut child = Deling::spawn(self.command(&["worker"]), "deling worker");
        eventually_within(START, "deling worker to start", async || {
            if let Some(status) = child.exited() {
                panic!("deling worker exited with {status}: {}", child.output());
            }
            if child.stdout().contains("Deling worker running") {
                Ok(())
            } else {
                Err(child.output())
            }
        })
        .await;
        child
    }

    /// Publishes a guide for `oslo` through the API and returns its id.
    pub async fn publish(&self, title: &str) -> i64 {
        let resp = self
            .client
            .post(self.url("/api/v1/agencies/oslo/items"))
            .bearer_auth(&self.editor)
            .json(&item_body(title, &["levering"]))
            .send()
            .await
            .expect("POST item");
        id_of(&json_body(resp, StatusCode::CREATED).await)
    }
}

/// A `deling` child process; killed when dropped.
pub struct Deling {
    child: Child,
    /// Its process id.
    pub pid: u32,
    what: &'static str,
    stdout: Arc<Mutex<String>>,
    all: Arc<Mutex<String>>,
}

impl Deling {
    fn spawn(mut cmd: Command, what: &'static str) -> Self {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let stdout = Arc::new(Mutex::new(String::new()));
        let all = Arc::new(Mutex::new(String::new()));
        let pump = |stream: Box<dyn Read + Send>, copy: Option<Arc<Mutex<String>>>| {
            let all = all.clone();
            // Read to the end whatever comes, a line that is not UTF-8 too
            // (kept lossily): stopping early would close the pipe, and the
            // child's next line would meet a broken pipe.
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut bytes = Vec::new();
                loop {
                    bytes.clear();
                    match reader.read_until(b'\n', &mut bytes) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    let text = String::from_utf8_lossy(&bytes);
                    let line = format!("{}\n", text.trim_end_matches(['\n', '\r']));
                    if let Some(c) = &copy {
                        c.lock().unwrap().push_str(&line);
                    }
                    all.lock().unwrap().push_str(&line);
                }
            });
        };
        pump(
            Box::new(child.stdout.take().expect("stdout")),
            Some(stdout.clone()),
        );
        pump(Box::new(child.stderr.take().expect("stderr")), None);
        Self {
            pid: child.id(),
            child,
            what,
            stdout,
            all,
        }
    }

    /// What it printed on standard output.
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Everything it printed (the tail, for messages).
    pub fn output(&self) -> String {
        let all = self.all.lock().unwrap();
        let start = all.len().saturating_sub(6000);
        let start = (start..all.len())
            .find(|&i| all.is_char_boundary(i))
            .unwrap_or(all.len());
        format!("{}: ...{}", self.what, &all[start..])
    }

    /// Its exit status, if it has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("try_wait")
    }

    /// SIGKILL (`Child::kill`), then reaps it.
    pub fn sigkill(&mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }

    /// SIGTERM.
    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {}", self.pid);
    }

    /// CPU time used so far (user and system), from `/proc`.
    pub fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).expect("read /proc");
        // Fields after the command name: state is the 3rd, utime the 14th
        // and stime the 15th, in clock ticks (100 a second on Linux).
        let fields: Vec<&str> = stat[stat.rfind(')').expect("comm") + 2..]
            .split_whitespace()
            .collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_millis(ticks * 10)
    }

    /// How often its threads have gone to sleep so far (voluntary context
    /// switches, summed over `/proc/PID/task/*/status`): a count of
    /// wake-ups that, unlike CPU time, a loaded machine does not inflate.
    /// A thread that has ended no longer counts.
    pub fn sleeps(&self) -> u64 {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.pid)).expect("read /proc");
        tasks
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("status")).ok())
            .filter_map(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .sum()
    }

    /// Waits at most `bound` for it to exit.
    pub async fn wait_exit(&mut self, bound: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.exited() {
                return status;
            }
            assert!(
                start.elapsed() < bound,
                "{} did not exit within {bound:?}: {}",
                self.what,
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Deling {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port on which connections are refused for as long as the
/// returned socket lives: bound (so that nothing else can take the port,
/// as it could a port that was only free a moment ago) but not listening.
pub fn refusing_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(([127, 0, 0, 1], 0).into())
        .expect("bind a loopback port");
    let port = socket.local_addr().expect("local address").port();
    (socket, port)
}
