//! Listing and item-read latency as the data grows, and read throughput
//! beside a writer, for docs/PERFORMANCE.md:
//! `cargo bench -p deling-store --bench listing` (sizes in
//! `LISTING_BENCH_SIZES`, default `1000,10000,100000`; read pool sizes for
//! the throughput part in `LISTING_BENCH_READERS`, default `1,2,4,8`;
//! PostgreSQL at `TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432`, skipped when unreachable).
//!
//! Growth: one agency with N items (two likes each from 200 people), the
//! newest with 10,000 comments; p50 and p95 of 200 calls each of the store
//! calls behind `GET /api/v1/items` (page 1, and page 1 of one agency),
//! a deep page by number and the same page after a cursor, and an item
//! read with its counts.
//! Throughput (SQLite, 10,000 items): 32 tasks reading (an item with its
//! counts, then page 1) for 3 s while one task writes (an item, then a
//! like), for each read pool size.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use deling_domain::{item::ItemContent, item::RawItem, slug::Slug, text::DisplayName};
use deling_store::{
    ItemCursor, ItemFilter, Store,
    queries::{agency::NewAgency, remote_actor::RemoteActorData},
};
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

const RUNS: usize = 200;
/// Rows per INSERT statement while filling.
const CHUNK: usize = 500;
const PEOPLE: usize = 200;
const HOT_COMMENTS: usize = 10_000;

fn list_env(var: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(var)
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

/// A timestamp as the store writes it (so that text comparisons on SQLite
/// order it like the store's own).
fn at(seconds: usize) -> String {
    let t = chrono::DateTime::from_timestamp(1_767_225_600 + seconds as i64, 0).unwrap();
    format!(
        "'{}'",
        t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
    )
}

async fn insert_rows(store: &Store, head: &str, rows: impl Iterator<Item = String>) {
    let rows: Vec<String> = rows.collect();
    for chunk in rows.chunks(CHUNK) {
        store
            .execute_unprepared(&format!("{head} VALUES {}", chunk.join(", ")))
            .await
            .expect("insert");
    }
}

/// Fills the store; returns the newest (hot) item's id.
async fn fill(store: &Store, n: usize) -> i64 {
    let agency = store
        .put_agency(NewAgency {
            slug: Slug::parse("bench").unwrap(),
            name: DisplayName::parse("Bench kommune").unwrap(),
            org_number: None,
            public_key_pem: "unused".into(),
            private_key_pem: "unused".into(),
        })
        .await
        .expect("agency");
    let mut people = Vec::new();
    for p in 0..PEOPLE {
        let ap_id = format!("https://social.example/users/u{p}");
        let actor = store
            .put_remote_actor(RemoteActorData {
                ap_id: ap_id.clone(),
                actor_type: "Person".into(),
                domain: "social.example".into(),
                preferred_username: Some(format!("u{p}")),
                name: None,
                inbox: format!("{ap_id}/inbox"),
                shared_inbox: None,
                url: None,
                icon_url: None,
                summary_html: None,
                public_key_pem: None,
                followers: None,
                speaks_deling: false,
            })
            .await
            .expect("actor");
        people.push(actor.id);
    }
    let a = agency.id;
    insert_rows(
        store,
        "INSERT INTO item (agency_id, kind, title, summary, body, body_html, language, \
         metadata, published_at, updated_at)",
        (0..n).map(|i| {
            format!(
                "({a}, 'guide', 'Sak {i}', 'Om sak {i}', 'Tekst', '<p>Tekst</p>', 'nb', '{{}}', {}, {})",
                at(i),
                at(i)
            )
        }),
    )
    .await;
    let first = store
        .list_items(&ItemFilter::default(), 1, 1)
        .await
        .expect("newest")
        .items[0]
        .id;
    // Ids are consecutive from the first insert.
    let low = first - n as i64 + 1;
    insert_rows(
        store,
        "INSERT INTO reaction (ap_id, item_id, remote_actor_id, kind, created_at)",
        (0..n)
            .flat_map(|i| {
                let item = low + i as i64;
                (0..2).map(move |k| {
                    let who = (i + k * 7) % PEOPLE;
                    (item, who, k)
                })
            })
            .map(|(item, who, k)| {
                format!(
                    "('https://social.example/likes/{item}/{k}', {item}, {}, 'like', {})",
                    people[who],
                    at(0)
                )
            }),
    )
    .await;
    insert_rows(
        store,
        "INSERT INTO comment (ap_id, item_id, author_remote_actor_id, content_html, \
         published_at, visibility)",
        (0..HOT_COMMENTS).map(|c| {
            format!(
                "('https://social.example/notes/{c}', {first}, {}, '<p>Hei</p>', {}, 'public')",
                people[c % PEOPLE],
                at(n + c)
            )
        }),
    )
    .await;
    first
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn time<F, Fut>(db: &str, n: usize, what: &str, mut call: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(RUNS);
    for run in 0..RUNS {
        let t = Instant::now();
        call(run).await;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "| {db} | {n} | {what} | p50 {:.2} ms | p95 {:.2} ms |",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.95).as_secs_f64() * 1000.0
    );
}

async fn growth(store: &Store, db: &str, n: usize, hot: i64) {
    let all = ItemFilter::default();
    let agency = ItemFilter {
        agency: Some("bench".into()),
        ..Default::default()
    };
    time(db, n, "list page 1 (20 items)", |_| async {
        let page = store.list_items(&all, 1, 20).await.unwrap();
        assert_eq!(page.total, n as u64);
    })
    .await;
    time(db, n, "an agency's page 1", |_| async {
        store.list_items(&agency, 1, 20).await.unwrap();
    })
    .await;
    let middle = (n as u64 / 20 / 2).max(1);
    time(db, n, &format!("page {middle} by number"), |_| async {
        store.list_items(&all, middle, 20).await.unwrap();
    })
    .await;
    let before = store.list_items(&all, middle - 1, 20).await.unwrap().items;
    if let Some(last) = before.last() {
        let cursor = ItemCursor::after(last);
        time(db, n, &format!("page {middle} after a cursor"), |_| async {
            store
                .list_items_after(&all, Some(&cursor), 20)
                .await
                .unwrap();
        })
        .await;
    }
    time(db, n, "item with its counts (2 likes)", |run| async move {
        let id = hot - 1 - (run as i64 * 7919) % (n as i64 - 1).max(1);
        store.get_item(id).await.unwrap().unwrap();
        store.count_item_reactions(id).await.unwrap();
    })
    .await;
    time(db, n, "item with its counts (10,000 comments)", |_| async {
        store.get_item(hot).await.unwrap().unwrap();
        let c = store.count_item_reactions(hot).await.unwrap();
        assert_eq!(c.comments, HOT_COMMENTS as u64);
    })
    .await;
}

/// Reads and writes per second with `readers` read connections.
async fn throughput(url: &str, readers: u32, hot: i64, n: usize) {
    let store = Store::connect_with(url, readers).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (reads, writes) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut tasks = Vec::new();
    for r in 0..32u64 {
        let (store, stop, reads) = (store.clone(), stop.clone(), reads.clone());
        tasks.push(tokio::spawn(async move {
            let mut k = r;
            while !stop.load(Ordering::Relaxed) {
                k = k
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let id = hot - (k >> 33) as i64 % n as i64;
                store.get_item(id).await.unwrap();
                store.count_item_reactions(id).await.unwrap();
                store
                    .list_items(&ItemFilter::default(), 1, 20)
                    .await
                    .unwrap();
                reads.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    {
        let (store, stop, writes) = (store.clone(), stop.clone(), writes.clone());
        tasks.push(tokio::spawn(async move {
            let agency = store.get_agency_by_slug("bench").await.unwrap().unwrap();
            let mut w = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let content = ItemContent::parse(RawItem {
                    kind: Some("guide".into()),
                    title: Some(format!("Skrevet {readers}.{w}")),
                    language: Some("nb".into()),
                    ..Default::default()
                })
                .unwrap();
                let item = store.put_item(agency.id, &content).await.unwrap();
                let people = store
                    .get_remote_actor_by_ap_id(&format!(
                        "https://social.example/users/u{}",
                        w % 200
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                store
                    .put_reaction(
                        item.id,
                        people.id,
                        "like",
                        &format!("https://social.example/likes/w{readers}.{w}"),
                    )
                    .await
                    .unwrap();
                w += 1;
                writes.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let secs = 3.0;
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    println!(
        "| SQLite | {n} | {readers} read connection(s) + 1 writer | {:.0} reads/s | {:.0} writes/s |",
        reads.load(Ordering::Relaxed) as f64 / secs,
        writes.load(Ordering::Relaxed) as f64 / secs
    );
    store.close().await.unwrap();
}

async fn postgres(n: usize) -> Option<(Store, String, String)> {
    let base = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let admin = Store::connect(&format!("{base}/postgres")).await.ok()?;
    let name = format!("deling_listing_bench_{n}_{}", std::process::id());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .ok()?;
    let store = Store::connect(&format!("{base}/{name}")).await.ok()?;
    Some((store, base, name))
}

#[tokio::main]
async fn main() {
    println!("| database | items | measure | p50 / reads | p95 / writes |");
    println!("|---|---|---|---|---|");
    for n in list_env("LISTING_BENCH_SIZES", &[1000, 10_000, 100_000]) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.sqlite3").display()
        );
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let hot = fill(&store, n).await;
        growth(&store, "SQLite", n, hot).await;
        store.close().await.unwrap();
        if n == 10_000 {
            for readers in list_env("LISTING_BENCH_READERS", &[1, 2, 4, 8]) {
                throughput(&url, readers as u32, hot, n).await;
            }
        }

        match postgres(n).await {
            Some((store, base, name)) => {
                store.migrate().await.unwrap();
                let hot = fill(&store, n).await;
                store.execute_unprepared("ANALYZE").await.unwrap();
                growth(&store, "PostgreSQL", n, hot).await;
                store.close().await.unwrap();
                let admin = Store::connect(&format!("{base}/postgres")).await.unwrap();
                admin
                    .execute_unprepared(&format!("DROP DATABASE \"{name}\""))
                    .await
                    .unwrap();
            }
            None => eprintln!("PostgreSQL not reachable: skipped"),
        }
    }
}
