//! Hostile input, over real HTTP: rate limits answered with 429 and
//! `Retry-After` (login per address, API per token, inboxes per address
//! and per remote host), the login lock-out kept in the database, and
//! managing one's own tokens. Every test runs its own server with small
//! limits set in its own configuration.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

// The shared test support (`crates/testkit`).
use deling_testkit as helpers;
use deling_testkit::peer;

use deling_store::{Store, records::Staff};
use deling_testkit::{TestApp, postgres::FreshDatabase};
use helpers::{PASSWORD, ok_json, problem, test_keys};
use reqwest::{Response, StatusCode, header};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A test server ([`TestApp`]) with the requests these tests make.
struct App(TestApp);

impl std::ops::Deref for App {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.0
    }
}

/// A server on a fresh SQLite database, with the test defaults changed by
/// `tune`.
async fn spawn(tune: impl FnOnce(&mut deling::config::Config)) -> App {
    App(TestApp::spawn_with(tune).await)
}

impl App {
    /// A staff member with [`PASSWORD`], not an instance administrator.
    async fn staff(&self, username: &str) -> Staff {
        self.0.staff(username, false).await
    }

    async fn token(&self, staff: &Staff, label: &str) -> String {
        self.0.labelled_token(staff, label).await
    }

    async fn login(&self, username: &str, password: &str) -> Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("POST login")
    }

    async fn tokens(&self, token: &str) -> Response {
        self.client
            .get(self.url("/api/v1/auth/tokens"))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET tokens")
    }

    async fn revoke(&self, token: &str, id: &str) -> Response {
        self.client
            .delete(self.url(&format!("/api/v1/auth/tokens/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("DELETE token")
    }

    /// An unsigned junk delivery to `path`, with extra headers.
    async fn junk(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = self
            .client
            .post(self.url(path))
            .header(header::CONTENT_TYPE, "application/activity+json")
            .body("{\"type\": \"Junk\"}");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.expect("POST inbox")
    }
}

/// The `Retry-After` seconds of a response.
fn retry_after(resp: &Response) -> u64 {
    resp.headers()
        .get(header::RETRY_AFTER)
        .unwrap_or_else(|| panic!("no Retry-After on {}", resp.status()))
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After is whole seconds")
}

/// Checks a 429 problem with `Retry-After` in `secs`; returns the seconds
/// and the problem.
async fn limited(resp: Response, secs: std::ops::RangeInclusive<u64>) -> (u64, Value) {
    let wait = retry_after(&resp);
    assert!(secs.contains(&wait), "Retry-After {wait} not in {secs:?}");
    (wait, problem(resp, 429).await)
}

#[tokio::test]
async fn login_burst_from_one_address_is_429() {
    let app = spawn(|c| c.limits.login_per_ip_per_minute = 3).await;
    app.staff("kari").await;
    ok_json(app.login("kari", PASSWORD).await, StatusCode::OK).await;
    for _ in 0..2 {
        problem(app.login("kari", "wrong password!").await, 401).await;
    }
    // 3 a minute: the next one is due 20 seconds after the first (less
    // the time the three took, which argon2 makes slow on a busy machine).
    let (_, body) = limited(app.login("kari", PASSWORD).await, 10..=20).await;
    assert!(
        body["detail"].as_str().unwrap().contains("login attempts"),
        "{body}"
    );
    // The limit is checked before the body is read.
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .body("not json")
        .send()
        .await
        .unwrap();
    limited(resp, 1..=20).await;
    // Proxy headers are not trusted by default.
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", "192.0.2.99")
        .json(&json!({"username": "kari", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    limited(resp, 1..=20).await;
    // The rest of the API is not affected.
    let resp = app
        .client
        .get(app.url("/api/v1/items"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit() {
    let app = spawn(|c| {
        c.limits.login_per_ip_per_minute = 1;
        c.http.trust_proxy_headers = true;
    })
    .await;
    let login_from = |xff: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", xff)
            .json(&json!({"username": "nobody", "password": "wrong password!"}))
            .send()
    };
    problem(login_from("192.0.2.1").await.unwrap(), 401).await;
    limited(login_from("192.0.2.1").await.unwrap(), 1..=60).await;
    // The proxy's address (the last one) counts, not what the client wrote.
    limited(login_from("192.0.2.2, 192.0.2.1").await.unwrap(), 1..=60).await;
    problem(login_from("192.0.2.1, 192.0.2.2").await.unwrap(), 401).await;
}

/// The first lock of the lock-out test, in seconds: long enough that the
/// checks made while a name is locked cannot outlast it on a slow machine.
const LOCK_SECONDS: u64 = 10;

/// The `detail` of a problem up to its first `;` (the part without the
/// number of seconds).
fn reason(p: &Value) -> String {
    p["detail"]
        .as_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Logs in as `username` with `password` every half second while the name
/// is locked (each answer a 429 for the name, waiting at most
/// [`LOCK_SECONDS`]), for at most a minute; returns the first other answer.
async fn login_after_lock(app: &App, username: &str, password: &str) -> Response {
    let give_up = Instant::now() + Duration::from_secs(60);
    loop {
        let resp = app.login(username, password).await;
        if resp.status() != StatusCode::TOO_MANY_REQUESTS {
            return resp;
        }
        let (_, p) = limited(resp, 1..=LOCK_SECONDS).await;
        assert_eq!(reason(&p), "too many failed logins for this username");
        assert!(
            Instant::now() < give_up,
            "{username} is still locked a minute later: {p}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn five_failures_lock_the_username_with_growing_back_off() {
    let app = spawn(|c| {
        // High enough that polling for the end of a lock is not limited.
        c.limits.login_per_ip_per_minute = 1000;
        c.limits.login_lockout_base_seconds = LOCK_SECONDS;
        c.limits.login_lockout_max_seconds = 60;
    })
    .await;
    app.staff("kari").await;

    for _ in 0..4 {
        for name in ["kari", "nobody"] {
            problem(app.login(name, "wrong password!").await, 401).await;
        }
    }
    // The fifth failure locks the name, from some moment after this.
    let fifth_sent = Instant::now();
    for name in ["kari", "nobody"] {
        problem(app.login(name, "wrong password!").await, 401).await;
    }
    // Locked: even the right password gets 429, and a name without an
    // account answers the same way.
    let (_, kari) = limited(app.login("kari", PASSWORD).await, 1..=LOCK_SECONDS).await;
    // Case and spaces do not make another name.
    limited(app.login(" KARI", PASSWORD).await, 1..=LOCK_SECONDS).await;
    let (_, nobody) = limited(app.login("nobody", PASSWORD).await, 1..=LOCK_SECONDS).await;
    assert_eq!(reason(&kari), reason(&nobody));
    assert_eq!(reason(&kari), "too many failed logins for this username");

    // The right password is refused until the lock is over, and not
    // before it has lasted its time (less a little for the two clocks);
    // then it works and resets the count.
    let resp = login_after_lock(&app, "kari", PASSWORD).await;
    let locked_for = fifth_sent.elapsed();
    ok_json(resp, StatusCode::OK).await;
    assert!(
        locked_for >= Duration::from_secs(LOCK_SECONDS) - Duration::from_millis(500),
        "the lock ended after {locked_for:?}, before {LOCK_SECONDS} s"
    );
    for _ in 0..4 {
        problem(app.login("kari", "wrong password!").await, 401).await;
    }
    ok_json(app.login("kari", PASSWORD).await, StatusCode::OK).await;

    // One more failure after a lock (the first answer that is not the
    // lock's 429) doubles it.
    problem(
        login_after_lock(&app, "nobody", "wrong password!").await,
        401,
    )
    .await;
    let (_, again) = limited(
        app.login("nobody", PASSWORD).await,
        LOCK_SECONDS + 1..=2 * LOCK_SECONDS,
    )
    .await;
    assert_eq!(reason(&again), "too many failed logins for this username");
}

/// Guesses sent at once take turns: no more of them are checked than the
/// lock-out allows, where all would have passed the lock check before any
/// failure was counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_sent_at_once_do_not_slip_past_the_lock() {
    let app = spawn(|c| {
        c.limits.login_per_ip_per_minute = 1000;
        c.limits.login_lockout_base_seconds = LOCK_SECONDS;
    })
    .await;
    app.staff("kari").await;
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
        guesses.spawn(async move {
            client
                .post(url)
                .json(&json!({"username": "kari", "password": "wrong password!"}))
                .send()
                .await
                .expect("POST login")
                .status()
        });
    }
    let answers = guesses.join_all().await;
    let count = |status: StatusCode| answers.iter().filter(|s| **s == status).count();
    assert_eq!(
        (
            count(StatusCode::UNAUTHORIZED),
            count(StatusCode::TOO_MANY_REQUESTS)
        ),
        (5, 15),
        "{answers:?}"
    );
}

#[tokio::test]
async fn api_burst_over_the_per_token_limit_is_429_for_that_token_only() {
    let app = spawn(|c| c.limits.api_per_token_per_minute = 3).await;
    let kari = app.staff("kari").await;
    let laptop = app.token(&kari, "laptop").await;
    let phone = app.token(&kari, "phone").await;
    for _ in 0..3 {
        ok_json(app.tokens(&laptop).await, StatusCode::OK).await;
    }
    // 3 a minute: due 20 seconds after the first (less the time taken).
    let (_, body) = limited(app.tokens(&laptop).await, 10..=20).await;
    assert!(body["detail"].as_str().unwrap().contains("token"), "{body}");
    // Writes with it are limited as well.
    let resp = app
        .client
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&laptop)
        .send()
        .await
        .unwrap();
    limited(resp, 1..=20).await;
    // Another token of the same account is not.
    ok_json(app.tokens(&phone).await, StatusCode::OK).await;
    // Nor are requests without a token.
    let resp = app
        .client
        .get(app.url("/api/v1/items"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn inbox_burst_from_one_address_is_429_before_signature_checks() {
    let app = spawn(|c| c.limits.inbox_per_ip_per_minute = 3).await;
    for _ in 0..3 {
        problem(app.junk("/inbox", &[]).await, 401).await;
    }
    // 3 a minute: due 20 seconds after the first (less the time taken).
    let (_, body) = limited(app.junk("/inbox", &[]).await, 10..=20).await;
    assert!(
        body["detail"].as_str().unwrap().contains("deliveries"),
        "{body}"
    );
    // Agency inboxes share the address's budget, and the limit comes
    // before looking the agency up.
    limited(app.junk("/agencies/nosuch/inbox", &[]).await, 1..=20).await;
    // Other routes are not limited.
    let resp = app
        .client
        .get(app.url("/api/v1/items"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

fn follow(actor: &peer::FakeActor, n: usize, object: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.activity_id(&format!("follow-{n}")),
        "type": "Follow",
        "actor": actor.id,
        "object": object,
    })
}

#[tokio::test]
async fn inbox_limits_each_remote_host_but_forged_keys_do_not_count() {
    let (app, fake) = tokio::join!(
        spawn(|c| {
            c.limits.inbox_per_host_per_minute = 2;
            c.federation.allow_private_addresses = true;
        }),
        peer::FakePeer::spawn()
    );
    let agency = app
        .store
        .put_agency(deling_store::queries::agency::NewAgency {
            slug: deling_domain::slug::Slug::parse("oslo").unwrap(),
            name: deling_domain::text::DisplayName::parse("Oslo kommune").unwrap(),
            org_number: None,
            public_key_pem: test_keys().public_key_pem.clone(),
            private_key_pem: test_keys().private_key_pem.clone(),
        })
        .await
        .unwrap();
    let object = format!("http://{}/agencies/{}", helpers::DOMAIN, agency.slug);
    let [k1, _] = peer::fake_keys().await;
    let eve = fake.actor("eve", k1);
    let inbox = app.url("/inbox");

    // Forged signatures naming the peer's key are refused and do not use
    // up the peer's budget.
    // Requests are signed for this server's public host, not the address
    // the test connects to.
    let signed = |n| {
        let mut post = eve.post(&inbox, &follow(&eve, n, &object));
        post.host = Some(helpers::DOMAIN.to_owned());
        post
    };
    for n in 0..3 {
        let post = signed(n);
        let mut headers = post.signed_headers();
        peer::tamper_signature(&mut headers);
        let resp = peer::send_raw(&app.client, &inbox, &headers, &post.body).await;
        problem(resp, 401).await;
    }
    // Two real deliveries a minute from the peer's host...
    for n in 10..12 {
        let resp = signed(n).send(&app.client).await;
        let status = resp.status();
        assert_eq!(
            status,
            StatusCode::ACCEPTED,
            "{}",
            resp.text().await.unwrap()
        );
    }
    // ...and the third is turned away (due 30 seconds after the first, less
    // the time the deliveries took). Junk that merely names the host's key
    // is refused by the signature check: only a verified signer's host is
    // counted (or could be exhausted).
    let resp = signed(12).send(&app.client).await;
    let (_, body) = limited(resp, 20..=30).await;
    assert!(
        body["detail"].as_str().unwrap().contains(&fake.domain),
        "{body}"
    );
    let key = format!("keyId=\"{}\",headers=\"host\",signature=\"x\"", eve.key_id);
    problem(app.junk("/inbox", &[("signature", &key)]).await, 401).await;
    // Another host is not affected.
    let other =
        "keyId=\"http://elsewhere.example/actor#main-key\",headers=\"host\",signature=\"x\"";
    problem(app.junk("/inbox", &[("signature", other)]).await, 401).await;
}

#[tokio::test]
async fn tokens_are_listed_and_revoked_by_their_owner_only() {
    let app = spawn(|_| {}).await;
    let kari = app.staff("kari").await;
    let ola = app.staff("ola").await;
    let cli = app.token(&kari, "publishing script").await;
    let login = ok_json(app.login("kari", PASSWORD).await, StatusCode::OK).await;
    let login_secret = login["token"].as_str().unwrap().to_owned();
    let ola_token = app.token(&ola, "ola's").await;

    let list = ok_json(app.tokens(&cli).await, StatusCode::OK).await;
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), 2, "{list:?}");
    // Newest first; the secret is never shown.
    assert_eq!(list[0]["label"], "login");
    assert_eq!(list[1]["label"], "publishing script");
    let text = serde_json::to_string(list).unwrap();
    assert!(!text.contains("dlg_"), "{text}");
    assert!(!text.contains("hash"), "{text}");
    for t in list {
        for field in [
            "id",
            "label",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "active",
            "current",
        ] {
            assert!(t.get(field).is_some(), "{field} missing in {t}");
        }
        assert_eq!(t["active"], true);
        assert_eq!(t["revoked_at"], Value::Null);
    }
    assert_eq!(list[0]["current"], false);
    assert_eq!(list[1]["current"], true);
    assert!(list[0]["expires_at"].is_string());
    assert_eq!(list[1]["expires_at"], Value::Null);
    // Used just now (for this request).
    assert!(list[1]["last_used_at"].is_string(), "{}", list[1]);
    let login_id = list[0]["id"].as_i64().unwrap();
    let cli_id = list[1]["id"].as_i64().unwrap();

    // Ola cannot see or revoke Kari's tokens: 404, as for no token at all.
    let ola_list = ok_json(app.tokens(&ola_token).await, StatusCode::OK).await;
    assert_eq!(ola_list.as_array().unwrap().len(), 1);
    assert_eq!(ola_list[0]["label"], "ola's");
    problem(app.revoke(&ola_token, &login_id.to_string()).await, 404).await;
    problem(app.revoke(&cli, "999999").await, 404).await;
    problem(app.revoke(&cli, "abc").await, 400).await;
    ok_json(app.tokens(&login_secret).await, StatusCode::OK).await;

    // Kari revokes the login token with the CLI token.
    let resp = app.revoke(&cli, &login_id.to_string()).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    problem(app.tokens(&login_secret).await, 401).await;
    // Again is harmless.
    let resp = app.revoke(&cli, &login_id.to_string()).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let list = ok_json(app.tokens(&cli).await, StatusCode::OK).await;
    assert_eq!(list[0]["id"], login_id);
    assert_eq!(list[0]["active"], false);
    assert!(list[0]["revoked_at"].is_string());
    assert_eq!(list[1]["active"], true);

    // Revoking the token in use works too; then it is refused.
    let resp = app.revoke(&cli, &cli_id.to_string()).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    problem(app.tokens(&cli).await, 401).await;
    // Without a token: 401.
    let resp = app
        .client
        .get(app.url("/api/v1/auth/tokens"))
        .send()
        .await
        .unwrap();
    problem(resp, 401).await;
}

#[tokio::test]
async fn openapi_lists_the_token_endpoints_and_429() {
    let app = spawn(|_| {}).await;
    let doc = ok_json(
        app.client
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let paths = &doc["paths"];
    assert!(paths["/api/v1/auth/tokens"]["get"].is_object(), "{paths}");
    assert!(paths["/api/v1/auth/tokens/{id}"]["delete"].is_object());
    assert!(paths["/api/v1/auth/login"]["post"]["responses"]["429"].is_object());
    assert!(doc["components"]["schemas"]["TokenInfo"].is_object());
}

/// The lock-out's queries: concurrent failures all count, the lock, the
/// back-off, the reset, forgetting old failures, pruning.
async fn lockout_queries(store: &Store) {
    let policy = deling_store::queries::login::LockoutPolicy {
        after_failures: 3,
        base: chrono::Duration::minutes(1),
        max: chrono::Duration::minutes(3),
        forget_after: chrono::Duration::days(1),
    };
    // Concurrent failures all count.
    let (a, b) = tokio::join!(
        store.put_login_failure("kari", &policy),
        store.put_login_failure("kari", &policy)
    );
    assert_eq!((a.unwrap(), b.unwrap()), (None, None));
    assert_eq!(store.get_login_lock("kari").await.unwrap(), None);
    let until = store
        .put_login_failure("kari", &policy)
        .await
        .unwrap()
        .expect("locked after 3");
    assert_eq!(store.get_login_lock("kari").await.unwrap(), Some(until));
    let longer = store.put_login_failure("kari", &policy).await.unwrap();
    assert!(longer.unwrap() - until > chrono::Duration::seconds(50));
    assert_eq!(store.get_login_lock("ola").await.unwrap(), None);
    store.delete_login_failures("kari").await.unwrap();
    assert_eq!(store.get_login_lock("kari").await.unwrap(), None);
    store.put_login_failure("ola", &policy).await.unwrap();
    let gone = store
        .delete_stale_login_attempts(chrono::Utc::now() + chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(gone, 1);
    // Failures far apart do not add up.
    let forgetful = deling_store::queries::login::LockoutPolicy {
        forget_after: chrono::Duration::zero(),
        ..policy
    };
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let locked = store.put_login_failure("per", &forgetful).await.unwrap();
        assert_eq!(locked, None);
    }
}

#[tokio::test]
async fn lockout_queries_on_sqlite() {
    let app = spawn(|_| {}).await;
    lockout_queries(&app.store).await;
}

/// The lock-out's queries (an upsert that counts, a lock, a reset) on
/// PostgreSQL, on a database of its own. Skipped with a note when
/// PostgreSQL is unreachable, unless `TEST_REQUIRE_POSTGRES=1`.
#[tokio::test]
async fn lockout_works_on_postgres() {
    let Some(db) = FreshDatabase::create("deling_limits").await else {
        return;
    };
    db.run(|url| async move {
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");
        lockout_queries(&store).await;

        // And through the API.
        let app = TestApp::spawn_configured(&url, None, |config| {
            config.limits.login_lockout_failures = 2;
        })
        .await;
        let (client, base) = (app.client.clone(), app.base.clone());
        let login = |password: &'static str| {
            client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": "nobody", "password": password}))
                .send()
        };
        problem(login("wrong password!").await.unwrap(), 401).await;
        problem(login("wrong password!").await.unwrap(), 401).await;
        // Locked for the default minute (less the time since the failure).
        limited(login(PASSWORD).await.unwrap(), 50..=60).await;
    })
    .await;
}

/// Sends a request head announcing a 1000-byte body, then 10 bytes of it,
/// and nothing more; returns what the server answers and how long that
/// took.
async fn trickle(app: &App, path: &str, content_type: &str) -> (String, Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: {content_type}\r\n\
         content-length: 1000\r\n\r\n{{\"type\":\"C"
    );
    let started = Instant::now();
    conn.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // Until the server closes the connection, or 20 s (a failure).
    let _ = tokio::time::timeout(Duration::from_secs(20), conn.read_to_end(&mut answer)).await;
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

/// A body that trickles in is cut off at `http.body_timeout_seconds`: the
/// client gets a 408 problem and the connection is closed, whether the
/// route reads the body itself (the inboxes) or through the JSON
/// extractor (the API).
#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_408() {
    let app = spawn(|c| c.http.body_timeout_seconds = 1).await;
    for (path, content_type) in [
        ("/inbox", "application/activity+json"),
        ("/api/v1/auth/login", "application/json"),
    ] {
        let (answer, took) = trickle(&app, path, content_type).await;
        assert!(
            answer.starts_with("HTTP/1.1 408"),
            "{path}: after {took:?}: {answer}"
        );
        assert!(
            answer.contains("application/problem+json"),
            "{path}: {answer}"
        );
        assert!(
            answer.contains("did not arrive within 1 seconds"),
            "{path}: {answer}"
        );
        assert!(
            took < Duration::from_secs(10),
            "{path}: closed only after {took:?}"
        );
    }
}
