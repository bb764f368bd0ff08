//! The schema migrations, up, down and up again, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
extern crate deling_testkit;

use deling_domain::{
    auth::{Role, Username},
    item::{ItemContent, RawItem, RawLink},
    slug::Slug,
    text::DisplayName,
};
use deling_migrations::Migrator;
use deling_store::{DbBackend, Store, StoreError, queries::agency::NewAgency};
use sea_orm::{ConnectionTrait, Database, Statement};
use sea_orm_migration::MigratorTrait;
use std::collections::BTreeSet;

/// Tables the schema has (later migrations may add more).
const TABLES: [&str; 13] = [
    "agency",
    "api_token",
    "comment",
    "instance",
    "item",
    "item_link",
    "item_tag",
    "membership",
    "reaction",
    "remote_actor",
    "reuse",
    "share",
    "staff",
];

fn migration_names() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

fn agency(slug: &str) -> NewAgency {
    NewAgency {
        slug: Slug::parse(slug).expect("valid slug"),
        name: DisplayName::parse(&format!("Agency {slug}")).expect("valid name"),
        org_number: None,
        public_key_pem: "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n".into(),
        private_key_pem: "-----BEGIN PRIVATE KEY-----\ny\n-----END PRIVATE KEY-----\n".into(),
    }
}

/// The tables `SELECT` works on, of `tables`.
async fn selectable(store: &Store, tables: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for t in tables {
        if store
            .execute_unprepared(&format!("SELECT 1 FROM \"{t}\""))
            .await
            .is_ok()
        {
            out.insert(t.clone());
        }
    }
    out
}

/// Fills every table the store writes, so that rolling back has foreign keys
/// to get past.
async fn fill(store: &Store) {
    let a = store.put_agency(agency("oslo")).await.expect("agency");
    let s = store
        .put_staff(
            &Username::parse("kari").expect("username"),
            "h".into(),
            false,
        )
        .await
        .expect("staff");
    store
        .put_membership(s.id, a.id, Role::Admin)
        .await
        .expect("membership");
    store
        .put_token(s.id, "hash".into(), None, None)
        .await
        .expect("token");
    let content = ItemContent::parse(RawItem {
        kind: Some("guide".into()),
        title: Some("Title".into()),
        language: Some("nb".into()),
        tags: Some(vec!["a".into(), "b".into()]),
        links: Some(vec![RawLink {
            href: "https://example.org/".into(),
            ..Default::default()
        }]),
        ..Default::default()
    })
    .expect("valid item");
    let item = store.put_item(a.id, &content).await.expect("item");
    let c = store
        .put_agency_comment(item.id, a.id, None, "hi", "<p>hi</p>", None)
        .await
        .expect("comment");
    store
        .put_agency_comment(item.id, a.id, Some(c.id), "re", "<p>re</p>", None)
        .await
        .expect("reply");
    store
        .get_or_put_instance("deling.example", "Deling", || ("pub".into(), "priv".into()))
        .await
        .expect("instance");
}

both_fresh!(up_down_up, |store, url| {
    let all = migration_names();
    assert!(!all.is_empty(), "the migrator has no migrations");
    assert_eq!(all[0], "m20261128_000001_initial");

    // A fresh database: nothing applied, everything pending.
    assert!(
        store
            .applied_migrations()
            .await
            .expect("applied")
            .is_empty()
    );
    assert_eq!(store.pending_migrations().await.expect("pending"), all);
    let before = schema_objects(&url).await;
    let before_tables = tables(&url).await;
    assert!(
        TABLES.iter().all(|t| !before.contains(*t)),
        "a fresh database already has schema tables: {before:?}"
    );

    // Up: every migration applied, the schema's tables there and usable.
    store.migrate().await.expect("migrate up");
    assert_eq!(store.applied_migrations().await.expect("applied"), all);
    assert!(
        store
            .pending_migrations()
            .await
            .expect("pending")
            .is_empty()
    );
    let after_up = tables(&url).await;
    for t in TABLES {
        assert!(
            after_up.contains(t),
            "table {t} missing after up: {after_up:?}"
        );
    }
    let created: BTreeSet<String> = after_up.difference(&before_tables).cloned().collect();
    assert_eq!(
        selectable(&store, &created).await,
        created,
        "every table made by the migrations answers SELECT"
    );
    let objects_up = schema_objects(&url).await;
    // Up again changes nothing.
    store.migrate().await.expect("migrate up twice");
    assert_eq!(store.applied_migrations().await.expect("applied"), all);
    assert_eq!(schema_objects(&url).await, objects_up);

    fill(&store).await;

    // Down, with rows in the tables: back to exactly the fresh database.
    store.migrate_down_all().await.expect("migrate down");
    assert!(
        store
            .applied_migrations()
            .await
            .expect("applied")
            .is_empty()
    );
    assert_eq!(store.pending_migrations().await.expect("pending"), all);
    assert_eq!(
        schema_objects(&url).await,
        before,
        "rolling back must leave exactly what a fresh database has"
    );
    assert!(
        selectable(&store, &created).await.is_empty(),
        "no table answers SELECT after down"
    );
    match store.put_agency(agency("bergen")).await {
        Err(StoreError::Db(_)) => {}
        other => panic!("inserting without a schema must fail with a database error: {other:?}"),
    }

    // Up again: the same schema, empty, working.
    store.migrate().await.expect("migrate up again");
    assert_eq!(store.applied_migrations().await.expect("applied"), all);
    assert_eq!(schema_objects(&url).await, objects_up);
    assert_eq!(store.count_agencies().await.expect("count"), 0);
    fill(&store).await;
    assert_eq!(store.count_agencies().await.expect("count"), 1);

    // And once more down and up.
    store.migrate_down_all().await.expect("second migrate down");
    assert_eq!(schema_objects(&url).await, before);
    store.migrate().await.expect("third migrate up");
    assert_eq!(schema_objects(&url).await, objects_up);
    assert_eq!(store.count_agencies().await.expect("count"), 0);
});

both_fresh!(schema_names, |store, url| {
    store.migrate().await.expect("migrate");
    let objects = schema_objects(&url).await;
    // The unique indexes that keep ActivityPub ids and reactions single.
    for idx in [
        "idx_item_ap_id",
        "idx_comment_ap_id",
        "idx_reaction_ap_id",
        "idx_reuse_ap_id",
        "idx_reaction_item_id_remote_actor_id_kind",
        "idx_item_tag_tag",
        "idx_share_current",
    ] {
        assert!(objects.contains(idx), "index {idx} missing: {objects:?}");
    }
    let got = tables(&url).await;
    for t in TABLES {
        assert!(got.contains(t), "table {t} missing: {got:?}");
    }
});

both_fresh!(connection, |store, url| {
    let expected = if url.starts_with("sqlite:") {
        DbBackend::Sqlite
    } else {
        DbBackend::Postgres
    };
    assert_eq!(store.backend(), expected);
    store.ping().await.expect("ping");
    // Closing closes the pool that every clone shares.
    let other = store.clone();
    store.close().await.expect("close");
    assert!(other.ping().await.is_err(), "a closed store still answers");
});

// The counts migration counts what is already there: rolled back on a
// database with likes, boosts, shares, comments (shown, hidden, deleted)
// and withdrawn items, and applied again, it finds what the triggers kept.
/// Rolls back migration `name` and every one after it (however many later
/// work adds); their names, in order.
async fn roll_back_through(db: &sea_orm::DatabaseConnection, name: &str) -> Vec<String> {
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let at = names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no migration {name}"));
    Migrator::down(db, Some((names.len() - at) as u32))
        .await
        .unwrap_or_else(|e| panic!("roll back through {name}: {e}"));
    names[at..].to_vec()
}

both_fresh!(counts_are_backfilled, |store, url| {
    use deling_store::{
        ItemFilter,
        queries::{
            comment::{PublicVisibility, RemoteCommentData},
            remote_actor::RemoteActorData,
        },
    };
    store.migrate().await.expect("migrate");
    let oslo = store.put_agency(agency("oslo")).await.expect("oslo");
    let nav = store.put_agency(agency("nav")).await.expect("nav");
    let item = |title: &str| {
        ItemContent::parse(RawItem {
            kind: Some("guide".into()),
            title: Some(title.into()),
            language: Some("nb".into()),
            ..Default::default()
        })
        .expect("valid item")
    };
    let a = store.put_item(oslo.id, &item("A")).await.expect("a");
    let b = store.put_item(nav.id, &item("B")).await.expect("b");
    let gone = store.put_item(oslo.id, &item("C")).await.expect("c");
    store.delete_item(gone.id).await.expect("withdraw");
    let mut actors = Vec::new();
    for n in 0..3 {
        let actor = store
            .put_remote_actor(RemoteActorData {
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
            })
            .await
            .expect("actor");
        actors.push(actor.id);
        let ap = |what: &str| format!("https://social.example/{what}/{n}");
        store
            .put_reaction(a.id, actor.id, "like", &ap("likes"))
            .await
            .expect("like");
        let c = store
            .put_remote_comment(RemoteCommentData {
                ap_id: ap("notes"),
                item_id: a.id,
                in_reply_to_id: None,
                author_remote_actor_id: actor.id,
                content_html: "<p>Hei</p>".into(),
                language: None,
                published_at: chrono::Utc::now(),
                hidden: n == 1,
                visibility: PublicVisibility::Unlisted,
                content_warning: None,
                sensitive: false,
            })
            .await
            .expect("comment");
        if n == 2 {
            store.delete_comment(c.id).await.expect("delete comment");
        }
    }
    store
        .put_reaction(
            a.id,
            actors[0],
            "announce",
            "https://social.example/boosts/0",
        )
        .await
        .expect("boost");
    store.put_share(nav.id, a.id).await.expect("share");
    store.put_share(oslo.id, b.id).await.expect("share");
    store.undo_share(oslo.id, b.id).await.expect("undo share");
    let counts = |store: Store| async move {
        let all = store
            .count_reactions_of(&[a.id, b.id])
            .await
            .expect("counts");
        let c = |id: i64| {
            let c = all.get(&id).copied().unwrap_or_default();
            (c.likes, c.shares, c.comments)
        };
        (
            c(a.id),
            c(b.id),
            store.count_local_items().await.expect("local"),
            store.count_agency_items(oslo.id).await.expect("oslo"),
            store
                .count_items(&ItemFilter::default())
                .await
                .expect("all"),
        )
    };
    let kept = counts(store.clone()).await;
    assert_eq!(kept, ((3, 2, 1), (0, 0, 0), 2, 1, 2));

    let db = Database::connect(&url).await.expect("connect");
    let rolled_back = roll_back_through(&db, "m20261206_000001_counts").await;
    let pending = store.pending_migrations().await.expect("pending");
    assert_eq!(pending, rolled_back);
    Migrator::up(&db, None).await.expect("count again");
    db.close().await.expect("close");
    assert_eq!(counts(store.clone()).await, kept);
});

both_fresh!(queued_bodies_survive_their_move, |store, url| {
    use deling_store::queries::delivery::NewDelivery;
    store.migrate().await.expect("migrate");
    let delivery = |n: usize, body: &str| NewDelivery {
        activity_id: "https://here.example/a/1".into(),
        agency_id: None,
        inbox: format!("https://peer{n}.example/inbox"),
        host: format!("peer{n}.example"),
        body: body.into(),
    };
    store
        .put_deliveries(vec![delivery(0, "{\"n\":0}"), delivery(1, "{\"n\":1}")])
        .await
        .expect("queue");
    // Back to one body per row, and forward again: each row keeps its own.
    let db = Database::connect(&url).await.expect("connect");
    roll_back_through(&db, "m20261206_000080_delivery_bodies").await;
    Migrator::up(&db, None).await.expect("bodies moved out");
    db.close().await.expect("close");
    let bodies = |store: Store| async move {
        store
            .list_deliveries_of("https://here.example/a/1")
            .await
            .expect("list")
            .into_iter()
            .map(|d| (d.inbox, d.body))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        bodies(store.clone()).await,
        [
            (
                "https://peer0.example/inbox".to_owned(),
                "{\"n\":0}".to_owned()
            ),
            (
                "https://peer1.example/inbox".to_owned(),
                "{\"n\":1}".to_owned()
            ),
        ]
    );
    // New bodies take new ids (on PostgreSQL the moved ones were explicit).
    store
        .put_deliveries(vec![delivery(2, "{\"n\":2}")])
        .await
        .expect("queue after the move");
    assert_eq!(bodies(store.clone()).await.len(), 3);
    assert_eq!(store.count_delivery_bodies().await.expect("count"), 3);
});

#[tokio::test]
async fn connecting_to_nowhere_is_a_connect_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The directory does not exist, so the file cannot be created.
    let path = dir.path().join("no").join("such").join("deling.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    match Store::connect(&url).await {
        Err(StoreError::Connect(_)) => {}
        other => panic!("expected a connect error, got {other:?}"),
    }
}

/// Runs a query returning one text column `name` on a connection of its own,
/// for looking at the schema behind the store's back.
async fn names(url: &str, sqlite_sql: &str, postgres_sql: &str) -> BTreeSet<String> {
    let db = Database::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => sqlite_sql,
        _ => postgres_sql,
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap_or_else(|e| panic!("schema query failed: {e}"));
    let out = rows
        .iter()
        .map(|r| r.try_get::<String>("", "name").expect("a name column"))
        .collect();
    let _ = db.close().await;
    out
}

/// Every table, index and sequence in the database (SQLite's internal
/// objects left out).
async fn schema_objects(url: &str) -> BTreeSet<String> {
    names(
        url,
        "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
        "SELECT c.relname::text AS name FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
    )
    .await
}

/// The tables in the database.
async fn tables(url: &str) -> BTreeSet<String> {
    names(
        url,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .await
}

/// A migration that makes a table and then fails, as one cut short would.
struct HalfDone;

impl sea_orm_migration::MigrationName for HalfDone {
    fn name(&self) -> &str {
        "m20990101_000001_half_done"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl sea_orm_migration::MigrationTrait for HalfDone {
    async fn up(&self, m: &sea_orm_migration::SchemaManager) -> Result<(), sea_orm::DbErr> {
        m.get_connection()
            .execute_unprepared("CREATE TABLE half_done (id INTEGER PRIMARY KEY)")
            .await?;
        m.get_connection()
            .execute_unprepared("ALTER TABLE half_done ADD COLUMN also TEXT")
            .await?;
        Err(sea_orm::DbErr::Migration("cut short".into()))
    }
}

/// Deling's first migration, then [`HalfDone`], both as Deling wraps them.
struct CutShort;

impl MigratorTrait for CutShort {
    fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        let mut all = Migrator::migrations();
        all.truncate(1);
        all.push(deling_migrations::Atomic::wrap(HalfDone));
        all
    }
}

// A migration that fails half-way leaves nothing behind on either
// database, so the next start can run it again (on SQLite, sea-orm would
// otherwise keep the table and the next try would fail on it).
both_fresh!(a_failed_migration_leaves_nothing, |store, url| {
    let db = Database::connect(&url).await.expect("connect");
    let err = CutShort::up(&db, None).await.expect_err("the second fails");
    assert!(err.to_string().contains("cut short"), "{err}");
    let kept = tables(&url).await;
    assert!(
        kept.contains("agency"),
        "the first migration stays: {kept:?}"
    );
    assert!(
        !kept.contains("half_done"),
        "half a migration stayed: {kept:?}"
    );
    let pending = CutShort::get_pending_migrations(&db)
        .await
        .expect("pending");
    assert_eq!(pending.len(), 1, "the failed one is still pending");
    // Run again: it fails the same way, not on leftovers of the first try.
    let again = CutShort::up(&db, None).await.expect_err("fails again");
    assert!(again.to_string().contains("cut short"), "{again}");
    db.close().await.expect("close");
    drop(store);
});
