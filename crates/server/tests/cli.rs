//! The `deling` binary as an operator runs it: admin commands, migrations,
//! configuration errors, and `serve` as a child process driven over HTTP.
//!
//! Every test works in a temporary directory with a SQLite file of its own.
//! Configuration reaches the children through their own environment only;
//! `DELING_*` and `RUST_LOG` from the test runner's environment are removed.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::json;
use std::{
    io::{BufRead, BufReader, Read, Write},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex, mpsc},
    thread,
    time::{Duration, Instant},
};
use tempfile::TempDir;

/// Longest any single CLI command may take (RSA key generation included).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(90);

/// The outcome of one command.
#[derive(Debug)]
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// A temporary directory with a database URL pointing into it.
struct Sandbox {
    dir: TempDir,
    db_path: PathBuf,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let db_path = dir.path().join("cli.sqlite3");
        Self { dir, db_path }
    }

    fn database_url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.db_path.display())
    }

    /// `deling ARGS` in the sandbox with a clean `DELING_*` environment plus
    /// the sandbox database and `envs`.
    fn command(&self, args: &[&str], envs: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_deling"));
        cmd.current_dir(self.dir.path());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("DELING_") {
                cmd.env_remove(&key);
            }
        }
        cmd.env_remove("RUST_LOG");
        cmd.env("DELING_DATABASE_URL", self.database_url());
        cmd.envs(envs.iter().copied());
        cmd.args(args);
        cmd
    }

    /// Runs to completion, with `stdin` piped in (or nothing).
    fn run_with(&self, args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Run {
        run_bounded(self.command(args, envs), stdin, COMMAND_TIMEOUT)
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[], None)
    }

    /// Runs and expects success.
    fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert!(run.status.success(), "deling {args:?} failed: {run:?}");
        run
    }

    /// Runs and expects failure with a readable message on stderr.
    fn fails(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let run = self.run_with(args, &[], stdin);
        assert_failed(&run, &format!("deling {args:?}"));
        run
    }

    fn write_file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }
}

fn assert_failed(run: &Run, what: &str) {
    assert!(!run.status.success(), "{what} should have failed: {run:?}");
    assert_ne!(
        run.status.code(),
        None,
        "{what} was killed by a signal: {run:?}"
    );
    assert!(
        !run.stderr.trim().is_empty(),
        "{what} failed silently: {run:?}"
    );
    assert!(!run.stderr.contains("panicked"), "{what} panicked: {run:?}");
}

/// Spawns `cmd`, feeds `stdin`, and waits at most `timeout` (killing the
/// child then).
fn run_bounded(mut cmd: Command, stdin: Option<&str>, timeout: Duration) -> Run {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = ChildGuard(cmd.spawn().expect("spawn deling"));
    if let Some(input) = stdin {
        let mut pipe = child.0.stdin.take().expect("stdin pipe");
        // The child may exit before reading; that is its answer, not ours.
        let _ = pipe.write_all(input.as_bytes());
    }
    let stdout = drain(child.0.stdout.take().expect("stdout pipe"));
    let stderr = drain(child.0.stderr.take().expect("stderr pipe"));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait for deling") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "deling {:?} did not finish within {timeout:?}",
            cmd.get_args().collect::<Vec<_>>()
        );
        thread::sleep(Duration::from_millis(20));
    };
    Run {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Reads `pipe` to its end a line at a time and hands each line (with its
/// newline, if it had one) to `each`. Lines are read as bytes: a line that
/// is not UTF-8 must not stop the reading, which would close the pipe
/// under the child.
fn read_lines(
    pipe: impl Read + Send + 'static,
    mut each: impl FnMut(String) + Send + 'static,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut pipe = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match pipe.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => each(String::from_utf8_lossy(&buf).into_owned()),
            }
        }
    })
}

/// Kills and reaps its child when dropped, so no server outlives a failed
/// test.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// `deling serve` running as a child process.
struct Server {
    child: ChildGuard,
    base: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `deling serve` on a free port and waits for its banner.
    fn start(sandbox: &Sandbox) -> Self {
        let mut cmd = sandbox.command(
            &["serve"],
            &[
                ("DELING_BIND", "127.0.0.1:0"),
                ("DELING_FEDERATION__DEBUG", "true"),
                ("DELING_HTTP__WORKERS", "1"),
            ],
        );
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = ChildGuard(cmd.spawn().expect("spawn deling serve"));
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        read_lines(child.0.stderr.take().expect("stderr pipe"), move |line| {
            sink.lock().unwrap().push_str(&line);
        });
        let (tx, rx) = mpsc::channel();
        // Keep draining after the banner was found (when `rx` is gone):
        // closing the pipe early would hand the server a broken stdout.
        read_lines(child.0.stdout.take().expect("stdout pipe"), move |line| {
            let _ = tx.send(line);
        });
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        let prefix = "Deling is running: open ";
        let base = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix(prefix) {
                        break url.trim().trim_end_matches('/').to_owned();
                    }
                }
                Err(e) => panic!(
                    "deling serve printed no {prefix:?} line ({e}); stderr: {}",
                    stderr.lock().unwrap()
                ),
            }
        };
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        Self {
            child,
            base,
            stderr,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

fn item_body(title: &str) -> serde_json::Value {
    json!({
        "kind": "guide",
        "title": title,
        "summary": "Fra kommandolinjen",
        "body": "Tekst",
        "language": "nb",
        "tags": ["cli"],
        "license": "CC-BY-4.0",
        "links": [],
        "metadata": {}
    })
}

/// The token id in `Token N for USER (...)`.
fn token_id(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix("Token ")?
                .split_once(" for ")
                .map(|(id, _)| id.to_owned())
        })
        .unwrap_or_else(|| panic!("no 'Token N for ...' line in {stderr:?}"))
}

#[tokio::test]
async fn operator_workflow_from_agency_to_revoked_token() {
    let sb = Sandbox::new();

    let run = sb.ok(&[
        "admin",
        "agency",
        "create",
        "oslo",
        "--name",
        "Oslo kommune",
        "--org-number",
        "958935420",
    ]);
    assert!(
        run.stdout.contains("Created agency oslo (Oslo kommune)"),
        "{run:?}"
    );
    assert!(run.stdout.contains("@oslo@localhost:8080"), "{run:?}");

    let again = sb.fails(
        &["admin", "agency", "create", "oslo", "--name", "Oslo igjen"],
        None,
    );
    assert!(again.stderr.contains("already exists"), "{again:?}");

    let list = sb.ok(&["admin", "agency", "list"]);
    let line = list
        .stdout
        .lines()
        .find(|l| l.starts_with("oslo\t"))
        .unwrap_or_else(|| panic!("{list:?}"));
    assert_eq!(line, "oslo\tOslo kommune\t@oslo@localhost:8080\t958935420");
    assert!(
        !list.stdout.contains("Oslo igjen"),
        "the refused agency was stored: {list:?}"
    );

    let password = "a long password for kari";
    let user = sb.run_with(
        &["admin", "user", "create", "kari", "--password-stdin"],
        &[],
        Some(&format!("{password}\n")),
    );
    assert!(user.status.success(), "{user:?}");
    assert!(user.stdout.contains("Created user kari"), "{user:?}");

    let grant = sb.ok(&[
        "admin", "user", "grant", "kari", "--agency", "oslo", "--role", "editor",
    ]);
    assert!(
        grant.stdout.contains("kari is now editor of oslo"),
        "{grant:?}"
    );

    let created = sb.ok(&["admin", "token", "create", "kari", "--label", "tests"]);
    let token = created.stdout.trim().to_owned();
    assert_eq!(
        created.stdout.lines().count(),
        1,
        "the token is alone on stdout: {created:?}"
    );
    assert!(token.starts_with("dlg_") && token.len() == 68, "{token:?}");
    assert!(
        !created.stderr.contains(&token),
        "the secret is on stdout only: {created:?}"
    );
    let id = token_id(&created.stderr);

    let server = Server::start(&sb);
    let http = client();
    let resp = http
        .post(server.url("/api/v1/agencies/oslo/items"))
        .bearer_auth(&token)
        .json(&item_body("Fra CLI-testen"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let item: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(item["agency"]["handle"], "@oslo@localhost:8080");

    // The password piped to `user create` logs in (the newline is not part
    // of it).
    let login = http
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"username": "kari", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "{}", login.text().await.unwrap());

    let revoke = sb.ok(&["admin", "token", "revoke", &id]);
    assert!(
        revoke.stdout.contains(&format!("Token {id} revoked")),
        "{revoke:?}"
    );
    let resp = http
        .post(server.url("/api/v1/agencies/oslo/items"))
        .bearer_auth(&token)
        .json(&item_body("Etter tilbakekalling"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401, "{}", resp.text().await.unwrap());

    let list: serde_json::Value = http
        .get(server.url("/api/v1/items"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "{list}");
    assert!(
        !server.stderr.lock().unwrap().contains("panicked"),
        "the server panicked: {}",
        server.stderr.lock().unwrap()
    );
    drop(server.child);
}

/// An operator shuts an account out and lets it back in: disabling ends
/// its logins and tokens, a new password revokes what the old one made,
/// and instance administration is given and taken; each is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_disables_resets_and_promotes_an_account() {
    let sb = Sandbox::new();
    sb.ok(&[
        "admin",
        "agency",
        "create",
        "oslo",
        "--name",
        "Oslo kommune",
    ]);
    let old = "a long password for kari";
    let new = "another long password for kari";
    let create = ["admin", "user", "create", "kari", "--password-stdin"];
    assert!(
        sb.run_with(&create, &[], Some(&format!("{old}\n")))
            .status
            .success()
    );
    let created = sb.ok(&["admin", "token", "create", "kari", "--label", "cli"]);
    let cli_token = created.stdout.trim().to_owned();

    let server = Server::start(&sb);
    let http = client();
    let login = async |password: &str| {
        http.post(server.url("/api/v1/auth/login"))
            .json(&json!({"username": "kari", "password": password}))
            .send()
            .await
            .unwrap()
    };
    let status_with = async |token: &str, path: &str| {
        http.get(server.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    let resp = login(old).await;
    assert_eq!(resp.status(), 200);
    let login_token = resp.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(status_with(&cli_token, "/api/v1/auth/tokens").await, 200);

    // Disabled: no login, no token works.
    let run = sb.ok(&["admin", "user", "disable", "kari"]);
    assert!(run.stdout.contains("kari: disabled"), "{run:?}");
    assert_eq!(login(old).await.status(), 401);
    for token in [&cli_token, &login_token] {
        assert_eq!(status_with(token, "/api/v1/auth/tokens").await, 401);
    }
    // Enabled again: both work again.
    sb.ok(&["admin", "user", "enable", "kari"]);
    assert_eq!(login(old).await.status(), 200);
    assert_eq!(status_with(&cli_token, "/api/v1/auth/tokens").await, 200);

    // A new password: the old one and every token it could have made end.
    let reset = sb.run_with(
        &["admin", "user", "set-password", "kari", "--password-stdin"],
        &[],
        Some(&format!("{new}\n")),
    );
    assert!(reset.status.success(), "{reset:?}");
    assert!(reset.stdout.contains("API token(s) revoked"), "{reset:?}");
    assert_eq!(login(old).await.status(), 401);
    for token in [&cli_token, &login_token] {
        assert_eq!(status_with(token, "/api/v1/auth/tokens").await, 401);
    }
    let resp = login(new).await;
    assert_eq!(resp.status(), 200);
    let token = resp.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Instance administration given, then taken away.
    assert_eq!(status_with(&token, "/api/v1/admin/audit").await, 403);
    sb.ok(&["admin", "user", "promote", "kari"]);
    assert_eq!(status_with(&token, "/api/v1/admin/audit").await, 200);
    let audit: serde_json::Value = http
        .get(server.url("/api/v1/admin/audit"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions = audit.to_string();
    for action in [
        "staff.disable",
        "staff.enable",
        "staff.password",
        "staff.promote",
    ] {
        assert!(actions.contains(action), "{action} not audited: {audit}");
    }
    sb.ok(&["admin", "user", "demote", "kari"]);
    assert_eq!(status_with(&token, "/api/v1/admin/audit").await, 403);

    // Refused clearly: an unknown user, a short password.
    let unknown = sb.fails(&["admin", "user", "disable", "nobody"], None);
    assert!(unknown.stderr.contains("no user \"nobody\""), "{unknown:?}");
    let short = sb.fails(
        &["admin", "user", "set-password", "kari", "--password-stdin"],
        Some("kort\n"),
    );
    assert!(short.stderr.contains("password"), "{short:?}");
    assert_eq!(login(new).await.status(), 200);
    drop(server.child);
}

#[test]
fn agency_update_and_withdraw() {
    let sb = Sandbox::new();
    sb.ok(&[
        "admin",
        "agency",
        "create",
        "oslo",
        "--name",
        "Oslo kommune",
    ]);
    sb.ok(&["admin", "agency", "create", "nav", "--name", "NAV"]);

    let run = sb.ok(&[
        "admin",
        "agency",
        "update",
        "oslo",
        "--name",
        "Oslo kommune, PBE",
        "--summary",
        "Vi deler *veiledere*.",
        "--website",
        "https://www.oslo.kommune.no/",
        "--org-number",
        "958 935 420",
    ]);
    assert!(
        run.stdout
            .contains("Updated agency oslo (Oslo kommune, PBE)"),
        "{run:?}"
    );
    let list = sb.ok(&["admin", "agency", "list"]);
    assert!(
        list.stdout
            .lines()
            .any(|l| l == "oslo\tOslo kommune, PBE\t@oslo@localhost:8080\t958935420"),
        "{list:?}"
    );

    // Every bad option is named; nothing changes.
    let bad = sb.fails(
        &[
            "admin",
            "agency",
            "update",
            "oslo",
            "--name",
            " ",
            "--website",
            "javascript:alert(1)",
            "--org-number",
            "123",
        ],
        None,
    );
    for opt in ["--name", "--website", "--org-number"] {
        assert!(bad.stderr.contains(opt), "{opt} not named: {bad:?}");
    }
    let nothing = sb.fails(&["admin", "agency", "update", "oslo"], None);
    assert!(nothing.stderr.contains("nothing to change"), "{nothing:?}");
    let unknown = sb.fails(
        &["admin", "agency", "update", "bergen", "--name", "B"],
        None,
    );
    assert!(
        unknown.stderr.contains("no agency \"bergen\""),
        "{unknown:?}"
    );
    // An empty value clears an optional field.
    sb.ok(&["admin", "agency", "update", "oslo", "--org-number", ""]);
    let list = sb.ok(&["admin", "agency", "list"]);
    assert!(
        list.stdout
            .lines()
            .any(|l| l == "oslo\tOslo kommune, PBE\t@oslo@localhost:8080\t-"),
        "{list:?}"
    );

    // Withdrawal asks for --yes first and changes nothing without it.
    let ask = sb.fails(&["admin", "agency", "withdraw", "oslo"], None);
    assert!(ask.stderr.contains("--yes"), "{ask:?}");
    assert!(
        sb.ok(&["admin", "agency", "list"])
            .stdout
            .contains("oslo\t")
    );
    let done = sb.ok(&["admin", "agency", "withdraw", "oslo", "--yes"]);
    assert!(done.stdout.contains("Withdrew agency oslo"), "{done:?}");
    let list = sb.ok(&["admin", "agency", "list"]);
    assert!(!list.stdout.contains("oslo\t"), "{list:?}");
    assert!(list.stdout.contains("nav\t"), "{list:?}");
    let again = sb.fails(&["admin", "agency", "withdraw", "oslo", "--yes"], None);
    assert!(again.stderr.contains("withdrawn already"), "{again:?}");
    let update = sb.fails(&["admin", "agency", "update", "oslo", "--name", "X"], None);
    assert!(update.stderr.contains("no agency"), "{update:?}");
    // The slug stays taken.
    let reuse = sb.fails(&["admin", "agency", "create", "oslo", "--name", "Ny"], None);
    assert!(reuse.stderr.contains("already exists"), "{reuse:?}");

    let audit = sb.ok(&["admin", "audit"]);
    let actions: Vec<&str> = audit
        .stdout
        .lines()
        .filter_map(|l| l.split('\t').nth(2))
        .collect();
    assert_eq!(
        actions,
        [
            "agency.withdraw",
            "agency.update",
            "agency.update",
            "agency.create",
            "agency.create"
        ],
        "{audit:?}"
    );
}

#[test]
fn user_revoke_takes_a_role_away() {
    let sb = Sandbox::new();
    sb.ok(&[
        "admin",
        "agency",
        "create",
        "oslo",
        "--name",
        "Oslo kommune",
    ]);
    let user = sb.run_with(
        &["admin", "user", "create", "ola", "--password-stdin"],
        &[],
        Some("a long password for ola\n"),
    );
    assert!(user.status.success(), "{user:?}");
    sb.ok(&[
        "admin", "user", "grant", "ola", "--agency", "oslo", "--role", "admin",
    ]);
    let run = sb.ok(&["admin", "user", "revoke", "ola", "--agency", "oslo"]);
    assert!(
        run.stdout.contains("ola is no longer admin of oslo"),
        "{run:?}"
    );
    let again = sb.fails(
        &["admin", "user", "revoke", "ola", "--agency", "oslo"],
        None,
    );
    assert!(
        again.stderr.contains("ola has no role in oslo"),
        "{again:?}"
    );
    let nobody = sb.fails(
        &["admin", "user", "revoke", "kari", "--agency", "oslo"],
        None,
    );
    assert!(nobody.stderr.contains("no user \"kari\""), "{nobody:?}");
    let audit = sb.ok(&["admin", "audit"]);
    assert!(
        audit.stdout.contains("cli\tmembership.delete\tola@oslo"),
        "{audit:?}"
    );
}

#[test]
fn agency_create_refuses_bad_input() {
    let sb = Sandbox::new();
    let bad_slug = sb.fails(
        &[
            "admin",
            "agency",
            "create",
            "Oslo!",
            "--name",
            "Oslo kommune",
        ],
        None,
    );
    assert!(bad_slug.stderr.contains("Oslo!"), "{bad_slug:?}");
    assert!(bad_slug.stderr.contains("slug"), "{bad_slug:?}");

    let bad_org = sb.fails(
        &[
            "admin",
            "agency",
            "create",
            "oslo",
            "--name",
            "Oslo kommune",
            "--org-number",
            "958935421",
        ],
        None,
    );
    assert!(bad_org.stderr.contains("--org-number"), "{bad_org:?}");
    let short_org = sb.fails(
        &[
            "admin",
            "agency",
            "create",
            "oslo",
            "--name",
            "Oslo kommune",
            "--org-number",
            "12345",
        ],
        None,
    );
    assert!(short_org.stderr.contains("--org-number"), "{short_org:?}");

    let no_name = sb.fails(&["admin", "agency", "create", "oslo", "--name", "  "], None);
    assert!(no_name.stderr.contains("--name"), "{no_name:?}");
    let missing_name = sb.fails(&["admin", "agency", "create", "oslo"], None);
    assert!(missing_name.stderr.contains("--name"), "{missing_name:?}");

    let list = sb.ok(&["admin", "agency", "list"]);
    assert!(
        list.stdout.contains("No agencies yet"),
        "a refused agency was stored: {list:?}"
    );
}

#[test]
fn user_and_token_commands_refuse_bad_input() {
    let sb = Sandbox::new();
    sb.ok(&[
        "admin",
        "agency",
        "create",
        "oslo",
        "--name",
        "Oslo kommune",
    ]);
    let create = ["admin", "user", "create", "kari", "--password-stdin"];

    let short = sb.fails(&create, Some("short\n"));
    assert!(short.stderr.contains("password"), "{short:?}");
    let empty = sb.fails(&create, Some(""));
    assert!(empty.stderr.contains("password"), "{empty:?}");
    let no_flag = sb.fails(
        &["admin", "user", "create", "kari"],
        Some("a long password\n"),
    );
    assert!(no_flag.stderr.contains("--password-stdin"), "{no_flag:?}");
    let bad_name = sb.fails(
        &[
            "admin",
            "user",
            "create",
            "Kari Nordmann",
            "--password-stdin",
        ],
        Some("a long password\n"),
    );
    assert!(bad_name.stderr.contains("username"), "{bad_name:?}");
    // None of those made an account.
    let nobody = sb.fails(
        &[
            "admin", "user", "grant", "kari", "--agency", "oslo", "--role", "editor",
        ],
        None,
    );
    assert!(nobody.stderr.contains("no user"), "{nobody:?}");

    let made = sb.run_with(&create, &[], Some("a long password\n"));
    assert!(made.status.success(), "{made:?}");
    let taken = sb.fails(&create, Some("another long password\n"));
    assert!(taken.stderr.contains("taken"), "{taken:?}");

    let bad_role = sb.fails(
        &[
            "admin", "user", "grant", "kari", "--agency", "oslo", "--role", "owner",
        ],
        None,
    );
    assert!(
        bad_role.stderr.contains("--role") && bad_role.stderr.contains("owner"),
        "{bad_role:?}"
    );
    let no_agency = sb.fails(
        &[
            "admin", "user", "grant", "kari", "--agency", "bergen", "--role", "editor",
        ],
        None,
    );
    assert!(no_agency.stderr.contains("bergen"), "{no_agency:?}");

    let no_user = sb.fails(&["admin", "token", "create", "ola"], None);
    assert!(no_user.stderr.contains("ola"), "{no_user:?}");
    let zero_days = sb.fails(
        &["admin", "token", "create", "kari", "--expires-in-days", "0"],
        None,
    );
    assert!(
        zero_days.stderr.contains("--expires-in-days"),
        "{zero_days:?}"
    );
    assert!(
        zero_days.stdout.trim().is_empty(),
        "no token on failure: {zero_days:?}"
    );
    // Past what a date can hold: refused as the argument, not a panic.
    let far = sb.fails(
        &[
            "admin",
            "token",
            "create",
            "kari",
            "--expires-in-days",
            "100000000",
        ],
        None,
    );
    assert!(far.stderr.contains("--expires-in-days"), "{far:?}");
    assert!(!far.stderr.contains("panicked"), "{far:?}");
    assert!(far.stdout.trim().is_empty(), "no token on failure: {far:?}");
    let no_token = sb.fails(&["admin", "token", "revoke", "999"], None);
    assert!(no_token.stderr.contains("999"), "{no_token:?}");
    let bad_id = sb.fails(&["admin", "token", "revoke", "abc"], None);
    assert!(bad_id.stderr.contains("abc"), "{bad_id:?}");

    let expiring = sb.ok(&["admin", "token", "create", "kari", "--expires-in-days", "7"]);
    assert!(expiring.stderr.contains("expires"), "{expiring:?}");
    let first = token_id(&expiring.stderr);
    let second = token_id(&sb.ok(&["admin", "token", "create", "kari"]).stderr);
    assert_ne!(first, second);
    // Revoking twice is harmless.
    sb.ok(&["admin", "token", "revoke", &first]);
    sb.ok(&["admin", "token", "revoke", &first]);
}

#[test]
fn migrate_and_status() {
    let sb = Sandbox::new();
    let before = sb.ok(&["migrate", "--status"]);
    let pending: Vec<&str> = before
        .stdout
        .lines()
        .filter(|l| l.starts_with("pending"))
        .collect();
    assert!(
        !pending.is_empty(),
        "a fresh database has pending migrations: {before:?}"
    );
    assert!(!before.stdout.contains("applied"), "{before:?}");

    let migrate = sb.ok(&["migrate"]);
    assert!(
        migrate
            .stdout
            .contains(&format!("Applied {} migration(s).", pending.len())),
        "{migrate:?}"
    );
    let again = sb.ok(&["migrate"]);
    assert!(again.stdout.contains("up to date"), "{again:?}");

    let after = sb.ok(&["migrate", "--status"]);
    let applied: Vec<&str> = after
        .stdout
        .lines()
        .filter(|l| l.starts_with("applied"))
        .collect();
    assert_eq!(applied.len(), pending.len(), "{after:?}");
    assert!(!after.stdout.contains("pending"), "{after:?}");
    for (p, a) in pending.iter().zip(&applied) {
        assert_eq!(
            p.trim_start_matches("pending"),
            a.trim_start_matches("applied")
        );
    }
}

#[test]
fn bad_configuration_is_one_clear_line() {
    let sb = Sandbox::new();
    let wrong_type = sb.write_file("wrong-type.toml", "[http]\nmax_body_bytes = \"lots\"\n");
    let unknown_key = sb.write_file("unknown-key.toml", "colour = \"red\"\n");
    let not_toml = sb.write_file("not-toml.toml", "domain = \n");
    let missing = Path::new("/nonexistent.toml");
    // (arguments before `migrate`, environment, what the message must name)
    type Case<'a> = (Vec<String>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![],
            vec![("DELING_FEDERATION__DEBUG", "maybe")],
            "federation.debug",
        ),
        (vec![], vec![("DELING_BIND", "nonsense")], "bind"),
        (vec![], vec![("DELING_NOPE", "1")], "nope"),
        (
            vec![],
            vec![("DELING_DOMAIN", "deling.example.no/sti")],
            "domain",
        ),
        (
            vec![],
            vec![("DELING_DOMAIN", "127.0.0.2:8080")],
            "ip address",
        ),
        (vec![], vec![("DELING_DOMAIN", "[::1]:8080")], "ip address"),
        (
            vec![],
            vec![("DELING_DATABASE_URL", "mysql://db/deling")],
            "database_url",
        ),
        (
            vec![],
            vec![("DELING_HTTP__MAX_BODY_BYTES", "10")],
            "http.max_body_bytes",
        ),
        (
            vec![],
            vec![("DELING_AUTH__TOKEN_LIFETIME_DAYS", "0")],
            "auth.token_lifetime_days",
        ),
        // A lifetime past what dates can hold would fail every login.
        (
            vec![],
            vec![("DELING_AUTH__TOKEN_LIFETIME_DAYS", "100000000")],
            "auth.token_lifetime_days",
        ),
        (
            vec![],
            vec![("DELING_FEDERATION__REQUEST_TIMEOUT_SECONDS", "60")],
            "federation.request_timeout_seconds",
        ),
        (
            vec![],
            vec![
                ("DELING_FEDERATION__REQUEST_TIMEOUT_SECONDS", "5"),
                ("DELING_FEDERATION__CONNECT_TIMEOUT_SECONDS", "8"),
            ],
            "federation.connect_timeout_seconds",
        ),
        (
            vec![],
            vec![("DELING_FEDERATION__IDLE_CONNECTION_SECONDS", "0")],
            "federation.idle_connection_seconds",
        ),
        (
            vec![],
            vec![("DELING_FEDERATION__MAX_FOLLOWERS_PER_HOST", "0")],
            "federation.max_followers_per_host",
        ),
        (
            vec![],
            vec![
                ("DELING_FEDERATION__MAX_FOLLOWERS_PER_HOST", "10"),
                ("DELING_FEDERATION__MAX_INBOXES_PER_HOST", "11"),
            ],
            "federation.max_inboxes_per_host",
        ),
        (
            vec!["--config".into(), missing.display().to_string()],
            vec![],
            "/nonexistent.toml",
        ),
        (
            vec!["--config".into(), wrong_type.display().to_string()],
            vec![],
            "http.max_body_bytes",
        ),
        (
            vec!["--config".into(), unknown_key.display().to_string()],
            vec![],
            "colour",
        ),
        (
            vec!["--config".into(), not_toml.display().to_string()],
            vec![],
            "not-toml.toml",
        ),
    ];
    for (mut args, envs, names) in cases {
        args.push("migrate".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = sb.run_with(&args, &envs, None);
        let what = format!("deling {args:?} with {envs:?}");
        assert_failed(&run, &what);
        let lines: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(lines[0].starts_with("error:"), "{what}: {run:?}");
        // A TOML syntax error shows the offending line under the message;
        // everything else is one line.
        if names != "not-toml.toml" {
            assert_eq!(lines.len(), 1, "{what}: not one line: {run:?}");
        }
        // Keys from the environment come back upper-case (FEDERATION.DEBUG).
        assert!(
            run.stderr.to_lowercase().contains(names),
            "{what}: does not name {names:?}: {run:?}"
        );
        assert!(run.stdout.trim().is_empty(), "{what}: {run:?}");
    }
    assert!(
        !sb.db_path.exists(),
        "a bad configuration still touched the database"
    );
}

#[test]
fn configuration_file_and_environment_are_layered() {
    let sb = Sandbox::new();
    sb.ok(&["migrate"]);
    let file = sb.write_file(
        "deling.toml",
        "domain = \"deling.fil.no\"\n[instance]\nname = \"Fil\"\n",
    );
    let file = file.display().to_string();
    let with_file = sb.ok(&[
        "--config",
        &file,
        "admin",
        "agency",
        "create",
        "oslo",
        "--name",
        "Oslo kommune",
    ]);
    assert!(
        with_file.stdout.contains("@oslo@deling.fil.no"),
        "{with_file:?}"
    );
    assert!(
        with_file
            .stdout
            .contains("https://deling.fil.no/agencies/oslo"),
        "{with_file:?}"
    );
    let env_wins = sb.run_with(
        &["admin", "agency", "list", "--config", &file],
        &[("DELING_DOMAIN", "deling.env.no")],
        None,
    );
    assert!(env_wins.status.success(), "{env_wins:?}");
    assert!(
        env_wins.stdout.contains("@oslo@deling.env.no"),
        "{env_wins:?}"
    );
}

#[test]
fn serve_fails_clearly_when_the_database_is_unreachable() {
    let sb = Sandbox::new();
    let started = Instant::now();
    let run = sb.run_with(
        &["serve"],
        &[
            (
                "DELING_DATABASE_URL",
                "postgres://nobody:hemmelig@127.0.0.1:1/x",
            ),
            ("DELING_BIND", "127.0.0.1:0"),
        ],
        None,
    );
    assert_failed(&run, "serve on an unreachable database");
    assert!(run.stderr.contains("database_url"), "{run:?}");
    assert!(
        !run.stderr.contains("hemmelig"),
        "the password leaked: {run:?}"
    );
    assert!(!run.stdout.contains("Deling is running"), "{run:?}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn serve_fails_clearly_when_the_port_is_taken() {
    let sb = Sandbox::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let addr = taken.local_addr().unwrap().to_string();
    let run = sb.run_with(&["serve"], &[("DELING_BIND", &addr)], None);
    assert_failed(&run, "serve on a taken port");
    assert!(
        run.stderr.contains(&addr) && run.stderr.contains("bind"),
        "{run:?}"
    );
}

/// Fails the test, with the server's stderr (in `log`), unless a `deling
/// serve` that exited with `status` failed to bind its port because the
/// port was in use.
fn assert_port_was_taken(status: ExitStatus, log: &Path) {
    let stderr = std::fs::read_to_string(log).unwrap_or_default();
    if stderr.contains("cannot listen on bind") && stderr.contains("in use") {
        return;
    }
    panic!("deling serve exited ({status}) after its stdout was closed; stderr: {stderr}");
}

/// `deling serve` on `addr`, with its stdout closed before it starts and
/// its stderr going to `log`, once it answers `/healthz`; `None` when it
/// could not bind `addr` because the port was taken after it was chosen.
async fn serve_with_closed_stdout(
    sb: &Sandbox,
    addr: &str,
    log: &Path,
    http: &reqwest::Client,
) -> Option<ChildGuard> {
    let mut cmd = sb.command(
        &["serve"],
        &[("DELING_BIND", addr), ("DELING_FEDERATION__DEBUG", "true")],
    );
    let log_file = std::fs::File::create(log).expect("create the server's log file");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file);
    let mut child = ChildGuard(cmd.spawn().expect("spawn deling serve"));
    drop(child.0.stdout.take());

    let deadline = Instant::now() + COMMAND_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.0.try_wait() {
            assert_port_was_taken(status, log);
            return None;
        }
        let probe = http
            .get(format!("http://{addr}/healthz"))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        match probe {
            Ok(resp) if resp.status() == 200 => {
                // The answer may come from whatever took the port while
                // this server failed to bind it: it counts once this
                // server is seen running after it.
                tokio::time::sleep(Duration::from_millis(300)).await;
                if let Ok(Some(status)) = child.0.try_wait() {
                    assert_port_was_taken(status, log);
                    return None;
                }
                return Some(child);
            }
            _ if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => panic!(
                "deling serve never answered on {addr}: {other:?}; stderr: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            ),
        }
    }
}

/// A server whose stdout is closed before it prints its banner (a pipe into
/// `head`, a harness that stopped reading) keeps serving.
#[tokio::test]
async fn serve_survives_a_closed_stdout() {
    let sb = Sandbox::new();
    let http = client();
    let log = sb.dir.path().join("serve.log");
    // The server is given its port (it cannot tell it on stdout): one that
    // was free a moment ago, and another one if it was taken since.
    let mut attempts = 0;
    let (mut child, addr) = loop {
        attempts += 1;
        let addr = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
            probe.local_addr().unwrap().to_string()
        };
        match serve_with_closed_stdout(&sb, &addr, &log, &http).await {
            Some(child) => break (child, addr),
            None if attempts < 5 => {
                eprintln!("port {addr} was taken before deling serve bound it; trying another");
            }
            None => panic!(
                "deling serve could not bind a free port in {attempts} attempts; stderr: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ),
        }
    };
    // Still up after the banner would have been written.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        matches!(child.0.try_wait(), Ok(None)),
        "deling serve exited after its stdout was closed; stderr: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let resp = http
        .get(format!("http://{addr}/api/v1/items"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        !stderr.contains("panicked"),
        "the server panicked: {stderr}"
    );
}

#[test]
fn usage_errors_and_version() {
    let sb = Sandbox::new();
    let none = sb.fails(&[], None);
    assert!(none.stderr.contains("Usage"), "{none:?}");
    let unknown = sb.fails(&["frobnicate"], None);
    assert!(unknown.stderr.contains("frobnicate"), "{unknown:?}");
    let version = sb.ok(&["--version"]);
    assert!(
        version.stdout.contains(env!("CARGO_PKG_VERSION")),
        "{version:?}"
    );
    let help = sb.ok(&["admin", "--help"]);
    for word in ["agency", "user", "token"] {
        assert!(help.stdout.contains(word), "{help:?}");
    }
}

/// A control character in any argument is refused before anything is
/// stored (a NUL in a block reason failed on PostgreSQL and was stored on
/// SQLite).
#[test]
fn control_characters_in_arguments_are_refused_and_nothing_is_stored() {
    let sandbox = Sandbox::new();
    for args in [
        &[
            "admin",
            "policy",
            "block",
            "spam.example",
            "--reason",
            "spam\u{1}",
        ][..],
        &[
            "admin",
            "policy",
            "block-actor",
            "https://spam.example/u",
            "--reason",
            "x\u{7f}",
        ],
        &["admin", "policy", "block", "spam\u{1b}.example"],
    ] {
        let run = sandbox.fails(args, None);
        assert!(run.stderr.contains("control character"), "{run:?}");
    }
    let list = sandbox.ok(&["admin", "policy", "list"]);
    assert!(!list.stdout.contains("spam"), "{list:?}");
}

/// An empty CSV file imports nothing and is refused, as the API refuses
/// one; a file with a block imports it.
#[test]
fn policy_import_refuses_an_empty_file() {
    let sandbox = Sandbox::new();
    let empty = sandbox.dir.path().join("empty.csv");
    std::fs::write(&empty, "\n  \n").unwrap();
    let run = sandbox.fails(
        &["admin", "policy", "import", empty.to_str().unwrap()],
        None,
    );
    assert!(run.stderr.contains("the file is empty"), "{run:?}");
    let blocks = sandbox.dir.path().join("blocks.csv");
    std::fs::write(&blocks, "spam.example,suspend\n").unwrap();
    let run = sandbox.ok(&["admin", "policy", "import", blocks.to_str().unwrap()]);
    assert!(run.stdout.contains("imported 1"), "{run:?}");
    let list = sandbox.ok(&["admin", "policy", "list"]);
    assert!(list.stdout.contains("spam.example"), "{list:?}");
}

#[tokio::test]
async fn rotate_key_for_an_agency_and_the_instance_actor() {
    let sb = Sandbox::new();
    sb.ok(&["admin", "agency", "create", "oslo", "--name", "Oslo"]);
    let store = deling_store::Store::connect(&sb.database_url())
        .await
        .unwrap();
    let agency = async || {
        store
            .get_agency_by_slug("oslo")
            .await
            .unwrap()
            .expect("oslo")
    };
    let before = agency().await;

    let run = sb.ok(&["admin", "agency", "rotate-key", "oslo"]);
    assert!(
        run.stdout.contains("Agency oslo has a new signing key"),
        "{run:?}"
    );
    assert!(run.stdout.contains("signed with the old key"), "{run:?}");
    let after = agency().await;
    assert_ne!(after.public_key_pem, before.public_key_pem);
    assert!(
        after
            .public_key_pem
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    assert_eq!(after.previous_public_key_pem, Some(before.public_key_pem));
    assert_eq!(after.previous_private_key_pem, Some(before.private_key_pem));
    let days = (after.previous_key_expires_at.expect("expiry") - chrono::Utc::now()).num_hours();
    assert!((7 * 24 - 1..=7 * 24).contains(&days), "{days} hours");

    let run = sb.ok(&["admin", "agency", "rotate-key", "oslo", "--grace-days", "0"]);
    assert!(run.stdout.contains("the old one was not kept"), "{run:?}");
    let last = agency().await;
    assert_ne!(last.public_key_pem, after.public_key_pem);
    assert_eq!(last.previous_private_key_pem, None);

    let audit = sb.ok(&["admin", "audit"]);
    assert_eq!(
        audit.stdout.matches("agency.rotate_key").count(),
        2,
        "{audit:?}"
    );

    // Unknown agencies and bad grace periods: a readable line, no change.
    let unknown = sb.fails(&["admin", "agency", "rotate-key", "bergen"], None);
    assert!(
        unknown.stderr.contains("no agency \"bergen\""),
        "{unknown:?}"
    );
    let long = sb.fails(
        &[
            "admin",
            "agency",
            "rotate-key",
            "oslo",
            "--grace-days",
            "365",
        ],
        None,
    );
    assert!(long.stderr.contains("--grace-days"), "{long:?}");
    let negative = sb.fails(
        &["admin", "agency", "rotate-key", "oslo", "--grace-days=-1"],
        None,
    );
    assert!(negative.stderr.contains("--grace-days"), "{negative:?}");
    assert_eq!(agency().await, last);

    let instance = store.get_instance().await.unwrap().expect("instance");
    let run = sb.ok(&["admin", "instance", "rotate-key"]);
    assert!(
        run.stdout.contains("Restart every `deling serve`"),
        "{run:?}"
    );
    let rotated = store.get_instance().await.unwrap().expect("instance");
    assert_ne!(rotated.public_key_pem, instance.public_key_pem);
    assert_ne!(rotated.private_key_pem, instance.private_key_pem);
    let audit = sb.ok(&["admin", "audit"]);
    assert!(audit.stdout.contains("instance.rotate_key"), "{audit:?}");
}

#[tokio::test]
async fn search_reindex_rebuilds_the_index() {
    use deling_domain::{item::ItemContent, item::RawItem, search::SearchQuery};
    use deling_store::queries::search::SearchFilter;
    let sb = Sandbox::new();
    sb.ok(&[
        "admin",
        "agency",
        "create",
        "bodo",
        "--name",
        "Bodø kommune",
    ]);
    let store = deling_store::Store::connect(&sb.database_url())
        .await
        .expect("store");
    let agency = store
        .get_agency_by_slug("bodo")
        .await
        .expect("read")
        .expect("agency");
    let content = ItemContent::parse(RawItem {
        kind: Some("guide".into()),
        title: Some("Vannlekkasjer i kommunale bygg".into()),
        language: Some("nb".into()),
        ..Default::default()
    })
    .expect("item");
    store.put_item(agency.id, &content).await.expect("item");
    let found = |store: deling_store::Store| async move {
        let q = SearchQuery::parse("vannlekkasje").expect("query");
        store
            .search_items(&q, &SearchFilter::default(), 1, 20)
            .await
            .expect("search")
            .total
    };
    assert_eq!(found(store.clone()).await, 1);

    // Lost (a restore without it): rebuilt by the command...
    store
        .execute_unprepared("DELETE FROM item_search")
        .await
        .expect("wipe");
    assert_eq!(found(store.clone()).await, 0);
    let run = sb.ok(&["admin", "search", "reindex"]);
    assert!(
        run.stdout.contains("search index rebuilt: 1 items"),
        "{run:?}"
    );
    assert_eq!(found(store.clone()).await, 1);

    // ...and, when empty, by any start of the program.
    store
        .execute_unprepared("DELETE FROM item_search")
        .await
        .expect("wipe");
    sb.ok(&["admin", "agency", "list"]);
    assert_eq!(found(store.clone()).await, 1);
}

/// The operator follows and unfollows for an agency from outside its
/// staff, as an instance admin may: both are in the audit log, with the
/// agency and the actor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_follow_and_unfollow_are_audited() {
    let peer = deling_testkit::peer::FakePeer::spawn().await;
    let [key, _] = deling_testkit::peer::fake_keys().await;
    let eve = peer.actor("eve", key).id;
    tokio::task::spawn_blocking(move || {
        let sb = Sandbox::new();
        let loopback = [
            ("DELING_FEDERATION__DEBUG", "true"),
            ("DELING_FEDERATION__ALLOW_PRIVATE_ADDRESSES", "true"),
        ];
        sb.ok(&["admin", "agency", "create", "oslo", "--name", "Oslo"]);
        for verb in ["follow", "unfollow"] {
            let run = sb.run_with(&["admin", "agency", verb, "oslo", &eve], &loopback, None);
            assert!(run.status.success(), "{verb}: {run:?}");
        }
        let audit = sb.ok(&["admin", "audit"]).stdout;
        for action in ["follow.create", "follow.undo"] {
            let line = format!("cli\t{action}\toslo/following/{eve}");
            assert!(audit.contains(&line), "{line} not in {audit}");
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_operators_grant_is_audited_and_filed_under_the_agency() {
    let sb = Sandbox::new();
    sb.ok(&["admin", "agency", "create", "oslo", "--name", "Oslo"]);
    let user = sb.run_with(
        &["admin", "user", "create", "kari", "--password-stdin"],
        &[],
        Some("a long password for kari\n"),
    );
    assert!(user.status.success(), "{user:?}");
    sb.ok(&[
        "admin", "user", "grant", "kari", "--agency", "oslo", "--role", "editor",
    ]);
    let store = deling_store::Store::connect(&sb.database_url())
        .await
        .unwrap();
    let oslo = store.get_agency_by_slug("oslo").await.unwrap().unwrap();
    // Newest first: the grant, then the agency's creation.
    let filed = store.list_agency_audit(oslo.id, 10, 0).await.unwrap();
    assert_eq!(filed.len(), 2, "{filed:?}");
    assert_eq!(filed[1].action, "agency.create", "{filed:?}");
    assert_eq!(
        (
            filed[0].actor.as_str(),
            filed[0].action.as_str(),
            filed[0].target.as_str()
        ),
        ("cli", "membership.put", "kari@oslo")
    );
    assert_eq!(filed[0].details["role"], "editor", "{:?}", filed[0].details);
}

/// A proxy named in the environment (`HTTP_PROXY`, `HTTPS_PROXY`,
/// `ALL_PROXY`) is not used: through one, the private-address guard
/// would check only the proxy's address, and the proxy would connect
/// anywhere. The operator's follow reaches the peer itself; the proxy,
/// which would answer 502, sees no connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_in_the_environment_is_not_used() {
    let peer = deling_testkit::peer::FakePeer::spawn().await;
    let [key, _] = deling_testkit::peer::fake_keys().await;
    let eve = peer.actor("eve", key).id;
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut conn, _)) = proxy.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf).await;
            let _ = conn
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let fetched_before = peer.fetched().len();
    tokio::task::spawn_blocking(move || {
        let sb = Sandbox::new();
        sb.ok(&["admin", "agency", "create", "oslo", "--name", "Oslo"]);
        let envs = [
            ("DELING_FEDERATION__DEBUG", "true"),
            ("DELING_FEDERATION__ALLOW_PRIVATE_ADDRESSES", "true"),
            ("HTTP_PROXY", proxy_url.as_str()),
            ("http_proxy", proxy_url.as_str()),
            ("HTTPS_PROXY", proxy_url.as_str()),
            ("ALL_PROXY", proxy_url.as_str()),
            ("NO_PROXY", ""),
        ];
        let run = sb.run_with(&["admin", "agency", "follow", "oslo", &eve], &envs, None);
        assert!(run.status.success(), "{run:?}");
    })
    .await
    .unwrap();
    assert!(
        peer.fetched().len() > fetched_before,
        "the peer was not asked for eve"
    );
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the follow went through the proxy"
    );
}
