//! Load on the shared inbox: four fake peers (`deling_testkit::peer`,
//! each signing with its own draft-cavage code) post 3,000 distinct signed
//! activities (a Like of a local item, then its Undo, over and over) to
//! one Deling instance, at most 16 requests in flight, while another task
//! keeps calling `GET /api/v1/items` and `GET /healthz`. Every POST must be
//! answered 202, every activity stored exactly once and processed by the
//! worker, and the API must stay up and quick. Then 200 of the requests are
//! sent again, byte for byte: still stored once.
//!
//! The instance runs as the federation tests run it (debug, private
//! addresses allowed) with rate limits raised out of the way. Figures are
//! printed (`-- --nocapture`); see docs/TESTING.md for a run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use deling_domain::{
    agency::OrgNumber,
    item::{ItemContent, RawItem},
    slug::Slug,
    text::DisplayName,
};
use deling_store::queries::agency::NewAgency;
use deling_testkit::{
    Instance,
    peer::{FakeActor, FakePeer, fake_keys, send_raw},
    wait::{Queue, drained_within},
};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{Value, json};
use std::{
    collections::{HashSet, VecDeque},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::task::{JoinHandle, JoinSet};

/// Fake peers, one actor each.
const SENDERS: usize = 4;
/// Activities each sender posts.
const PER_SENDER: usize = 750;
/// Requests in flight at once, all senders together.
const IN_FLIGHT: usize = 16;
/// Requests sent a second time.
const REPLAYS: usize = 200;
/// How slow the API may be at the 99th percentile (debug build, 2 cores,
/// under this load).
const API_P99_BOUND: Duration = Duration::from_secs(2);
/// How long the worker may take to work through the inbox once the last
/// POST is answered.
const PROCESS_BOUND: Duration = Duration::from_secs(240);

/// One Deling instance serving on `localhost:PORT`, its worker inside,
/// with rate limits out of the way: this test is about throughput, not the
/// limits.
async fn spawn_server() -> Instance {
    Instance::spawn_tuned(|config| {
        config.instance.name = "Deling load test".into();
        config.http.workers = 2;
        config.limits.inbox_per_ip_per_minute = 1_000_000;
        config.limits.inbox_per_host_per_minute = 1_000_000;
        config.limits.api_per_token_per_minute = 1_000_000;
        config.limits.login_per_ip_per_minute = 1_000_000;
    })
    .await
}

/// An agency and one item per sender to react to; returns the items' URLs.
async fn items(server: &Instance) -> Vec<String> {
    let kp = tokio::task::spawn_blocking(|| deling_federation::keys::generate().expect("keys"))
        .await
        .expect("key generation");
    let agency = server
        .store
        .put_agency(NewAgency {
            slug: Slug::parse("etaten").unwrap(),
            name: DisplayName::parse("Etaten").unwrap(),
            org_number: Some(OrgNumber::parse("958935420").unwrap()),
            public_key_pem: kp.public_key_pem,
            private_key_pem: kp.private_key_pem,
        })
        .await
        .expect("agency");
    let mut urls = Vec::new();
    for n in 0..SENDERS {
        let content = ItemContent::parse(RawItem {
            kind: Some("guide".into()),
            title: Some(format!("Veileder {n}")),
            summary: Some("Lik meg".into()),
            language: Some("nb".into()),
            ..RawItem::default()
        })
        .expect("valid item");
        let item = server
            .store
            .put_item(agency.id, &content)
            .await
            .expect("item");
        urls.push(format!("{}/items/{}", server.base, item.id));
    }
    urls
}

/// Activity `n` of `actor`: a Like of `item` when `n` is even, the Undo of
/// the Like before it when odd.
fn activity(actor: &FakeActor, item: &str, sender: usize, n: usize) -> Value {
    let like_id = |n: usize| actor.activity_id(&format!("like-{sender}-{n}"));
    if n.is_multiple_of(2) {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": like_id(n),
            "type": "Like",
            "actor": actor.id,
            "object": item,
        })
    } else {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": actor.activity_id(&format!("undo-{sender}-{n}")),
            "type": "Undo",
            "actor": actor.id,
            "object": {"id": like_id(n - 1), "type": "Like", "actor": actor.id, "object": item},
        })
    }
}

/// A request ready to send.
struct Signed {
    id: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Signs every activity, the senders interleaved, on two threads.
async fn sign_all(actors: &[FakeActor], items: &[String], inbox: &str) -> Vec<Signed> {
    let jobs: Vec<(usize, usize)> = (0..PER_SENDER)
        .flat_map(|n| (0..SENDERS).map(move |s| (s, n)))
        .collect();
    let half = jobs.len() / 2;
    let mut parts = Vec::new();
    for chunk in [jobs[..half].to_vec(), jobs[half..].to_vec()] {
        let actors = actors.to_vec();
        let items = items.to_vec();
        let inbox = inbox.to_owned();
        parts.push(tokio::task::spawn_blocking(move || {
            chunk
                .into_iter()
                .map(|(s, n)| {
                    let a = activity(&actors[s], &items[s], s, n);
                    let post = actors[s].post(&inbox, &a);
                    Signed {
                        id: a["id"].as_str().expect("id").to_owned(),
                        headers: post.signed_headers(),
                        body: post.body.clone(),
                    }
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut all = Vec::with_capacity(jobs.len());
    for part in parts {
        all.extend(part.await.expect("signing thread"));
    }
    all
}

/// Posts `which` of `signed`, `IN_FLIGHT` at a time; returns each answer's
/// status and latency.
async fn post_all(
    client: &reqwest::Client,
    inbox: &str,
    signed: &Arc<Vec<Signed>>,
    which: Vec<usize>,
) -> Vec<(usize, StatusCode, Duration)> {
    let queue = Arc::new(Mutex::new(VecDeque::from(which)));
    let results = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (queue, results, signed) = (queue.clone(), results.clone(), signed.clone());
        let (client, inbox) = (client.clone(), inbox.to_owned());
        tasks.spawn(async move {
            loop {
                let Some(i) = queue.lock().expect("queue").pop_front() else {
                    return;
                };
                let start = Instant::now();
                let resp = send_raw(&client, &inbox, &signed[i].headers, &signed[i].body).await;
                let status = resp.status();
                results
                    .lock()
                    .expect("results")
                    .push((i, status, start.elapsed()));
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("sender task");
    }
    Arc::try_unwrap(results)
        .expect("senders done")
        .into_inner()
        .expect("results")
}

/// What the API poller saw.
#[derive(Default)]
struct ApiRecord {
    items: Vec<Duration>,
    health: Vec<Duration>,
    failures: Vec<String>,
}

/// Calls the API one request after another until `stop`.
fn poll_api(client: reqwest::Client, base: String, stop: Arc<AtomicBool>) -> JoinHandle<ApiRecord> {
    tokio::spawn(async move {
        let mut record = ApiRecord::default();
        while !stop.load(Ordering::Relaxed) {
            for (path, into_items) in [("/api/v1/items?per_page=20", true), ("/healthz", false)] {
                let start = Instant::now();
                let result = client.get(format!("{base}{path}")).send().await;
                let took = start.elapsed();
                match result {
                    Ok(r) if r.status() == StatusCode::OK => {
                        // Read the body: a page cut off is a failure too.
                        if let Err(e) = r.bytes().await {
                            record.failures.push(format!("{path}: body: {e}"));
                        }
                    }
                    Ok(r) => record.failures.push(format!("{path}: {}", r.status())),
                    Err(e) => record.failures.push(format!("{path}: {e}")),
                }
                let took = took.max(start.elapsed());
                if into_items {
                    record.items.push(took);
                } else {
                    record.health.push(took);
                }
            }
        }
        record
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn summary(label: &str, mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let (p50, p99) = (percentile(&v, 50.0), percentile(&v, 99.0));
    println!(
        "{label}: {} requests, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        v.len(),
        p50.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0,
        v.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    (p50, p99)
}

/// Rows of `inbox_activity`: in all, distinct ids, the most rows one id
/// has, and rows per status.
async fn inbox_counts(database_url: &str) -> (i64, i64, i64, Vec<(String, i64)>, HashSet<String>) {
    let db = Database::connect(database_url).await.expect("connect");
    let one = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql.to_owned());
    let row = db
        .query_one_raw(one(
            "SELECT COUNT(*) AS n, COUNT(DISTINCT ap_id) AS d FROM inbox_activity",
        ))
        .await
        .expect("count")
        .expect("a row");
    let (n, d): (i64, i64) = (row.try_get("", "n").unwrap(), row.try_get("", "d").unwrap());
    let most = db
        .query_one_raw(one(
            "SELECT COALESCE(MAX(c), 0) AS m FROM (SELECT COUNT(*) AS c FROM inbox_activity GROUP BY ap_id)",
        ))
        .await
        .expect("max")
        .expect("a row")
        .try_get("", "m")
        .unwrap();
    let statuses = db
        .query_all_raw(one(
            "SELECT status, COUNT(*) AS c FROM inbox_activity GROUP BY status ORDER BY status",
        ))
        .await
        .expect("statuses")
        .into_iter()
        .map(|r| {
            (
                r.try_get("", "status").unwrap(),
                r.try_get("", "c").unwrap(),
            )
        })
        .collect();
    let ids = db
        .query_all_raw(one("SELECT ap_id FROM inbox_activity"))
        .await
        .expect("ids")
        .into_iter()
        .map(|r| r.try_get("", "ap_id").unwrap())
        .collect();
    db.close().await.expect("close");
    (n, d, most, statuses, ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_inbox_under_load() {
    let total = SENDERS * PER_SENDER;
    let (server, peers, keys) = tokio::join!(
        spawn_server(),
        async {
            let mut peers = Vec::new();
            for _ in 0..SENDERS {
                peers.push(FakePeer::spawn().await);
            }
            peers
        },
        fake_keys()
    );
    let items = items(&server).await;
    let actors: Vec<FakeActor> = peers
        .iter()
        .enumerate()
        .map(|(i, p)| p.actor(&format!("sender{i}"), &keys[i % 2]))
        .collect();
    let inbox = format!("{}/inbox", server.base);
    let client = peer_client();

    let start = Instant::now();
    let signed = Arc::new(sign_all(&actors, &items, &inbox).await);
    let signing = start.elapsed();
    println!(
        "signing: {total} requests in {:.1} s ({:.0}/s, 2 threads)",
        signing.as_secs_f64(),
        total as f64 / signing.as_secs_f64()
    );
    assert_eq!(
        signed.iter().map(|s| &s.id).collect::<HashSet<_>>().len(),
        total,
        "activity ids are distinct"
    );

    let stop = Arc::new(AtomicBool::new(false));
    let api = poll_api(peer_client(), server.base.clone(), stop.clone());

    let start = Instant::now();
    let answers = post_all(&client, &inbox, &signed, (0..total).collect()).await;
    let posting = start.elapsed();
    let refused: Vec<_> = answers
        .iter()
        .filter(|(_, s, _)| *s != StatusCode::ACCEPTED)
        .map(|(i, s, _)| format!("{} -> {s}", signed[*i].id))
        .take(10)
        .collect();
    assert_eq!(answers.len(), total);
    assert!(refused.is_empty(), "POSTs not accepted: {refused:?}");

    // Every activity processed within PROCESS_BOUND of the last answer.
    drained_within(&server.store, Queue::Inbox, PROCESS_BOUND).await;
    let processing = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let api = api.await.expect("API poller");

    println!(
        "inbox: {total} POSTs answered 202 in {:.1} s ({:.0}/s, {IN_FLIGHT} in flight)",
        posting.as_secs_f64(),
        total as f64 / posting.as_secs_f64()
    );
    summary(
        "inbox POST latency",
        answers.iter().map(|(_, _, d)| *d).collect(),
    );
    println!(
        "worker: all {total} processed {:.1} s after the first POST ({:.0}/s)",
        processing.as_secs_f64(),
        total as f64 / processing.as_secs_f64()
    );
    let (_, items_p99) = summary("GET /api/v1/items", api.items.clone());
    let (_, health_p99) = summary("GET /healthz", api.health.clone());
    assert!(api.failures.is_empty(), "API failures: {:?}", api.failures);
    assert!(
        api.items.len() >= 10,
        "the API poller got few answers in: {}",
        api.items.len()
    );
    assert!(
        items_p99 < API_P99_BOUND && health_p99 < API_P99_BOUND,
        "API p99 {items_p99:?} (items), {health_p99:?} (healthz) over {API_P99_BOUND:?}"
    );

    let (rows, distinct, most, statuses, ids) = inbox_counts(server.database_url()).await;
    println!("inbox_activity: {rows} rows, {distinct} ids, statuses {statuses:?}");
    if statuses.len() > 1 {
        let store = deling_store::Store::connect(server.database_url())
            .await
            .expect("connect");
        for s in signed.iter() {
            if let Some(row) = store.get_inbox_activity(&s.id).await.expect("read")
                && row.status != "done"
            {
                println!(
                    "not done: {} {} attempts {} error {:?}",
                    row.ap_id, row.status, row.attempts, row.last_error
                );
                break;
            }
        }
    }
    assert_eq!(rows, total as i64, "one row per activity");
    assert_eq!(distinct, total as i64);
    assert_eq!(most, 1, "an id stored more than once");
    assert!(
        signed.iter().all(|s| ids.contains(&s.id)),
        "an accepted activity is missing"
    );
    assert_eq!(
        statuses,
        vec![("done".to_owned(), total as i64)],
        "every activity processed successfully"
    );

    // The same requests again, byte for byte (their Date is still fresh):
    // accepted, and ignored.
    let replay_start = Instant::now();
    let replays = post_all(&client, &inbox, &signed, (0..REPLAYS).collect()).await;
    let replaying = replay_start.elapsed();
    assert!(
        replays.iter().all(|(_, s, _)| *s == StatusCode::ACCEPTED),
        "replays: {:?}",
        replays
            .iter()
            .filter(|(_, s, _)| *s != StatusCode::ACCEPTED)
            .take(5)
            .collect::<Vec<_>>()
    );
    println!(
        "replays: {REPLAYS} answered 202 in {:.1} s",
        replaying.as_secs_f64()
    );
    let (rows, distinct, most, statuses, _) = inbox_counts(server.database_url()).await;
    assert_eq!((rows, distinct, most), (total as i64, total as i64, 1));
    assert_eq!(statuses, vec![("done".to_owned(), total as i64)]);
    assert_eq!(server.store.count_pending_inbox().await.unwrap(), 0);
}

/// A client for the fake peers and the poller: no proxy, generous timeout,
/// enough idle connections for everything in flight.
fn peer_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(IN_FLIGHT)
        .build()
        .expect("HTTP client")
}
