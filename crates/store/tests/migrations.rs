//! The schema migrations, up, down and up again, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{schema_objects, tables};
use deling_domain::{
    auth::{Role, Username},
    item::{ItemContent, RawItem, RawLink},
    slug::Slug,
    text::DisplayName,
};
use deling_migrations::Migrator;
use deling_store::{DbBackend, Store, StoreError, queries::agency::NewAgency};
use sea_orm_migration::MigratorTrait;
use std::collections::BTreeSet;

/// Every table the schema has.
const TABLES: [&str; 12] = [
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

/// Whether `SELECT` from each schema table succeeds.
async fn selectable(store: &Store) -> Vec<(&'static str, bool)> {
    let mut out = Vec::new();
    for t in TABLES {
        let ok = store
            .execute_unprepared(&format!("SELECT 1 FROM {t}"))
            .await
            .is_ok();
        out.push((t, ok));
    }
    out
}

/// Fills every table the store writes, so that rolling back has foreign keys
/// to get past.
async fn fill(store: &Store) {
    let a = store.put_agency(agency("oslo")).await.expect("agency");
    let s = store
        .put_staff(&Username::parse("kari").expect("username"), "h".into(), false)
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

both!(up_down_up, fresh |store, url| {
    let all = migration_names();
    assert!(!all.is_empty(), "the migrator has no migrations");
    assert_eq!(all[0], "m20261128_000001_initial");

    // A fresh database: nothing applied, everything pending.
    assert!(store.applied_migrations().await.expect("applied").is_empty());
    assert_eq!(store.pending_migrations().await.expect("pending"), all);
    let before = schema_objects(&url).await;
    assert!(
        TABLES.iter().all(|t| !before.contains(*t)),
        "a fresh database already has schema tables: {before:?}"
    );
    assert!(selectable(&store).await.iter().all(|(_, ok)| !ok));

    // Up.
    store.migrate().await.expect("migrate up");
    assert_eq!(store.applied_migrations().await.expect("applied"), all);
    assert!(store.pending_migrations().await.expect("pending").is_empty());
    let after_up = tables(&url).await;
    for t in TABLES {
        assert!(after_up.contains(t), "table {t} missing after up: {after_up:?}");
    }
    assert_eq!(
        selectable(&store).await,
        TABLES.map(|t| (t, true)).to_vec(),
        "every table answers SELECT after up"
    );
    // Up again changes nothing.
    store.migrate().await.expect("migrate up twice");
    assert_eq!(store.applied_migrations().await.expect("applied"), all);
    assert_eq!(tables(&url).await, after_up);

    fill(&store).await;

    // Down, with rows in every table.
    store.migrate_down_all().await.expect("migrate down");
    assert!(store.applied_migrations().await.expect("applied").is_empty());
    assert_eq!(store.pending_migrations().await.expect("pending"), all);
    assert_eq!(
        schema_objects(&url).await,
        before,
        "rolling back must leave exactly what a fresh database has"
    );
    assert_eq!(
        selectable(&store).await,
        TABLES.map(|t| (t, false)).to_vec(),
        "no table answers SELECT after down"
    );
    match store.put_agency(agency("bergen")).await {
        Err(StoreError::Db(_)) => {}
        other => panic!("inserting without a schema must fail with a database error: {other:?}"),
    }

    // Up again: an empty schema that works.
    store.migrate().await.expect("migrate up again");
    assert_eq!(store.applied_migrations().await.expect("applied"), all);
    assert_eq!(tables(&url).await, after_up);
    assert_eq!(store.count_agencies().await.expect("count"), 0);
    fill(&store).await;
    assert_eq!(store.count_agencies().await.expect("count"), 1);

    // And once more down and up.
    store.migrate_down_all().await.expect("second migrate down");
    assert_eq!(schema_objects(&url).await, before);
    store.migrate().await.expect("third migrate up");
    assert_eq!(store.count_agencies().await.expect("count"), 0);
});

both!(schema_names, fresh |store, url| {
    store.migrate().await.expect("migrate");
    let objects = schema_objects(&url).await;
    // The named unique indexes the queries rely on.
    for idx in [
        "idx_item_ap_id",
        "idx_comment_ap_id",
        "idx_reaction_ap_id",
        "idx_reuse_ap_id",
        "idx_reaction_item_id_remote_actor_id_kind",
        "idx_item_tag_tag",
    ] {
        assert!(objects.contains(idx), "index {idx} missing: {objects:?}");
    }
    let expected: BTreeSet<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    let got: BTreeSet<String> = tables(&url)
        .await
        .into_iter()
        .filter(|t| t != "seaql_migrations")
        .collect();
    assert_eq!(got, expected, "exactly the schema's tables exist");
});

both!(connection, fresh |store, url| {
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
