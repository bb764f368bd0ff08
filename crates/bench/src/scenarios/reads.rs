//! Reads at many concurrent connections: actor JSON, item JSON and HTML,
//! an outbox page, the item list, WebFinger and search (the same query
//! again, answered from the cache, and a new query each time), each
//! against a bare actix-web handler serving the actor's bytes.

use crate::{ceilings, load, server::Server, table::Row};
use std::time::{Duration, Instant};

/// How large a run is.
pub struct Options {
    /// Items in the catalogue.
    pub items: usize,
    /// Concurrent connections.
    pub connections: usize,
    /// How long each endpoint is loaded.
    pub duration: Duration,
}

/// Waits until the server has written nothing for a second. Each item
/// published queues an outbox event, which the federation worker then
/// works through for some seconds; while the database is being written,
/// the response cache stands aside (`deling_web::cache::serve`), so
/// whichever endpoints were measured first were measured against the
/// database: a catalogue is read mostly between publications.
async fn settle(store: &deling_store::Store) -> anyhow::Result<()> {
    let started = Instant::now();
    let (mut last, mut since) = (None, Instant::now());
    loop {
        let mark = store.write_mark();
        if mark.is_some() && mark == last {
            if since.elapsed() >= Duration::from_secs(1) {
                return Ok(());
            }
        } else {
            (last, since) = (mark, Instant::now());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(120),
            "the server was still writing two minutes after the items were published"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs the scenario.
pub async fn run(o: &Options) -> anyhow::Result<Vec<Row>> {
    let s = Server::start().await?;
    let mut last = 0;
    for n in 0..o.items.max(1) {
        last = s.store.put_item(s.agency_id, &super::item(n)?).await?.id;
    }
    settle(&s.store).await?;
    let client = reqwest::Client::builder().no_proxy().build()?;
    let ap = "application/activity+json";
    let actor_url = format!("{}/agencies/oslo", s.base);
    let actor = client
        .get(&actor_url)
        .header("accept", ap)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let bare = ceilings::bare_server(actor.to_vec(), ap, s.config.http.workers)?;
    let ceiling = load::run(&bare, ap, o.connections, o.duration).await?;
    let domain = &s.config.domain;
    let endpoints = [
        ("actor JSON", actor_url.clone(), ap),
        ("item JSON", format!("{}/items/{last}", s.base), ap),
        ("item HTML", format!("{}/items/{last}", s.base), "text/html"),
        ("agency HTML", actor_url.clone(), "text/html"),
        (
            "outbox page",
            format!("{}/agencies/oslo/outbox?page=1", s.base),
            ap,
        ),
        (
            "`GET /api/v1/items`",
            format!("{}/api/v1/items?per_page=20", s.base),
            "application/json",
        ),
        (
            "WebFinger",
            format!(
                "{}/.well-known/webfinger?resource=acct:oslo@{domain}",
                s.base
            ),
            "application/jrd+json",
        ),
        (
            "search",
            format!("{}/api/v1/search?q=byggesak", s.base),
            "application/json",
        ),
        // The same matches (a word in every item, less one that is in
        // none), but a query no cache holds: what a new search costs.
        (
            "search, a new query each time (`byggesak -zzN`)",
            format!("{}/api/v1/search?q=byggesak+-zz{{n}}", s.base),
            "application/json",
        ),
    ];
    let mut rows = Vec::new();
    for (what, url, accept) in endpoints {
        let l = load::run(&url, accept, o.connections, o.duration).await?;
        rows.push(Row::rate(
            format!("{what}, {} connections, {} items", o.connections, o.items),
            l.rps(),
            l.summary(),
            ceiling.rps(),
            format!("bare handler: {}", ceiling.summary()),
        ));
    }
    Ok(rows)
}
