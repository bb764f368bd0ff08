//! Throughput figures for docs/PERFORMANCE.md: `cargo bench -p deling`.
//!
//! Runs a real server (release build, SQLite file, plain-HTTP federation on
//! loopback) and measures: fan-out of one item to many follower inboxes
//! (signing and sending, one request per inbox), to followers spread over
//! many hosts with all of them answering and with one in ten never
//! answering, item inserts, and API listing latency over a catalogue of
//! thousands of items. Prints a table.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::{App, HttpResponse, HttpServer, web};
use deling::startup::Application;
use deling_domain::{
    auth::{NewToken, Role, Username},
    item::{ItemContent, RawItem},
    slug::Slug,
    text::DisplayName,
};
use deling_store::{
    Store,
    queries::{agency::NewAgency, delivery::STATUS_DONE, remote_actor::RemoteActorData},
};
use deling_testkit::{config::defaults, free_port};
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

const FOLLOWERS: usize = 500;
const ITEMS: usize = 5000;
const QUERIES: usize = 500;
/// Hosts (ports) the spread fan-out goes to, each with its own followers.
const HOSTS: usize = 50;
/// Followers per host in the spread fan-out.
const PER_HOST: usize = 10;
/// Of [`HOSTS`], how many never answer in the second spread fan-out.
const SILENT_HOSTS: usize = HOSTS / 10;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn item(n: usize) -> ItemContent {
    ItemContent::parse(RawItem {
        kind: Some("guide".into()),
        title: Some(format!("Veileder nummer {n}")),
        summary: Some("Slik gjorde vi det, steg for steg.".into()),
        body: Some("# Steg 1\n\nLes *dette* først.\n\n# Steg 2\n\nGjør det.".into()),
        language: Some("nb".into()),
        tags: Some(vec![format!("tema{}", n % 50), "byggesak".into()]),
        license: Some(Some("CC-BY-4.0".into())),
        links: Some(vec![]),
        metadata: None,
        based_on: None,
    })
    .unwrap()
}

/// Makes `ap_id` (inbox `inbox` on `domain`) a follower of `agency_id`.
async fn add_follower(store: &Store, agency_id: i64, domain: &str, ap_id: &str, inbox: &str) {
    let actor = store
        .put_remote_actor(RemoteActorData {
            ap_id: ap_id.to_owned(),
            actor_type: "Person".into(),
            domain: domain.to_owned(),
            preferred_username: None,
            name: None,
            inbox: inbox.to_owned(),
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
    store
        .put_follower(agency_id, actor.id, &format!("{ap_id}#follow"))
        .await
        .unwrap();
}

/// A port that takes connections and never answers on them (the
/// connections are kept open, unread, until the benchmark ends).
async fn silent_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}

/// Publishes an item for `slug` and waits until every delivery of its
/// Create to a host in `live` is done; the time that took.
async fn fan_out(
    client: &reqwest::Client,
    base: &str,
    origin: &str,
    token: &str,
    store: &Store,
    slug: &str,
    live: &[String],
) -> (Duration, usize) {
    let started = Instant::now();
    let resp = client
        .post(format!("{base}/api/v1/agencies/{slug}/items"))
        .bearer_auth(token)
        .json(&serde_json::json!({"kind": "guide", "title": "Til alle", "language": "nb"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let item_id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let activity = format!("{origin}/items/{item_id}/create");
    loop {
        let rows = store.list_deliveries_of(&activity).await.unwrap();
        let to_live: Vec<_> = rows.iter().filter(|d| live.contains(&d.host)).collect();
        if !to_live.is_empty() && to_live.iter().all(|d| d.status == STATUS_DONE) {
            return (started.elapsed(), to_live.len());
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "fan-out did not finish"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[actix_web::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.sqlite3").display()
    );
    let port = free_port();
    let mut config = defaults();
    config.bind = format!("127.0.0.1:{port}");
    config.domain = format!("localhost:{port}");
    config.database_url = url.clone();
    config.federation.debug = true;
    config.federation.allow_private_addresses = true;
    config.limits.api_per_token_per_minute = 1_000_000;
    config.log.filter = "warn".into();

    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let kp = deling_federation::keys::generate().unwrap();
    store
        .get_or_put_instance(&config.domain, "Bench", || {
            (kp.public_key_pem.clone(), kp.private_key_pem.clone())
        })
        .await
        .unwrap();
    let agency = store
        .put_agency(NewAgency {
            slug: Slug::parse("oslo").unwrap(),
            name: DisplayName::parse("Oslo kommune").unwrap(),
            org_number: None,
            public_key_pem: kp.public_key_pem.clone(),
            private_key_pem: kp.private_key_pem.clone(),
        })
        .await
        .unwrap();
    let staff = store
        .put_staff(&Username::parse("bench").unwrap(), String::new(), false)
        .await
        .unwrap();
    store
        .put_membership(staff.id, agency.id, Role::Editor)
        .await
        .unwrap();
    let token = NewToken::generate();
    store
        .put_token(staff.id, token.hash, None, None)
        .await
        .unwrap();

    // The followers' server: counts what it receives, answers 202.
    let received = Arc::new(AtomicUsize::new(0));
    let peer_port = free_port();
    let counter = received.clone();
    let peer = HttpServer::new(move || {
        let counter = counter.clone();
        App::new().route(
            "/inbox/{n}",
            web::post().to(move || {
                counter.fetch_add(1, Ordering::Relaxed);
                async { HttpResponse::Accepted().finish() }
            }),
        )
    })
    .workers(2)
    .bind(("127.0.0.1", peer_port))
    .unwrap()
    .run();
    tokio::spawn(peer);
    for n in 0..FOLLOWERS {
        let ap_id = format!("http://localhost:{peer_port}/users/{n}");
        let actor = store
            .put_remote_actor(RemoteActorData {
                ap_id: ap_id.clone(),
                actor_type: "Person".into(),
                domain: format!("localhost:{peer_port}"),
                preferred_username: Some(format!("u{n}")),
                name: None,
                inbox: format!("http://localhost:{peer_port}/inbox/{n}"),
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
        store
            .put_follower(agency.id, actor.id, &format!("{ap_id}#follow"))
            .await
            .unwrap();
    }

    let app = Application::build(&config).await.unwrap();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let origin = format!("http://localhost:{port}");

    // 1. Fan-out: one publish, one signed delivery per follower inbox.
    let started = Instant::now();
    let resp = client
        .post(format!("{base}/api/v1/agencies/oslo/items"))
        .bearer_auth(&token.secret)
        .json(&serde_json::json!({"kind": "guide", "title": "Til alle", "language": "nb"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let item_id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let activity = format!("http://localhost:{port}/items/{item_id}/create");
    loop {
        let rows = store.list_deliveries_of(&activity).await.unwrap();
        if rows.len() == FOLLOWERS && rows.iter().all(|d| d.status == STATUS_DONE) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "fan-out did not finish"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let fanout = started.elapsed();
    assert_eq!(received.load(Ordering::Relaxed), FOLLOWERS);

    // 1b. Fan-out to followers spread over many hosts: agency `alle` has
    // PER_HOST followers on each of HOSTS answering hosts; `blandet` the
    // same on the first HOSTS - SILENT_HOSTS of them and on SILENT_HOSTS
    // that take the connection and never answer (each of those requests
    // runs into the ten-second timeout).
    let mut live_ports = Vec::new();
    let mut spread = HttpServer::new(move || {
        App::new().route(
            "/inbox/{n}",
            web::post().to(|| async { HttpResponse::Accepted().finish() }),
        )
    })
    .workers(2);
    for _ in 0..HOSTS {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        live_ports.push(listener.local_addr().unwrap().port());
        spread = spread.listen(listener).unwrap();
    }
    tokio::spawn(spread.run());
    let mut silent_ports = Vec::new();
    for _ in 0..SILENT_HOSTS {
        silent_ports.push(silent_port().await);
    }
    let mut spread_agencies = Vec::new();
    for slug in ["alle", "blandet"] {
        let a = store
            .put_agency(NewAgency {
                slug: Slug::parse(slug).unwrap(),
                name: DisplayName::parse(slug).unwrap(),
                org_number: None,
                public_key_pem: kp.public_key_pem.clone(),
                private_key_pem: kp.private_key_pem.clone(),
            })
            .await
            .unwrap();
        store
            .put_membership(staff.id, a.id, Role::Editor)
            .await
            .unwrap();
        spread_agencies.push(a);
    }
    let mixed_ports: Vec<u16> = live_ports[..HOSTS - SILENT_HOSTS]
        .iter()
        .chain(&silent_ports)
        .copied()
        .collect();
    for (agency, ports) in spread_agencies.iter().zip([&live_ports, &mixed_ports]) {
        for (h, p) in ports.iter().enumerate() {
            let domain = format!("localhost:{p}");
            for n in 0..PER_HOST {
                let ap_id = format!("http://{domain}/users/{}-{h}-{n}", agency.slug);
                let inbox = format!("http://{domain}/inbox/{n}");
                add_follower(&store, agency.id, &domain, &ap_id, &inbox).await;
            }
        }
    }

    let live_hosts: Vec<String> = live_ports
        .iter()
        .map(|p| format!("localhost:{p}"))
        .collect();
    // Once unmeasured, so that both measured runs find the live hosts'
    // connections open and their turn allowances grown alike.
    fan_out(
        &client,
        &base,
        &origin,
        &token.secret,
        &store,
        "alle",
        &live_hosts,
    )
    .await;
    let (all_live, all_live_n) = fan_out(
        &client,
        &base,
        &origin,
        &token.secret,
        &store,
        "alle",
        &live_hosts,
    )
    .await;
    let (with_silent, with_silent_n) = fan_out(
        &client,
        &base,
        &origin,
        &token.secret,
        &store,
        "blandet",
        &live_hosts,
    )
    .await;
    assert_eq!(all_live_n, HOSTS * PER_HOST);
    assert_eq!(with_silent_n, (HOSTS - SILENT_HOSTS) * PER_HOST);
    let rate_all = all_live_n as f64 / all_live.as_secs_f64();
    let rate_silent = with_silent_n as f64 / with_silent.as_secs_f64();

    // 2. Inserts through the store (what the API does after parsing).
    let started = Instant::now();
    for n in 0..ITEMS {
        store.put_item(agency.id, &item(n)).await.unwrap();
    }
    let inserts = started.elapsed();

    // 3. Listing over the API, and the public pages people open, with the
    // catalogue in place (the item page is an item with comments-free
    // metadata; the agency page holds all the items).
    let mut timings = Vec::new();
    for path in [
        "/api/v1/items?per_page=20",
        "/api/v1/items?tag=tema7&per_page=20",
        "/api/v1/items?page=100&per_page=20",
        "/",
        "/agencies/oslo",
        "/items/1",
        "/tags/tema7",
    ] {
        let mut t = Vec::with_capacity(QUERIES);
        for _ in 0..QUERIES {
            let s = Instant::now();
            let r = client.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap();
            t.push(s.elapsed());
        }
        t.sort();
        timings.push((path, t));
    }

    println!("| measure | figure |");
    println!("|---|---|");
    println!(
        "| fan-out of one item to {FOLLOWERS} inboxes (sign + POST each) | {:.2} s, {:.0} deliveries/s |",
        fanout.as_secs_f64(),
        FOLLOWERS as f64 / fanout.as_secs_f64()
    );
    println!(
        "| fan-out of one item to {HOSTS} hosts x {PER_HOST} inboxes, all answering | {:.2} s, {rate_all:.0} deliveries/s |",
        all_live.as_secs_f64(),
    );
    println!(
        "| the same with {SILENT_HOSTS} of the {HOSTS} hosts never answering (rate to the {} live ones) | {:.2} s, {rate_silent:.0} deliveries/s ({:+.1}%) |",
        HOSTS - SILENT_HOSTS,
        with_silent.as_secs_f64(),
        (rate_silent / rate_all - 1.0) * 100.0,
    );
    println!(
        "| {ITEMS} item inserts (item, tags, outbox event; one transaction each) | {:.2} s, {:.0} inserts/s |",
        inserts.as_secs_f64(),
        ITEMS as f64 / inserts.as_secs_f64()
    );
    for (path, t) in &timings {
        println!(
            "| `GET {path}` over {} items, {QUERIES} sequential requests | p50 {:.2} ms, p99 {:.2} ms |",
            ITEMS + 1,
            percentile(t, 0.5).as_secs_f64() * 1e3,
            percentile(t, 0.99).as_secs_f64() * 1e3
        );
    }
}
