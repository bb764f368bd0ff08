//! A Deling server per test, on a database of its own, driven over real HTTP.
//!
//! The configuration is built from the compiled-in defaults without reading
//! `DELING_*` environment variables (they are process-global and tests run
//! in parallel). Agencies, staff and tokens are made directly through a
//! [`Store`] on the same database, which is what the CLI does too.

use deling::{
    config::{Config, DEFAULT_TOML},
    startup::Application,
};
use deling_domain::{
    agency::OrgNumber,
    auth::{NewToken, Password, Role, Username},
    slug::Slug,
    text::DisplayName,
};
use deling_federation::keys::{self, KeyPair};
use deling_store::{
    Store,
    queries::agency::NewAgency,
    records::{Agency, Staff},
};
use figment::{
    Figment,
    providers::{Format, Toml},
};
use reqwest::{Response, StatusCode, header};
use serde_json::{Value, json};
use tempfile::TempDir;

/// The public host every test server claims; it only shows in URLs and
/// handles, requests go to the bound address.
pub const DOMAIN: &str = "deling.test";

/// A password long enough for [`Password::parse`].
pub const PASSWORD: &str = "correct horse battery staple";

/// One RSA key pair for every actor in this test binary: start-up and
/// federation need real keys, and generating them is slow.
pub fn test_keys() -> &'static KeyPair {
    static KEYS: std::sync::OnceLock<KeyPair> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| keys::generate().expect("generate an RSA key pair"))
}

/// A running server with a store on its database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The same database the server uses.
    pub store: Store,
    /// An HTTP client that never goes through a proxy.
    pub client: reqwest::Client,
    /// The private metrics listener, when the configuration has one.
    pub metrics_base: Option<String>,
    /// Keeps the SQLite file alive for the test's duration.
    _dir: Option<TempDir>,
}

/// The defaults with test overrides: any free port on loopback, plain HTTP
/// ids, one worker.
pub fn test_config(database_url: &str) -> Config {
    let mut config: Config = Figment::new()
        .merge(Toml::string(DEFAULT_TOML))
        .extract()
        .expect("the built-in defaults parse");
    config.bind = "127.0.0.1:0".into();
    config.database_url = database_url.to_owned();
    config.domain = DOMAIN.into();
    config.federation.debug = true;
    config.http.workers = 1;
    config
}

impl TestApp {
    /// A server on a fresh SQLite database.
    pub async fn spawn() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("t.sqlite3").display()
        );
        Self::spawn_on(&url, Some(dir)).await
    }

    /// A server on the (empty) database at `database_url`.
    pub async fn spawn_on(database_url: &str, dir: Option<TempDir>) -> Self {
        Self::spawn_configured(database_url, dir, |_| {}).await
    }

    /// A server on a fresh SQLite database, with `tweak` applied to the
    /// test configuration.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("t.sqlite3").display()
        );
        Self::spawn_configured(&url, Some(dir), tweak).await
    }

    async fn spawn_configured(
        database_url: &str,
        dir: Option<TempDir>,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = test_config(database_url);
        tweak(&mut config);
        let store = Store::connect(database_url)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        // Made here with the shared keys so that start-up skips RSA key
        // generation.
        let kp = test_keys();
        store
            .get_or_put_instance(&config.domain, &config.instance.name, || {
                (kp.public_key_pem.clone(), kp.private_key_pem.clone())
            })
            .await
            .expect("instance row");
        let app = Application::build(&config)
            .await
            .expect("build the application");
        let addr = app.addr();
        let metrics = app.metrics_addr();
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("HTTP client");
        Self {
            base: format!("http://{addr}"),
            metrics_base: metrics.map(|a| format!("http://{a}")),
            store,
            client,
            _dir: dir,
        }
    }

    /// An absolute URL on the server for `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a local agency (with the shared test keys).
    pub async fn agency(&self, slug: &str, name: &str) -> Agency {
        self.store
            .put_agency(NewAgency {
                slug: Slug::parse(slug).expect("valid slug"),
                name: DisplayName::parse(name).expect("valid name"),
                org_number: Some(OrgNumber::parse("958935420").expect("valid org number")),
                public_key_pem: test_keys().public_key_pem.clone(),
                private_key_pem: test_keys().private_key_pem.clone(),
            })
            .await
            .expect("put agency")
    }

    /// Creates a staff account with [`PASSWORD`].
    pub async fn staff(&self, username: &str, instance_admin: bool) -> Staff {
        let hash =
            tokio::task::spawn_blocking(|| Password::parse(PASSWORD).expect("long enough").hash())
                .await
                .expect("hash the password");
        self.store
            .put_staff(
                &Username::parse(username).expect("valid username"),
                hash,
                instance_admin,
            )
            .await
            .expect("put staff")
    }

    /// Creates a staff account without a usable password (for tests that
    /// only need a token; skips argon2).
    pub async fn staff_without_password(&self, username: &str, instance_admin: bool) -> Staff {
        self.store
            .put_staff(
                &Username::parse(username).expect("valid username"),
                "not a hash".into(),
                instance_admin,
            )
            .await
            .expect("put staff")
    }

    /// Issues a token for `staff` and returns its secret.
    pub async fn token(&self, staff: &Staff) -> String {
        let t = NewToken::generate();
        self.store
            .put_token(staff.id, t.hash, Some("test".into()), None)
            .await
            .expect("put token");
        t.secret
    }

    /// A new staff member who is an editor of `agency`, and their token.
    pub async fn editor_of(&self, username: &str, agency: &Agency) -> String {
        let staff = self.staff_without_password(username, false).await;
        self.store
            .put_membership(staff.id, agency.id, Role::Editor)
            .await
            .expect("put membership");
        self.token(&staff).await
    }

    /// A new instance administrator and their token.
    pub async fn instance_admin(&self, username: &str) -> String {
        let staff = self.staff_without_password(username, true).await;
        self.token(&staff).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// `GET path`, expecting 200 and JSON.
    pub async fn get_ok(&self, path: &str) -> Value {
        let resp = self.get(path).await;
        ok_json(resp, StatusCode::OK).await
    }

    /// `POST /api/v1/agencies/{slug}/items` with `body` as JSON.
    pub async fn post_item(&self, token: &str, slug: &str, body: &Value) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/agencies/{slug}/items")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST item")
    }

    /// Publishes `body` and returns the created item; panics unless 201.
    pub async fn create_item(&self, token: &str, slug: &str, body: &Value) -> Value {
        let resp = self.post_item(token, slug, body).await;
        ok_json(resp, StatusCode::CREATED).await
    }

    /// `PATCH /api/v1/items/{id}` with `body` as JSON.
    pub async fn patch_item(&self, token: &str, id: i64, body: &Value) -> Response {
        self.client
            .patch(self.url(&format!("/api/v1/items/{id}")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("PATCH item")
    }

    /// `DELETE /api/v1/items/{id}`.
    pub async fn delete_item(&self, token: &str, id: i64) -> Response {
        self.client
            .delete(self.url(&format!("/api/v1/items/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("DELETE item")
    }

    /// `GET /api/v1/items/{id}`, expecting 200.
    pub async fn read_item(&self, id: i64) -> Value {
        self.get_ok(&format!("/api/v1/items/{id}")).await
    }

    /// Number of items the public listing reports.
    pub async fn total_items(&self) -> u64 {
        self.get_ok("/api/v1/items?origin=all").await["total"]
            .as_u64()
            .expect("total is a number")
    }
}

/// Checks the status and returns the JSON body, showing the body when the
/// status is wrong.
pub async fn ok_json(resp: Response, status: StatusCode) -> Value {
    let got = resp.status();
    let text = resp.text().await.expect("response body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("body is not JSON ({e}): {text}"))
}

/// Checks that `resp` is an RFC 9457 problem with `status` and a non-empty
/// detail, and returns it.
pub async fn problem(resp: Response, status: u16) -> Value {
    let got = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = resp.text().await.expect("response body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type:?} is not application/problem+json; body: {text}"
    );
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("problem is not JSON ({e}): {text}"));
    assert_eq!(body["status"], json!(status), "problem status: {body}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "problem has no title: {body}"
    );
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty()),
        "problem has no detail: {body}"
    );
    body
}

/// Checks a 422 problem whose `errors` name `field`, and returns it.
pub async fn invalid(resp: Response, field: &str) -> Value {
    let body = problem(resp, 422).await;
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("422 without errors: {body}"));
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == field
                && e["problem"].as_str().is_some_and(|p| !p.trim().is_empty())),
        "errors do not name {field:?}: {body}"
    );
    body
}

/// A complete, valid guide.
pub fn guide(title: &str) -> Value {
    json!({
        "kind": "guide",
        "title": title,
        "summary": "Slik digitaliserte vi byggesaksbehandlingen.",
        "body": "# Steg 1\n\nLes *dette* først.",
        "language": "nb",
        "tags": ["byggesak"],
        "license": "CC-BY-4.0",
        "links": [{"href": "https://www.oslo.kommune.no/byggesak", "title": "Byggesak i Oslo"}],
        "metadata": {}
    })
}

/// The id of an item in a response body.
pub fn id_of(item: &Value) -> i64 {
    item["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {item}"))
}

/// A response read off a raw socket.
#[derive(Debug)]
pub struct RawResponse {
    /// Status code.
    pub status: u16,
    /// Header lines, as sent.
    pub headers: Vec<(String, String)>,
    /// The body (assumed to be sent with Content-Length or until close).
    pub body: String,
}

impl RawResponse {
    /// The Content-Type header, or "".
    pub fn content_type(&self) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// Writes `request` as is to the server and reads the response, for what an
/// HTTP client library will not send. The server may answer (and stop
/// reading) before the whole request is written; write errors are ignored.
pub async fn raw_request(app: &TestApp, request: Vec<u8>) -> RawResponse {
    use std::io::{Read, Write};
    let addr = app.base.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        let timeout = Some(std::time::Duration::from_secs(20));
        stream.set_read_timeout(timeout).expect("read timeout");
        stream.set_write_timeout(timeout).expect("write timeout");
        let _ = stream.write_all(&request);
        let _ = stream.flush();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    if complete(&buf) {
                        break;
                    }
                }
                Err(e) if buf.is_empty() => panic!("no response: {e}"),
                Err(_) => break,
            }
        }
        parse_raw(&buf)
    })
    .await
    .expect("raw request task")
}

fn split_head(buf: &[u8]) -> Option<(String, &[u8])> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some((
        String::from_utf8_lossy(&buf[..end]).into_owned(),
        &buf[end + 4..],
    ))
}

fn content_length(head: &str) -> Option<usize> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse().ok())?
    })
}

fn complete(buf: &[u8]) -> bool {
    split_head(buf)
        .is_some_and(|(head, body)| content_length(&head).is_some_and(|n| body.len() >= n))
}

fn parse_raw(buf: &[u8]) -> RawResponse {
    let (head, body) = split_head(buf).unwrap_or_else(|| {
        panic!(
            "no HTTP response head in {:?}",
            String::from_utf8_lossy(buf)
        )
    });
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {head:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let body = match content_length(&head) {
        Some(n) => &body[..n.min(body.len())],
        None => body,
    };
    RawResponse {
        status,
        headers,
        body: String::from_utf8_lossy(body).into_owned(),
    }
}
