//! Where deliveries may go. In production mode (`debug` and
//! `allow_private_addresses` off) the sender refuses, without connecting,
//! inboxes on IP literals, over plain http and with an explicit port, and
//! names that resolve to loopback or private addresses (the client's
//! resolver, on the addresses it would connect to), and the worker records
//! such a delivery as failed rather than retrying it; a name that merely
//! does not resolve now is tried again later. In the mode
//! the tests run federation in (debug, private addresses allowed) a
//! loopback inbox is delivered to.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use deling_domain::{
    agency::OrgNumber,
    item::{ItemContent, RawItem},
    slug::Slug,
    text::DisplayName,
};
use deling_federation::{
    Urls,
    context::{Config, FedContext, FedSettings, http_client},
    delivery::{
        drain,
        send::{Outcome, send},
    },
    keys::KeyPair,
    setup::build_config,
};
use deling_store::{
    Store,
    queries::{
        agency::NewAgency,
        delivery::{Delivery, STATUS_FAILED},
        remote_actor::RemoteActorData,
    },
};
use std::{
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

static LOOKUPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A name server that answers every name with loopback, counting.
fn loopback_for_all(_host: &str) -> std::io::Result<Vec<std::net::SocketAddr>> {
    LOOKUPS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    Ok(vec!["127.0.0.1:0".parse().unwrap()])
}

/// Well under the sender's 10-second timeout: a refusal this fast was
/// decided without waiting on a connection.
const QUICK: Duration = Duration::from_secs(2);

/// One key pair for the whole binary (RSA generation is slow in debug).
fn key() -> &'static KeyPair {
    static KEY: OnceLock<KeyPair> = OnceLock::new();
    KEY.get_or_init(|| deling_federation::keys::generate().expect("key pair"))
}

/// A federation configuration on a fresh SQLite database, as
/// `tests/fixtures.rs` builds it, in production mode unless `debug` (which
/// here also allows private addresses, as the server's tests run).
async fn context(debug: bool) -> (Config, TempDir) {
    context_with(debug, http_client(debug).unwrap()).await
}

/// As [`context`], with `client` as the outgoing HTTP client.
async fn context_with(debug: bool, client: reqwest::Client) -> (Config, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ssrf.sqlite3").display()
    );
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let kp = tokio::task::spawn_blocking(key).await.unwrap();
    store
        .get_or_put_instance("deling.test", "Deling", || {
            (kp.public_key_pem.clone(), kp.private_key_pem.clone())
        })
        .await
        .unwrap();
    let ctx = FedContext {
        store,
        urls: Urls::for_domain("deling.test", false).unwrap(),
        settings: FedSettings {
            domain: "deling.test".into(),
            debug,
            allow_private_addresses: debug,
            require_signed_fetch: false,
            retry_base: Duration::from_secs(1),
            max_attempts: 3,
            http: Default::default(),
            follower_caps: Default::default(),
        },
        wake: Arc::new(tokio::sync::Notify::new()),
        client,
        metrics: deling_federation::metrics::Metrics::new().unwrap(),
        key_refetches: Default::default(),
        inbox_memo: Default::default(),
        inbox_batch: Default::default(),
        keys: Default::default(),
    };
    (build_config(ctx).await.unwrap(), dir)
}

/// A delivery row to `inbox`, signed by the instance actor.
fn delivery(inbox: &str) -> Delivery {
    let now = chrono::Utc::now();
    Delivery {
        id: 0,
        activity_id: "https://deling.test/activities/ssrf".into(),
        agency_id: None,
        inbox: inbox.into(),
        host: url::Url::parse(inbox)
            .map(|u| deling_federation::urls::authority(&u))
            .unwrap_or_default(),
        body: r#"{"type":"Delete","id":"https://deling.test/activities/ssrf","actor":"https://deling.test/actor","object":"https://deling.test/items/1"}"#.into(),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: now,
        locked_until: None,
        locked_by: None,
        last_error: None,
        created_at: now,
        finished_at: None,
    }
}

/// A TCP listener on loopback that counts the connections it gets, and
/// answers each HTTP request with `202 Accepted`.
struct Listener {
    port: u16,
    connections: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Listener {
    async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = connections.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::spawn(async move {
                    // Read the head and the body (Content-Length), then answer.
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        let Ok(n) = stream.read(&mut chunk).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        let text = String::from_utf8_lossy(&buf).to_string();
                        if let Some(end) = text.find("\r\n\r\n") {
                            let length = text[..end]
                                .lines()
                                .find_map(|l| {
                                    let (k, v) = l.split_once(':')?;
                                    k.eq_ignore_ascii_case("content-length")
                                        .then(|| v.trim().parse::<usize>().ok())?
                                })
                                .unwrap_or(0);
                            if buf.len() >= end + 4 + length {
                                break;
                            }
                        }
                    }
                    let _ = stream
                        .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self {
            port,
            connections,
            task,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test]
async fn production_sender_refuses_private_and_odd_targets_without_connecting() {
    let (config, _dir) = context(false).await;
    let data = config.to_request_data();
    let listener = Listener::spawn().await;
    let port = listener.port;
    let cases: Vec<(String, &str)> = vec![
        ("https://127.0.0.1/inbox".into(), "IP address"),
        ("https://10.0.0.1/inbox".into(), "IP address"),
        ("https://[::1]/inbox".into(), "IP address"),
        ("https://localhost/inbox".into(), "refused address"),
        ("https://LOCALHOST/inbox".into(), "refused address"),
        ("http://example.org/inbox".into(), "http inboxes"),
        ("https://example.org:8443/inbox".into(), "explicit port"),
        // Other spellings of loopback and of private ranges.
        ("https://2130706433/inbox".into(), "IP address"),
        ("https://0x7f.1/inbox".into(), "IP address"),
        ("https://[::ffff:127.0.0.1]/inbox".into(), "IP address"),
        (
            "https://169.254.169.254/latest/meta-data/".into(),
            "IP address",
        ),
        ("https://192.168.1.1/inbox".into(), "IP address"),
        ("https://[fd00::1]/inbox".into(), "IP address"),
        // A listener of ours: it must see no connection.
        (format!("https://127.0.0.1:{port}/inbox"), "explicit port"),
        (format!("https://localhost:{port}/inbox"), "explicit port"),
        (format!("http://localhost:{port}/inbox"), "http inboxes"),
        ("ftp://example.org/inbox".into(), "ftp inboxes"),
        ("not a url".into(), "not a URL"),
    ];
    for (inbox, why) in &cases {
        let start = Instant::now();
        let outcome = send(&delivery(inbox), &data).await.unwrap();
        let took = start.elapsed();
        match &outcome {
            Outcome::Refused(reason) => assert!(
                reason.contains(why),
                "{inbox}: refused, but for {reason:?} (expected {why:?})"
            ),
            other => panic!("{inbox}: {other:?}, expected a refusal"),
        }
        assert!(took < QUICK, "{inbox}: refusing took {took:?}");
    }
    assert_eq!(
        listener.connections(),
        0,
        "the sender connected to a refused target"
    );
}

#[tokio::test]
async fn production_sender_retries_a_name_that_does_not_resolve() {
    // `.invalid` never resolves (RFC 2606); whether the resolver says so
    // at once, fails or times out, DNS trouble may pass and is no reason
    // to drop the delivery.
    let (config, _dir) = context(false).await;
    let data = config.to_request_data();
    let outcome = send(&delivery("https://deling-ssrf-test.invalid/inbox"), &data)
        .await
        .unwrap();
    assert!(
        matches!(outcome, Outcome::Retry(_)),
        "a failed lookup was not left to retry: {outcome:?}"
    );
}

/// An agency with one follower, whose inbox is `inbox`, and a published
/// item: the worker fans it out to that inbox. Returns the activity id.
async fn publish_to_follower(config: &Config, inbox: &str) -> String {
    let data = config.to_request_data();
    let kp = key();
    let agency = data
        .store
        .put_agency(NewAgency {
            slug: Slug::parse("etaten").unwrap(),
            name: DisplayName::parse("Etaten").unwrap(),
            org_number: Some(OrgNumber::parse("958935420").unwrap()),
            public_key_pem: kp.public_key_pem.clone(),
            private_key_pem: kp.private_key_pem.clone(),
        })
        .await
        .unwrap();
    let follower = data
        .store
        .put_remote_actor(RemoteActorData {
            ap_id: "https://peer.example/users/kari".into(),
            actor_type: "Person".into(),
            domain: "peer.example".into(),
            preferred_username: Some("kari".into()),
            name: None,
            inbox: inbox.into(),
            shared_inbox: None,
            url: None,
            icon_url: None,
            summary_html: None,
            public_key_pem: None,
            followers: None,
            speaks_deling: false,
        })
        .await
        .unwrap();
    data.store
        .put_follower(
            agency.id,
            follower.id,
            "https://peer.example/users/kari/follows/1",
        )
        .await
        .unwrap();
    let content = ItemContent::parse(RawItem {
        kind: Some("guide".into()),
        title: Some("Digital byggesak".into()),
        language: Some("nb".into()),
        ..RawItem::default()
    })
    .unwrap();
    let item = data.store.put_item(agency.id, &content).await.unwrap();
    data.urls.item_create(item.id).to_string()
}

#[tokio::test]
async fn production_worker_fails_a_delivery_to_a_private_inbox_for_good() {
    let (config, _dir) = context(false).await;
    let activity = publish_to_follower(&config, "https://127.0.0.1/inbox").await;
    let start = Instant::now();
    drain(&config, 10).await.unwrap();
    let took = start.elapsed();
    let data = config.to_request_data();
    let rows = data.store.list_deliveries_of(&activity).await.unwrap();
    assert_eq!(rows.len(), 1, "one delivery, to the follower: {rows:?}");
    let row = &rows[0];
    assert_eq!(row.inbox, "https://127.0.0.1/inbox");
    assert_eq!(row.status, STATUS_FAILED, "{row:?}");
    assert_eq!(row.attempts, 1, "refused once, not retried: {row:?}");
    let error = row.last_error.as_deref().unwrap_or_default();
    assert!(error.contains("IP address"), "last error: {error:?}");
    assert!(row.finished_at.is_some());
    assert_eq!(data.store.count_pending_deliveries().await.unwrap(), 0);
    assert!(took < QUICK * 5, "draining took {took:?}");
}

#[tokio::test]
async fn production_worker_fails_a_delivery_to_a_name_on_loopback() {
    let (config, _dir) = context(false).await;
    let activity = publish_to_follower(&config, "https://localhost/inbox").await;
    drain(&config, 10).await.unwrap();
    let data = config.to_request_data();
    let rows = data.store.list_deliveries_of(&activity).await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].status, STATUS_FAILED, "{:?}", rows[0]);
    let error = rows[0].last_error.as_deref().unwrap_or_default();
    assert!(error.contains("refused address"), "last error: {error:?}");
}

#[tokio::test]
async fn test_mode_delivers_to_loopback() {
    let (config, _dir) = context(true).await;
    let data = config.to_request_data();
    let listener = Listener::spawn().await;
    for inbox in [
        format!("http://127.0.0.1:{}/inbox", listener.port),
        format!("http://localhost:{}/inbox", listener.port),
    ] {
        let outcome = send(&delivery(&inbox), &data).await.unwrap();
        assert_eq!(outcome, Outcome::Delivered, "{inbox}");
    }
    assert_eq!(listener.connections(), 2);
}

#[tokio::test]
async fn test_mode_worker_delivers_to_loopback() {
    let (config, _dir) = context(true).await;
    let listener = Listener::spawn().await;
    let inbox = format!("http://127.0.0.1:{}/inbox", listener.port);
    let activity = publish_to_follower(&config, &inbox).await;
    drain(&config, 10).await.unwrap();
    let data = config.to_request_data();
    let rows = data.store.list_deliveries_of(&activity).await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0].status,
        deling_store::queries::delivery::STATUS_DONE,
        "{:?}",
        rows[0]
    );
    assert_eq!(listener.connections(), 1);
}

/// In production mode a fetch looks its host up once, at connect time,
/// through the client's resolver, whose lookups are bounded (`dns`); the
/// library's own check before each fetch (an unbounded lookup on a
/// blocking thread, on a host anyone may name in a `keyId`) is not made.
/// The answer (loopback here) is still refused.
#[tokio::test]
async fn production_fetches_look_names_up_only_through_the_bounded_resolver() {
    let resolver = deling_federation::dns::BoundedResolver::with_lookup(true, 4, loopback_for_all);
    let client = reqwest::Client::builder()
        .no_proxy()
        .dns_resolver(Arc::new(resolver))
        .build()
        .unwrap();
    let (config, _dir) = context_with(false, client).await;
    let data = config.to_request_data();
    let url = url::Url::parse("https://peer.invalid/users/eve").unwrap();
    let started = Instant::now();
    let err = activitypub_federation::fetch::fetch_object_http::<_, serde_json::Value>(&url, &data)
        .await
        .err()
        .expect("a name on loopback is not fetched");
    assert!(
        started.elapsed() < QUICK,
        "refused only after {:?}",
        started.elapsed()
    );
    assert_eq!(
        LOOKUPS.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the name was not looked up through the client's resolver: {err}"
    );
    let text = format!("{err:?}");
    assert!(text.contains("ResolveInternalIpError"), "{text}");

    // The library's production checks made here instead: no explicit
    // port, no plain http, no IP literal.
    for url in [
        "https://peer.invalid:8443/users/eve",
        "http://peer.invalid/users/eve",
        "https://127.0.0.1/users/eve",
    ] {
        let url = url::Url::parse(url).unwrap();
        let err =
            activitypub_federation::fetch::fetch_object_http::<_, serde_json::Value>(&url, &data)
                .await
                .err()
                .expect("refused");
        assert!(
            matches!(
                err,
                activitypub_federation::error::Error::UrlVerificationError(_)
            ),
            "{url}: {err:?}"
        );
    }
    assert_eq!(LOOKUPS.load(std::sync::atomic::Ordering::SeqCst), 1);
}
