//! Search latency for docs/PERFORMANCE.md:
//! `cargo bench -p deling-store --bench search` (sizes in
//! `SEARCH_BENCH_SIZES`, default `1000,10000,100000`; PostgreSQL at
//! `TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432`, is
//! skipped when unreachable). With `SEARCH_BENCH_KEEP=1` the databases are
//! kept and named, to look at query plans afterwards.
//!
//! For each size and database: a catalogue of generated Norwegian items
//! (one term in every item, one in a tenth, one in a thousandth), then
//! each query 3 times untimed, then 50 times in a row; p50 and p95 of
//! `search_items` with its facets and snippets, as the API runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use deling_domain::{search::SearchQuery, slug::Slug, text::DisplayName};
use deling_store::{
    Store,
    queries::{agency::NewAgency, search::SearchFilter},
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::time::{Duration, Instant};

const RUNS: usize = 50;
/// Untimed runs of each query first.
const WARM_UP: usize = 3;
/// Items per INSERT statement while filling.
const CHUNK: usize = 500;

const WORDS: &[&str] = &[
    "vann",
    "avløp",
    "byggesak",
    "søknad",
    "digital",
    "tjeneste",
    "innbygger",
    "skole",
    "barnehage",
    "helse",
    "omsorg",
    "vei",
    "brøyting",
    "renovasjon",
    "plan",
    "regulering",
    "kart",
    "data",
    "statistikk",
    "budsjett",
    "økonomi",
    "innkjøp",
    "anskaffelse",
    "avtale",
    "arkiv",
    "saksbehandling",
    "rutine",
    "veileder",
    "opplæring",
    "ansatt",
    "leder",
    "møte",
    "rapport",
    "analyse",
    "klima",
    "miljø",
    "energi",
    "bygg",
    "eiendom",
    "drift",
    "vedlikehold",
    "beredskap",
    "brann",
    "redning",
    "kultur",
    "idrett",
    "bibliotek",
    "museum",
    "turisme",
    "næring",
    "landbruk",
    "skog",
    "fiske",
    "havn",
    "samferdsel",
    "buss",
    "sykkel",
    "parkering",
];

fn sizes() -> Vec<usize> {
    std::env::var("SEARCH_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn sentence(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| WORDS[rng.gen_range(0..WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Fills the store with `n` items of one agency, in multi-row INSERTs, and
/// builds the index.
async fn fill(store: &Store, n: usize) -> Duration {
    store
        .put_agency(NewAgency {
            slug: Slug::parse("bench").unwrap(),
            name: DisplayName::parse("Bench kommune").unwrap(),
            org_number: None,
            public_key_pem: "unused".into(),
            private_key_pem: "unused".into(),
        })
        .await
        .expect("agency");
    let mut rng = StdRng::seed_from_u64(20261205);
    for start in (0..n).step_by(CHUNK) {
        let rows: Vec<String> = (start..(start + CHUNK).min(n))
            .map(|i| {
                let mut title = sentence(&mut rng, 5);
                let mut body = sentence(&mut rng, 60);
                // One term in every item, one in a tenth, one in a thousandth.
                title.push_str(" kommune");
                if i % 10 == 0 {
                    body.push_str(" vannlekkasje");
                }
                if i % 1000 == 0 {
                    title.push_str(" fjernvarmeanlegg");
                }
                let summary = sentence(&mut rng, 15);
                let html = format!("<p>{body}</p>");
                format!(
                    "((SELECT id FROM agency WHERE slug = 'bench'), 'guide', {}, {}, {}, {}, 'nb', \
                     '{{}}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                    quote(&title),
                    quote(&summary),
                    quote(&body),
                    quote(&html)
                )
            })
            .collect();
        store
            .execute_unprepared(&format!(
                "INSERT INTO item (agency_id, kind, title, summary, body, body_html, language, \
                 metadata, published_at, updated_at) VALUES {}",
                rows.join(", ")
            ))
            .await
            .expect("items");
    }
    let t = Instant::now();
    store.reindex_search(1000, |_, _| {}).await.expect("index");
    t.elapsed()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(store: &Store, db: &str, n: usize, index_time: Duration) {
    let queries: [(&str, &str, SearchFilter); 6] = [
        (
            "common term (every item)",
            "kommune",
            SearchFilter::default(),
        ),
        (
            "a tenth of the items",
            "vannlekkasje",
            SearchFilter::default(),
        ),
        ("rare term", "fjernvarmeanlegg", SearchFilter::default()),
        ("two words", "digital byggesak", SearchFilter::default()),
        ("phrase", "\"digital tjeneste\"", SearchFilter::default()),
        (
            "prefix + filter",
            "bygg*",
            SearchFilter {
                kind: Some("guide".into()),
                language: Some("nb".into()),
                ..Default::default()
            },
        ),
    ];
    println!(
        "| {db} | {n} items, index built in {:.1} s | | | |",
        index_time.as_secs_f64()
    );
    for (what, q, filter) in queries {
        let parsed = SearchQuery::parse(q).unwrap();
        let mut times = Vec::with_capacity(RUNS);
        let mut total = 0;
        // Caches warm, as on a server in service.
        for _ in 0..WARM_UP {
            store.search_items(&parsed, &filter, 1, 20).await.unwrap();
        }
        for _ in 0..RUNS {
            let t = Instant::now();
            let r = store.search_items(&parsed, &filter, 1, 20).await.unwrap();
            times.push(t.elapsed());
            total = r.total;
        }
        times.sort();
        println!(
            "| {db} | {n} | {what}: `{q}` ({total} hits) | p50 {:.1} ms | p95 {:.1} ms |",
            percentile(&times, 0.5).as_secs_f64() * 1000.0,
            percentile(&times, 0.95).as_secs_f64() * 1000.0
        );
    }
}

async fn postgres(n: usize) -> Option<(Store, String, String)> {
    let base = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let admin = Store::connect(&format!("{base}/postgres")).await.ok()?;
    let name = format!("deling_search_bench_{n}_{}", std::process::id());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .ok()?;
    let store = Store::connect(&format!("{base}/{name}")).await.ok()?;
    Some((store, base, name))
}

#[tokio::main]
async fn main() {
    println!("| database | items | query | p50 | p95 |");
    println!("|---|---|---|---|---|");
    for n in sizes() {
        let keep = std::env::var_os("SEARCH_BENCH_KEEP").is_some();
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.sqlite3").display()
        );
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let took = fill(&store, n).await;
        measure(&store, "SQLite", n, took).await;
        store.close().await.unwrap();
        if keep {
            eprintln!("kept: {}", dir.keep().display());
        }

        match postgres(n).await {
            Some((store, base, name)) => {
                store.migrate().await.unwrap();
                let took = fill(&store, n).await;
                // What autovacuum does to a database in service: statistics
                // and the GIN index's pending entries merged.
                store.execute_unprepared("VACUUM ANALYZE").await.unwrap();
                measure(&store, "PostgreSQL", n, took).await;
                store.close().await.unwrap();
                if keep {
                    eprintln!("kept: {base}/{name}");
                    continue;
                }
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
