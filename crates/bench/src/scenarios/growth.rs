//! Growth: how page latency changes as the catalogue grows, on SQLite and
//! on PostgreSQL.
//!
//! For each database and each size N, a fresh database gets one agency
//! with N items (two likes on each from 200 remote people, the newest with
//! C comments), written in bulk before the server starts (see [`fill`]),
//! then a real server runs on it and each page is asked for over one
//! keep-alive connection, one request after another, for a while: the
//! figure is the time a page takes, not a queue. The pages: page 1 of
//! `GET /api/v1/items`, an item in the middle of the catalogue as JSON and
//! HTML, a search for a word in every item, page 1 of the agency's outbox,
//! and the newest item, with its C comments, as JSON and HTML. Each size is
//! held against the first (smallest) size of the same run: the ceiling
//! column shows that size's figure, and the ratio is p50 at N over p50 at
//! the smallest (issue 12's target: at most 1.5 at 100,000 against 1,000
//! for the list, the item and the outbox). The server runs without its
//! cache of rendered pages (`http.page_cache`): the same page asked again
//! and again would otherwise be answered from memory, and what grows with
//! the catalogue is the database's part.

use crate::{
    load::{self, Load},
    server::{self, Server},
    table::Row,
};
use deling_domain::search::{Indexable, SearchDocument};
use deling_store::{
    DbBackend, ItemFilter, Store,
    entities::{comment, item, item_tag, reaction},
    queries::remote_actor::RemoteActorData,
};
use deling_testkit::postgres::FreshDatabase;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectOptions, ConnectionTrait, Database as Db,
    DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
    TransactionTrait, Value,
};
use std::time::{Duration, Instant};

/// The databases the scenario can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Database {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server `TEST_POSTGRES_URL`
    /// names (default `postgres://postgres@127.0.0.1:5432`), dropped after.
    Postgres,
}

impl Database {
    fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// How large a run is.
pub struct Options {
    /// Catalogue sizes, the first being the one the others are held
    /// against.
    pub sizes: Vec<usize>,
    /// Databases to run on, in order.
    pub databases: Vec<Database>,
    /// Comments on the newest item.
    pub comments: usize,
    /// How long each page is asked for, at each size.
    pub duration: Duration,
}

/// Remote people who like the items and write the comments.
const PEOPLE: usize = 200;
/// Rows per multi-row INSERT while filling: 500 items of 10 columns stay
/// under SQLite's and PostgreSQL's limits on bound values.
const CHUNK: usize = 500;
/// The search: a word in every generated item (a tag and in the title).
const SEARCH_WORD: &str = "byggesak";

/// What [`fill`] made.
pub struct Filled {
    /// An item in the middle of the catalogue (by age), with two likes and
    /// no comments.
    pub middle: i64,
    /// The newest item, with the comments.
    pub hot: i64,
    /// How long filling took.
    pub took: Duration,
}

/// One size measured: each page's load.
struct Measured {
    size: usize,
    filled: Duration,
    pages: Vec<(String, Load)>,
}

/// Runs the scenario.
pub async fn run(o: &Options) -> anyhow::Result<Vec<Row>> {
    anyhow::ensure!(!o.sizes.is_empty(), "growth needs at least one size");
    let mut rows = Vec::new();
    for &db in &o.databases {
        let mut measured = Vec::new();
        for &n in &o.sizes {
            match measure_size(o, db, n).await? {
                Some(m) => measured.push(m),
                None => {
                    rows.push(Row {
                        measure: format!(
                            "growth, {}: skipped, no server at {} (see stderr)",
                            db.name(),
                            deling_testkit::postgres::server_url()
                        ),
                        deling: String::new(),
                        ceiling: String::new(),
                        ratio: None,
                    });
                    break;
                }
            }
        }
        rows.extend(rows_of(db, o.comments, &measured));
    }
    Ok(rows)
}

/// Fills a fresh database of kind `db` with `n` items, starts a server on
/// it and measures each page; `None` when PostgreSQL is not reachable
/// (and not required: `TEST_REQUIRE_POSTGRES=1` makes that a failure).
async fn measure_size(o: &Options, db: Database, n: usize) -> anyhow::Result<Option<Measured>> {
    let (url, dir, fresh) = match db {
        Database::Sqlite => {
            let dir = tempfile::tempdir()?;
            (server::sqlite_url(&dir), Some(dir), None)
        }
        Database::Postgres => match FreshDatabase::create("deling_bench_growth").await {
            Some(fresh) => (fresh.url.clone(), None, Some(fresh)),
            None => return Ok(None),
        },
    };
    let comments = o.comments;
    let fill_url = url.clone();
    let (s, filled) = Server::start_on(&url, dir, false, async move |store: &Store, agency_id| {
        fill(store, &fill_url, agency_id, n, comments).await
    })
    .await?;
    let pages = pages(&filled, o.comments);
    let mut measured = Vec::with_capacity(pages.len());
    for (what, path, accept) in pages {
        let url = format!("{}{path}", s.base);
        // Caches warm, as on a server in service; then measured.
        load::run(&url, accept, 1, o.duration / 10).await?;
        let mut l = load::run(&url, accept, 1, o.duration).await?;
        // A tiny run on a slow (debug, busy) build may end before its
        // first answer: ask for longer rather than report nothing.
        let mut longer = o.duration;
        while l.latencies.is_empty() && l.errors == 0 && longer < o.duration * 100 {
            longer *= 4;
            l = load::run(&url, accept, 1, longer).await?;
        }
        anyhow::ensure!(
            l.errors == 0 && !l.latencies.is_empty(),
            "growth, {}, {n} items: {what} ({url}) failed {} times of {}",
            db.name(),
            l.errors,
            l.errors + l.latencies.len()
        );
        measured.push((what, l));
    }
    s.stop().await;
    if let Some(fresh) = fresh {
        fresh.drop_now().await;
    }
    Ok(Some(Measured {
        size: n,
        filled: filled.took,
        pages: measured,
    }))
}

/// The pages measured: what, path and `Accept`.
fn pages(f: &Filled, comments: usize) -> Vec<(String, String, &'static str)> {
    let (ap, html, json) = ("application/activity+json", "text/html", "application/json");
    vec![
        (
            "`GET /api/v1/items` page 1".into(),
            "/api/v1/items?per_page=20".into(),
            json,
        ),
        ("item JSON".into(), format!("/items/{}", f.middle), ap),
        ("item HTML".into(), format!("/items/{}", f.middle), html),
        (
            format!("search `{SEARCH_WORD}` (every item)"),
            format!("/api/v1/search?q={SEARCH_WORD}"),
            json,
        ),
        (
            "outbox page 1".into(),
            "/agencies/oslo/outbox?page=1".into(),
            ap,
        ),
        (
            format!("item with {comments} comments, JSON"),
            format!("/items/{}", f.hot),
            ap,
        ),
        (
            format!("item with {comments} comments, HTML"),
            format!("/items/{}", f.hot),
            html,
        ),
    ]
}

/// `p50 …, p99 …` of a load, in milliseconds.
fn latency(l: &Load) -> String {
    format!(
        "p50 {:.2} ms, p99 {:.2} ms ({} requests)",
        l.ms(0.5),
        l.ms(0.99),
        l.latencies.len()
    )
}

/// The rows of one database: how long each size took to fill, then each
/// page at each size beside the same page at the first size.
fn rows_of(db: Database, comments: usize, measured: &[Measured]) -> Vec<Row> {
    let name = db.name();
    let mut rows = Vec::new();
    for m in measured {
        let secs = m.filled.as_secs_f64();
        rows.push(Row {
            measure: format!(
                "growth, {name}: filling {} items ({comments} comments on one) in bulk",
                m.size
            ),
            deling: format!("{secs:.1} s ({:.0} items/s)", m.size as f64 / secs),
            ceiling: String::new(),
            ratio: None,
        });
    }
    let Some(base) = measured.first() else {
        return rows;
    };
    for (i, (what, base_load)) in base.pages.iter().enumerate() {
        for m in measured {
            let l = &m.pages[i].1;
            let measure = format!("growth, {name}: {what}, {} items, 1 connection", m.size);
            if m.size == base.size {
                rows.push(Row {
                    measure,
                    deling: latency(l),
                    ceiling: "(the size the others are held against)".into(),
                    ratio: None,
                });
            } else {
                rows.push(Row {
                    measure,
                    deling: latency(l),
                    ceiling: format!("{} items: {}", base.size, latency(base_load)),
                    ratio: Some(l.ms(0.5) / base_load.ms(0.5)),
                });
            }
        }
    }
    rows
}

/// The timestamp of the `i`th row written: one second apart, all in the
/// past, so that age order is write order.
fn at(start: chrono::DateTime<chrono::Utc>, i: usize) -> chrono::DateTime<chrono::Utc> {
    start + chrono::Duration::seconds(i64::try_from(i).unwrap_or(i64::MAX))
}

/// Fills the database at `url` (already migrated, holding agency
/// `agency_id`) with `n` items, two likes on each and `comments` comments
/// on the newest, and indexes them for search.
///
/// Publishing through the store (`Store::put_item`: one transaction of
/// six statements per item, with its outbox event) takes minutes at
/// 100,000 items, so the rows are written here in multi-row INSERTs of
/// [`CHUNK`] rows, a transaction per chunk, through a connection of the
/// bench's own, with the store's entities (so columns and timestamps are
/// written as the store writes them). What the store derives is derived
/// the same way: the body's HTML by `ItemContent::parse`, the index entry
/// by `SearchDocument::of` (what `index_item` writes; a test holds the two
/// equal), and the counts and totals by the schema's triggers. No outbox
/// events are written: these items are not being published now, so the
/// fan-out worker has nothing to do during the measurement.
pub async fn fill(
    store: &Store,
    url: &str,
    agency_id: i64,
    n: usize,
    comments: usize,
) -> anyhow::Result<Filled> {
    let started = Instant::now();
    let mut people = Vec::with_capacity(PEOPLE);
    for p in 0..PEOPLE {
        let ap_id = format!("https://social.example/users/u{p}");
        let actor = store
            .put_remote_actor(RemoteActorData {
                ap_id: ap_id.clone(),
                actor_type: "Person".into(),
                domain: "social.example".into(),
                preferred_username: Some(format!("u{p}")),
                name: Some(format!("Person {p}")),
                inbox: format!("{ap_id}/inbox"),
                shared_inbox: None,
                url: None,
                icon_url: None,
                summary_html: None,
                public_key_pem: None,
                followers: None,
                speaks_deling: false,
            })
            .await?;
        people.push(actor.id);
    }

    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false).max_connections(1);
    let db = Db::connect(options).await?;
    let start = chrono::Utc::now() - chrono::Duration::seconds((n + comments + 60) as i64);
    let mut ids = Vec::with_capacity(n);
    for first in (0..n).step_by(CHUNK) {
        let chunk: Vec<usize> = (first..(first + CHUNK).min(n)).collect();
        ids.extend(put_items(&db, agency_id, start, &chunk, &people).await?);
    }
    let (Some(&middle), Some(&hot)) = (ids.get(n / 2), ids.last()) else {
        anyhow::bail!("growth needs at least one item");
    };
    for first in (0..comments).step_by(CHUNK) {
        let txn = db.begin().await?;
        comment::Entity::insert_many((first..(first + CHUNK).min(comments)).map(|c| {
            comment::ActiveModel {
                ap_id: Set(Some(format!("https://social.example/notes/{c}"))),
                item_id: Set(hot),
                in_reply_to_id: Set(None),
                author_agency_id: Set(None),
                author_remote_actor_id: Set(Some(people[c % PEOPLE])),
                content_source: Set(None),
                content_html: Set(format!("<p>Takk! Dette er kommentar {c}.</p>")),
                language: Set(Some("nb".into())),
                published_at: Set(at(start, n + c)),
                updated_at: Set(None),
                deleted_at: Set(None),
                hidden_at: Set(None),
                visibility: Set("public".into()),
                summary: Set(None),
                sensitive: Set(false),
                ..Default::default()
            }
        }))
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
    }
    if db.get_database_backend() == DbBackend::Postgres {
        // What autovacuum does to a database in service: statistics for
        // the planner, the search index's pending entries merged.
        db.execute_unprepared("VACUUM ANALYZE").await?;
    }
    db.close().await?;

    // The store sees what was written: every item counted, the comments
    // on the newest item's counts.
    let total = store.count_items(&ItemFilter::default()).await?;
    anyhow::ensure!(total == n as u64, "{total} items listed, {n} written");
    let counts = store
        .get_item(hot)
        .await?
        .ok_or_else(|| anyhow::anyhow!("item {hot} is not there"))?
        .counts;
    anyhow::ensure!(
        counts.comments == comments as u64 && counts.likes == 2,
        "item {hot} counts {counts:?}, not {comments} comments and 2 likes"
    );
    Ok(Filled {
        middle,
        hot,
        took: started.elapsed(),
    })
}

/// Writes the items numbered `chunk` in one transaction, with their tags,
/// two likes each and their search index entries; their ids, in order.
async fn put_items(
    db: &DatabaseConnection,
    agency_id: i64,
    start: chrono::DateTime<chrono::Utc>,
    chunk: &[usize],
    people: &[i64],
) -> anyhow::Result<Vec<i64>> {
    let contents = chunk
        .iter()
        .map(|&i| super::item(i))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let txn = db.begin().await?;
    let before: Option<i64> = item::Entity::find()
        .select_only()
        .column_as(item::Column::Id.max(), "id")
        .into_tuple()
        .one(&txn)
        .await?
        .flatten();
    item::Entity::insert_many(chunk.iter().zip(&contents).map(|(&i, c)| {
        let t = at(start, i);
        item::ActiveModel {
            ap_id: Set(None),
            agency_id: Set(Some(agency_id)),
            remote_actor_id: Set(None),
            kind: Set(c.kind.as_str().to_owned()),
            title: Set(c.title.to_string()),
            summary: Set(c.summary.to_string()),
            body: Set(c.body.to_string()),
            body_html: Set(c.body_html.clone()),
            language: Set(c.language.to_string()),
            license: Set(c.license.as_ref().map(|l| l.to_string())),
            metadata: Set(c.metadata.to_json()),
            based_on: Set(c.based_on.as_ref().map(|u| u.to_string())),
            url: Set(None),
            published_at: Set(t),
            updated_at: Set(t),
            deleted_at: Set(None),
            ..Default::default()
        }
    }))
    .exec_without_returning(&txn)
    .await?;
    // Read back in age order, which is the order they were numbered in
    // (ids need not follow the VALUES order).
    let ids: Vec<i64> = item::Entity::find()
        .select_only()
        .column(item::Column::Id)
        .filter(item::Column::Id.gt(before.unwrap_or(0)))
        .order_by_asc(item::Column::PublishedAt)
        .order_by_asc(item::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    anyhow::ensure!(
        ids.len() == chunk.len(),
        "{} items read back, {} written",
        ids.len(),
        chunk.len()
    );

    let mut tags = Vec::with_capacity(ids.len());
    let mut likes = Vec::with_capacity(2 * ids.len());
    let mut index = Vec::with_capacity(ids.len());
    for ((&id, &i), c) in ids.iter().zip(chunk).zip(&contents) {
        // Sorted and deduplicated, as `replace_tags_and_links` stores them.
        let mut item_tags: Vec<String> = c.tags.iter().map(|t| t.as_str().to_owned()).collect();
        item_tags.sort();
        item_tags.dedup();
        for k in 0..2 {
            likes.push(reaction::ActiveModel {
                ap_id: Set(Some(format!("https://social.example/likes/{id}/{k}"))),
                item_id: Set(id),
                remote_actor_id: Set(people[(i + k * 7) % people.len()]),
                kind: Set("like".into()),
                created_at: Set(at(start, i)),
                ..Default::default()
            });
        }
        let metadata = c.metadata.to_json();
        let doc = SearchDocument::of(Indexable {
            language: c.language.as_str(),
            title: c.title.as_str(),
            summary: c.summary.as_str(),
            body_html: &c.body_html,
            tags: &item_tags,
            metadata: &metadata,
        });
        index.push((id, doc));
        tags.extend(item_tags.into_iter().map(|tag| item_tag::ActiveModel {
            item_id: Set(id),
            tag: Set(tag),
        }));
    }
    if !tags.is_empty() {
        item_tag::Entity::insert_many(tags)
            .exec_without_returning(&txn)
            .await?;
    }
    reaction::Entity::insert_many(likes)
        .exec_without_returning(&txn)
        .await?;
    put_index(&txn, index).await?;
    txn.commit().await?;
    Ok(ids)
}

/// Writes search index entries as `deling_store`'s `index_item` does:
/// SQLite's FTS5 table keyed by rowid, PostgreSQL's table by `item_id`
/// (its `tsvector` is generated from the columns).
async fn put_index(
    db: &impl ConnectionTrait,
    entries: Vec<(i64, SearchDocument)>,
) -> anyhow::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let id_column = match backend {
        DbBackend::Postgres => "item_id",
        _ => "rowid",
    };
    let mut values: Vec<Value> = Vec::with_capacity(entries.len() * 6);
    let mut rows = Vec::with_capacity(entries.len());
    for (id, doc) in entries {
        let marks: Vec<String> = [
            Value::from(id),
            doc.title.into(),
            doc.tags.into(),
            doc.summary.into(),
            doc.body.into(),
            doc.themes.into(),
        ]
        .into_iter()
        .map(|v| {
            values.push(v);
            match backend {
                DbBackend::Postgres => format!("${}", values.len()),
                _ => "?".to_owned(),
            }
        })
        .collect();
        rows.push(format!("({})", marks.join(", ")));
    }
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO item_search ({id_column}, title, tags, summary, body, themes) VALUES {}",
            rows.join(", ")
        ),
        values,
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The bulk fill must leave the database as publishing would: the
    //! same index entries as the store's own indexing, the counts and
    //! totals the triggers keep, the tags in place. Checked on SQLite and,
    //! when reachable, PostgreSQL.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use deling_domain::search::SearchQuery;
    use deling_store::queries::search::SearchFilter;

    const ITEMS: usize = 30;
    const COMMENTS: usize = 7;

    type IndexRow = (i64, String, String, String, String, String);

    /// Every index entry, by item id.
    async fn index_rows(url: &str) -> Vec<IndexRow> {
        let db = Db::connect(url).await.unwrap();
        let backend = db.get_database_backend();
        let id = match backend {
            DbBackend::Postgres => "item_id",
            _ => "rowid",
        };
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT {id} AS id, title, tags, summary, body, themes FROM item_search \
                     ORDER BY {id}"
                ),
            ))
            .await
            .unwrap();
        let out = rows
            .iter()
            .map(|r| {
                (
                    r.try_get("", "id").unwrap(),
                    r.try_get("", "title").unwrap(),
                    r.try_get("", "tags").unwrap(),
                    r.try_get("", "summary").unwrap(),
                    r.try_get("", "body").unwrap(),
                    r.try_get("", "themes").unwrap(),
                )
            })
            .collect();
        db.close().await.unwrap();
        out
    }

    async fn fills_as_publishing_would(url: &str) {
        let store = Store::connect(url).await.unwrap();
        let config = server::bench_config(deling_testkit::free_port(), url);
        let (agency_id, _, _) = server::prepare(&config, &store).await.unwrap();
        let filled = fill(&store, url, agency_id, ITEMS, COMMENTS).await.unwrap();

        let page = store
            .list_items(&ItemFilter::default(), 1, 5)
            .await
            .unwrap();
        assert_eq!(page.total, ITEMS as u64);
        assert_eq!(page.items[0].id, filled.hot, "the newest item lists first");
        assert_eq!(page.items[0].counts.comments, COMMENTS as u64);
        let agency = ItemFilter {
            agency: Some("oslo".into()),
            ..Default::default()
        };
        assert_eq!(store.count_items(&agency).await.unwrap(), ITEMS as u64);

        let middle = store.get_item(filled.middle).await.unwrap().unwrap();
        let n = ITEMS / 2;
        assert_eq!(middle.title, format!("Veileder nummer {n} om byggesak"));
        assert_eq!(
            middle.tags,
            vec!["byggesak".to_owned(), format!("tema{}", n % 50)]
        );
        assert_eq!((middle.counts.likes, middle.counts.comments), (2, 0));
        assert_eq!(
            store.list_comments(filled.hot).await.unwrap().len(),
            COMMENTS
        );

        let hits = store
            .search_items(
                &SearchQuery::parse(SEARCH_WORD).unwrap(),
                &SearchFilter::default(),
                1,
                20,
            )
            .await
            .unwrap();
        assert_eq!(hits.total, ITEMS as u64);

        // The store's own indexing, over the same items, writes the same.
        let bulk = index_rows(url).await;
        assert_eq!(bulk.len(), ITEMS);
        store.reindex_search(7, |_, _| {}).await.unwrap();
        assert_eq!(index_rows(url).await, bulk);
        store.close().await.unwrap();
    }

    #[tokio::test]
    async fn fills_sqlite_as_publishing_would() {
        let dir = tempfile::tempdir().unwrap();
        fills_as_publishing_would(&server::sqlite_url(&dir)).await;
    }

    #[tokio::test]
    async fn fills_postgres_as_publishing_would() {
        let Some(fresh) = FreshDatabase::create("deling_bench_growth_test").await else {
            return;
        };
        fresh
            .run(|url| async move { fills_as_publishing_would(&url).await })
            .await;
    }
}
