//! Throughput figures for docs/PERFORMANCE.md: `cargo bench -p deling`.
//!
//! Runs a real server (release build, SQLite file, plain-HTTP federation on
//! loopback) and measures: fan-out of one item to many follower inboxes
//! (signing and sending, one request per inbox), item inserts, and API
//! listing latency over a catalogue of thousands of items. Prints a table.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::{App, HttpResponse, HttpServer, web};
use deling::{
    config::{Config, DEFAULT_TOML},
    startup::Application,
};
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
use figment::{
    Figment,
    providers::{Format, Toml},
};
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

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

#[actix_web::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.sqlite3").display()
    );
    let port = free_port();
    let mut config: Config = Figment::new()
        .merge(Toml::string(DEFAULT_TOML))
        .extract()
        .unwrap();
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

    // 2. Inserts through the store (what the API does after parsing).
    let started = Instant::now();
    for n in 0..ITEMS {
        store.put_item(agency.id, &item(n)).await.unwrap();
    }
    let inserts = started.elapsed();

    // 3. Listing over the API with the catalogue in place.
    let mut timings = Vec::new();
    for path in [
        "/api/v1/items?per_page=20",
        "/api/v1/items?tag=tema7&per_page=20",
        "/api/v1/items?page=100&per_page=20",
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
