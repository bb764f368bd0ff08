//! Ids another actor named first, on SQLite and PostgreSQL: a tombstone
//! and a reaction's activity id are the actor's own (another's use of the
//! id neither counts for nor blocks this one), a report's id taken by
//! another reporter says so; and `m20261208_000010_ids_per_actor` rolls
//! back and forward over rows that share an id.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
extern crate deling_testkit;

#[path = "store/support.rs"]
#[allow(dead_code)]
mod support;

use deling_migrations::Migrator;
use deling_store::{
    Store,
    queries::{
        reaction::{REACTION_ANNOUNCE, REACTION_LIKE},
        remote_actor::RemoteActorData,
        report::ReportPut,
    },
};
use sea_orm::{ConnectionTrait, Database, Statement};
use sea_orm_migration::MigratorTrait;
use support::{agency, simple};

const MIGRATION: &str = "m20261208_000010_ids_per_actor";
/// alice's next status, as eve on her server can guess it.
const STATUS: &str = "https://social.example/users/alice/statuses/7";
/// alice's next Like.
const LIKE: &str = "https://social.example/users/alice/likes/7";

fn person(name: &str) -> RemoteActorData {
    RemoteActorData {
        ap_id: format!("https://social.example/users/{name}"),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some(name.into()),
        name: None,
        inbox: format!("https://social.example/users/{name}/inbox"),
        shared_inbox: None,
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    }
}

/// alice and eve, and an item of oslo's; their ids.
async fn scene(store: &Store) -> (i64, i64, i64) {
    let oslo = agency(store, "oslo", "Oslo kommune").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Byggesak", "nb", &[]))
        .await
        .expect("item");
    let alice = store
        .put_remote_actor(person("alice"))
        .await
        .expect("alice");
    let eve = store.put_remote_actor(person("eve")).await.expect("eve");
    (alice.id, eve.id, item.id)
}

both!(a_tombstone_is_its_actors, |store| {
    let (alice, eve, _) = scene(&store).await;
    store.put_tombstone(STATUS, eve).await.expect("eve's");
    assert!(store.is_tombstoned(STATUS, eve).await.unwrap());
    assert!(
        !store.is_tombstoned(STATUS, alice).await.unwrap(),
        "eve's Delete stops alice"
    );
    // alice's own Delete is kept beside eve's, once however often sent.
    store.put_tombstone(STATUS, alice).await.expect("alice's");
    store.put_tombstone(STATUS, alice).await.expect("again");
    assert!(store.is_tombstoned(STATUS, alice).await.unwrap());
    let forgotten = store
        .delete_tombstones_before(chrono::Utc::now() + chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(forgotten, 2);
});

both!(a_reactions_id_is_its_actors, |store| {
    let (alice, eve, item) = scene(&store).await;
    store
        .put_reaction(item, eve, REACTION_LIKE, LIKE)
        .await
        .expect("eve's");
    store
        .put_reaction(item, alice, REACTION_LIKE, LIKE)
        .await
        .expect("alice's");
    // A repeat of alice's is still counted once.
    store
        .put_reaction(item, alice, REACTION_LIKE, LIKE)
        .await
        .expect("again");
    let mut by: Vec<String> = store
        .list_reactions(item)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.actor.ap_id)
        .collect();
    by.sort();
    assert_eq!(by, [person("alice").ap_id, person("eve").ap_id]);
    // Undone by id, alice's goes and eve's stays.
    assert!(store.delete_reaction(LIKE, alice, None).await.unwrap());
    let left = store.list_reactions(item).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].actor.id, eve);
});

both!(a_reports_id_taken_by_another_reporter_says_so, |store| {
    let id = "https://social.example/flags/7";
    let alice = person("alice").ap_id;
    let eve = person("eve").ap_id;
    let put = async |reporter: &str, content: &str| {
        store
            .put_report(id, reporter, content, vec![])
            .await
            .unwrap()
    };
    assert_eq!(put(&eve, "eve").await, ReportPut::Stored);
    assert_eq!(put(&eve, "eve").await, ReportPut::Repeat);
    assert_eq!(put(&alice, "alice").await, ReportPut::IdTaken);
    let reports = store.list_reports(false, None, 10).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        (reports[0].reporter.as_str(), reports[0].content.as_str()),
        (eve.as_str(), "eve")
    );
});

// Rolled back, one row of each shared id stays (the first, which the old
// rule kept); forward again, the ids are the actors' once more.
both_fresh!(rolled_back_and_forward_over_shared_ids, |store, url| {
    store.migrate().await.expect("migrate");
    let (alice, eve, item) = scene(&store).await;
    store.put_tombstone(STATUS, eve).await.unwrap();
    store.put_tombstone(STATUS, alice).await.unwrap();
    store
        .put_reaction(item, eve, REACTION_ANNOUNCE, LIKE)
        .await
        .unwrap();
    store
        .put_reaction(item, alice, REACTION_LIKE, LIKE)
        .await
        .unwrap();

    let db = Database::connect(&url).await.expect("connect");
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let at = names.iter().position(|n| n == MIGRATION).expect("listed");
    Migrator::down(&db, Some((names.len() - at) as u32))
        .await
        .expect("down");
    // Read as rows: the store's actor columns are those of the latest
    // schema, which a rolled-back one lacks.
    let reactions: Vec<i64> = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT remote_actor_id FROM reaction WHERE item_id = {item}"),
        ))
        .await
        .expect("reactions")
        .into_iter()
        .map(|row| row.try_get("", "remote_actor_id").expect("actor"))
        .collect();
    assert_eq!(reactions, vec![eve]);
    let counts = store.count_reactions_of(&[item]).await.unwrap();
    let c = counts.get(&item).copied().unwrap_or_default();
    assert_eq!((c.likes, c.shares), (0, 1), "the counts follow");

    Migrator::up(&db, None).await.expect("up again");
    db.close().await.expect("close");
    // eve's tombstone was the one kept.
    assert!(store.is_tombstoned(STATUS, eve).await.unwrap());
    assert!(!store.is_tombstoned(STATUS, alice).await.unwrap());
    store.put_tombstone(STATUS, alice).await.unwrap();
    assert!(store.is_tombstoned(STATUS, alice).await.unwrap());
    store
        .put_reaction(item, alice, REACTION_LIKE, LIKE)
        .await
        .unwrap();
    assert_eq!(store.list_reactions(item).await.unwrap().len(), 2);
});
