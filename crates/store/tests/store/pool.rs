//! The connection pools: many writers and readers at once never meet
//! "database is locked", reads go on while another connection holds a
//! write transaction open, and an in-memory SQLite database (one database
//! per connection) still works.

use crate::{
    counts::recount,
    support::{agency, simple},
};
use deling_store::{
    ItemFilter, Store,
    queries::{
        comment::{PublicVisibility, RemoteCommentData},
        reaction::REACTION_LIKE,
        remote_actor::RemoteActorData,
    },
};
use deling_testkit::db as common;
use sea_orm::{ConnectOptions, ConnectionTrait, Database};
use std::time::Duration;

/// Long enough that only a stuck query reaches it: a guard, not a timing.
const STUCK: Duration = Duration::from_secs(60);

fn person(n: usize) -> RemoteActorData {
    RemoteActorData {
        ap_id: format!("https://social.example/users/u{n}"),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some(format!("u{n}")),
        name: None,
        inbox: format!("https://social.example/users/u{n}/inbox"),
        shared_inbox: None,
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    }
}

/// Six writers (items, likes, comments, shares, edits) and six readers at
/// once; every call succeeds and the counts kept agree with the rows.
async fn writers_and_readers(store: Store) {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let nav = agency(&store, "nav", "NAV").await;
    let mut items = Vec::new();
    for n in 0..4 {
        let item = simple("guide", &format!("i{n}"), "nb", &["a"]);
        items.push(store.put_item(oslo.id, &item).await.expect("item").id);
    }
    let mut actors = Vec::new();
    for n in 0..6 {
        actors.push(store.put_remote_actor(person(n)).await.expect("actor").id);
    }
    let mut tasks = Vec::new();
    for (w, &actor) in actors.iter().enumerate() {
        let (store, items) = (store.clone(), items.clone());
        let (oslo, nav) = (oslo.id, nav.id);
        tasks.push(tokio::spawn(async move {
            for step in 0..12 {
                let item = items[(w + step) % items.len()];
                let r = match step % 6 {
                    0 => store
                        .put_item(
                            oslo,
                            &simple("guide", &format!("w{w}s{step}"), "nb", &["b"]),
                        )
                        .await
                        .map(drop),
                    1 => {
                        store
                            .put_reaction(
                                item,
                                actor,
                                REACTION_LIKE,
                                &format!("https://social.example/l/{w}/{step}"),
                            )
                            .await
                    }
                    2 => store
                        .put_remote_comment(RemoteCommentData {
                            ap_id: format!("https://social.example/n/{w}/{step}"),
                            item_id: item,
                            in_reply_to_id: None,
                            author_remote_actor_id: actor,
                            content_html: "<p>Hei</p>".into(),
                            language: None,
                            published_at: chrono::Utc::now(),
                            hidden: false,
                            visibility: PublicVisibility::Public,
                            content_warning: None,
                            sensitive: false,
                        })
                        .await
                        .map(drop),
                    3 => store.put_share(nav, item).await.map(drop),
                    4 => store.undo_share(nav, item).await.map(drop),
                    _ => store
                        .update_item(item, &simple("guide", &format!("u{w}"), "nb", &["c"]))
                        .await
                        .map(drop),
                };
                r.unwrap_or_else(|e| panic!("writer {w}, step {step}: {e}"));
            }
        }));
    }
    for r in 0..6 {
        let (store, items) = (store.clone(), items.clone());
        tasks.push(tokio::spawn(async move {
            for step in 0..20 {
                let item = items[(r + step) % items.len()];
                store.get_item(item).await.expect("get").expect("item");
                store
                    .list_items_after(&ItemFilter::default(), None, 10)
                    .await
                    .expect("list");
                store.list_comments(item).await.expect("comments");
                store
                    .count_items(&ItemFilter::default())
                    .await
                    .expect("count");
            }
        }));
    }
    for t in tasks {
        tokio::time::timeout(STUCK, t)
            .await
            .expect("a task is stuck")
            .expect("task");
    }
    for id in items {
        let item = store.get_item(id).await.expect("get").expect("item");
        assert_eq!(item.counts, recount(&store, id).await, "item {id}");
    }
    let total = store
        .count_items(&ItemFilter::default())
        .await
        .expect("count");
    assert_eq!(total, 4 + 6 * 2);
}

/// Another connection holds a write transaction open (on SQLite the
/// database's write lock, as the CLI beside a running server may): reads
/// answer meanwhile, from before its change, and a write waits its turn
/// and then succeeds.
async fn reads_beside_an_open_write(store: Store, url: String) {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Før", "nb", &[]))
        .await
        .expect("item");
    let mut opts = ConnectOptions::new(url.clone());
    opts.max_connections(1).sqlx_logging(false);
    let other = Database::connect(opts).await.expect("other connection");
    let begin = if url.starts_with("sqlite:") {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    };
    other.execute_unprepared(begin).await.expect("begin");
    other
        .execute_unprepared(&format!(
            "UPDATE item SET title = 'Etter' WHERE id = {}",
            item.id
        ))
        .await
        .expect("update");

    let reads = async {
        let got = store.get_item(item.id).await.expect("get").expect("item");
        assert_eq!(got.title, "Før", "an uncommitted change is not read");
        let page = store
            .list_items_after(&ItemFilter::default(), None, 10)
            .await
            .expect("list");
        assert_eq!(page.total, 1);
        store.get_agency_by_slug("oslo").await.expect("agency");
    };
    tokio::time::timeout(STUCK, reads)
        .await
        .expect("reads wait for the open write transaction");

    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .put_item(oslo.id, &simple("guide", "Under", "nb", &[]))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    other.execute_unprepared("COMMIT").await.expect("commit");
    tokio::time::timeout(STUCK, writer)
        .await
        .expect("the write is stuck")
        .expect("task")
        .expect("the write goes through after the other one");
    let got = store.get_item(item.id).await.expect("get").expect("item");
    assert_eq!(got.title, "Etter");
    other.close().await.expect("close");
}

mod many_writers_and_readers {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        common::run(
            common::Backend::Sqlite,
            common::Schema::Migrated,
            |store, _| writers_and_readers(store),
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        common::run(
            common::Backend::Postgres,
            common::Schema::Migrated,
            |store, _| writers_and_readers(store),
        )
        .await;
    }
}

mod reads_go_on_beside_a_write {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        common::run(
            common::Backend::Sqlite,
            common::Schema::Migrated,
            reads_beside_an_open_write,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        common::run(
            common::Backend::Postgres,
            common::Schema::Migrated,
            reads_beside_an_open_write,
        )
        .await;
    }
}

/// Each connection to `sqlite::memory:` is a database of its own, so the
/// store keeps one pool for it: what is written is read back.
#[tokio::test]
async fn in_memory_sqlite_reads_what_it_wrote() {
    for url in ["sqlite::memory:", "sqlite://mem?mode=memory"] {
        let store = Store::connect(url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let oslo = agency(&store, "oslo", "Oslo kommune").await;
        let item = store
            .put_item(oslo.id, &simple("guide", "Minne", "nb", &[]))
            .await
            .expect("item");
        let got = store.get_item(item.id).await.expect("get").expect("item");
        assert_eq!(got.title, "Minne", "{url}");
        assert_eq!(store.count_local_items().await.expect("count"), 1, "{url}");
        store.close().await.expect("close");
    }
}
