//! The kept counts (likes, boosts and shown comments on each item, items in
//! each listing) against what the rows themselves say, after every kind of
//! change: likes and their undoing, Announces and local shares, comments
//! written, hidden, shown, deleted, an actor deleted with everything it
//! sent, items published, withdrawn and received.

use crate::support::{agency, remote_item, simple};
use deling_store::{
    ItemFilter, Origin, Store,
    queries::{
        comment::{PublicVisibility, RemoteCommentData},
        item::ItemCounts,
        reaction::{REACTION_ANNOUNCE, REACTION_LIKE},
        remote_actor::RemoteActorData,
    },
};

fn person(name: &str) -> RemoteActorData {
    RemoteActorData {
        ap_id: format!("https://social.example/users/{name}"),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some(name.into()),
        name: None,
        inbox: format!("https://social.example/users/{name}/inbox"),
        shared_inbox: Some("https://social.example/inbox".into()),
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    }
}

fn remote_comment(ap_id: &str, item_id: i64, author: i64, hidden: bool) -> RemoteCommentData {
    RemoteCommentData {
        ap_id: ap_id.into(),
        item_id,
        in_reply_to_id: None,
        author_remote_actor_id: author,
        content_html: "<p>Hei</p>".into(),
        language: None,
        published_at: chrono::Utc::now(),
        hidden,
        visibility: PublicVisibility::Public,
        content_warning: None,
        sensitive: false,
    }
}

/// What the rows say, counted the slow way through the listing queries.
pub async fn recount(store: &Store, item_id: i64) -> ItemCounts {
    let reactions = store.list_reactions(item_id).await.expect("reactions");
    let n = |kind: &str| reactions.iter().filter(|r| r.kind == kind).count() as u64;
    let shares = store.list_item_shares(item_id).await.expect("shares");
    let current_shares = shares.iter().filter(|(s, _)| s.undone_at.is_none()).count() as u64;
    ItemCounts {
        likes: n(REACTION_LIKE),
        shares: n(REACTION_ANNOUNCE) + current_shares,
        comments: store.list_comments(item_id).await.expect("comments").len() as u64,
    }
}

/// Every way of reading the counts agrees with the rows and with `want`.
async fn check(store: &Store, item_id: i64, want: (u64, u64, u64), step: &str) {
    let want = ItemCounts {
        likes: want.0,
        shares: want.1,
        comments: want.2,
    };
    assert_eq!(recount(store, item_id).await, want, "rows after {step}");
    let item = store.get_item(item_id).await.expect("get").expect("item");
    assert_eq!(item.counts, want, "item.counts after {step}");
    let one = store.count_item_reactions(item_id).await.expect("count");
    assert_eq!(one, want, "count_item_reactions after {step}");
    let many = store.count_reactions_of(&[item_id]).await.expect("batch");
    assert_eq!(
        many.get(&item_id),
        Some(&want),
        "count_reactions_of after {step}"
    );
}

both!(reaction_and_comment_counts_follow_every_change, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let nav = agency(&store, "nav", "NAV").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Byggesak", "nb", &[]))
        .await
        .expect("item");
    let other = store
        .put_item(oslo.id, &simple("guide", "Annet", "nb", &[]))
        .await
        .expect("other item");
    let eve = store.put_remote_actor(person("eve")).await.expect("eve");
    let bob = store.put_remote_actor(person("bob")).await.expect("bob");
    check(&store, item.id, (0, 0, 0), "publishing").await;

    let like = |actor: i64, n: u32| (actor, format!("https://social.example/likes/{actor}/{n}"));
    let (e, eve_like) = like(eve.id, 1);
    store
        .put_reaction(item.id, e, REACTION_LIKE, &eve_like)
        .await
        .expect("like");
    let (b, bob_like) = like(bob.id, 1);
    store
        .put_reaction(item.id, b, REACTION_LIKE, &bob_like)
        .await
        .expect("like");
    // A repeat (same actor, other activity id) counts once.
    let (_, again) = like(eve.id, 2);
    store
        .put_reaction(item.id, e, REACTION_LIKE, &again)
        .await
        .expect("repeat");
    store
        .put_reaction(
            other.id,
            e,
            REACTION_LIKE,
            "https://social.example/likes/other",
        )
        .await
        .expect("like of the other item");
    check(&store, item.id, (2, 0, 0), "two likes and a repeat").await;
    check(&store, other.id, (1, 0, 0), "a like of another item").await;

    store
        .put_reaction(
            item.id,
            e,
            REACTION_ANNOUNCE,
            "https://social.example/boosts/1",
        )
        .await
        .expect("announce");
    store.put_share(nav.id, item.id).await.expect("share");
    store.put_share(nav.id, item.id).await.expect("share again");
    check(&store, item.id, (2, 2, 0), "an Announce and a share").await;
    assert!(store.undo_share(nav.id, item.id).await.expect("undo share"));
    check(&store, item.id, (2, 1, 0), "undoing the share").await;
    store.put_share(nav.id, item.id).await.expect("share anew");
    check(&store, item.id, (2, 2, 0), "sharing anew").await;

    assert!(
        store
            .delete_reaction(&eve_like, e, None)
            .await
            .expect("unlike")
    );
    assert!(
        !store
            .delete_reaction(&eve_like, e, None)
            .await
            .expect("unlike twice")
    );
    check(&store, item.id, (1, 2, 0), "an Undo of a like").await;
    // Undone by what it was, as peers that lost the activity id do.
    assert!(
        store
            .delete_reaction(
                "https://social.example/unknown",
                e,
                Some((item.id, REACTION_ANNOUNCE))
            )
            .await
            .expect("unboost")
    );
    check(
        &store,
        item.id,
        (1, 1, 0),
        "an Undo of an Announce by item and kind",
    )
    .await;

    let own = store
        .put_agency_comment(item.id, nav.id, None, "Ja", "<p>Ja</p>", None)
        .await
        .expect("own comment");
    let bobs = store
        .put_remote_comment(remote_comment(
            "https://social.example/notes/1",
            item.id,
            bob.id,
            false,
        ))
        .await
        .expect("remote comment");
    // Held hidden for a moderator (a silenced domain): not counted.
    let held = store
        .put_remote_comment(remote_comment(
            "https://social.example/notes/2",
            item.id,
            eve.id,
            true,
        ))
        .await
        .expect("held comment");
    check(&store, item.id, (1, 1, 2), "two comments and a held one").await;
    // An edit of a comment changes nothing counted.
    store
        .put_remote_comment(remote_comment(
            "https://social.example/notes/1",
            item.id,
            bob.id,
            false,
        ))
        .await
        .expect("edit");
    check(&store, item.id, (1, 1, 2), "an edit").await;
    assert!(
        store
            .set_comment_hidden(held.id, false)
            .await
            .expect("show")
    );
    check(&store, item.id, (1, 1, 3), "showing the held comment").await;
    assert!(store.set_comment_hidden(bobs.id, true).await.expect("hide"));
    check(&store, item.id, (1, 1, 2), "hiding a comment").await;
    assert!(
        store
            .set_comment_hidden(bobs.id, false)
            .await
            .expect("show")
    );
    check(&store, item.id, (1, 1, 3), "showing it again").await;
    assert!(
        store
            .delete_remote_comment("https://social.example/notes/2", eve.id)
            .await
            .expect("author deletes")
    );
    check(&store, item.id, (1, 1, 2), "a remote Delete").await;
    assert!(
        store
            .delete_own_comment(own.id, nav.id, None)
            .await
            .expect("own delete")
    );
    check(&store, item.id, (1, 1, 1), "deleting our own comment").await;
    assert!(
        store
            .delete_comment(bobs.id)
            .await
            .expect("moderator deletes")
    );
    check(&store, item.id, (1, 1, 0), "a moderator's deletion").await;

    // An actor that deletes itself takes its likes, boosts and comments
    // with it (a cascade no query of ours writes).
    store
        .put_reaction(
            item.id,
            b,
            REACTION_ANNOUNCE,
            "https://social.example/boosts/2",
        )
        .await
        .expect("bob boosts");
    store
        .put_remote_comment(remote_comment(
            "https://social.example/notes/3",
            item.id,
            bob.id,
            false,
        ))
        .await
        .expect("bob comments");
    check(&store, item.id, (1, 2, 1), "bob's boost and comment").await;
    assert!(
        store
            .delete_remote_actor(&bob.ap_id)
            .await
            .expect("delete actor")
    );
    check(&store, item.id, (0, 1, 0), "bob deleting himself").await;
    check(
        &store,
        other.id,
        (1, 0, 0),
        "bob deleting himself (other item)",
    )
    .await;

    // Withdrawing an item keeps no counts to show, and leaves others be.
    store.delete_item(item.id).await.expect("withdraw");
    check(&store, other.id, (1, 0, 0), "withdrawing the first item").await;
});

/// `(local, remote, oslo's, nav's)` as kept, each checked against the rows.
async fn tallies(store: &Store, oslo: i64, nav: i64) -> (u64, u64, u64, u64) {
    let list = |origin: Origin, agency: Option<&str>| {
        let filter = ItemFilter {
            origin,
            agency: agency.map(str::to_owned),
            ..Default::default()
        };
        let store = store.clone();
        async move {
            let page = store.list_items(&filter, 1, 1000).await.expect("list");
            assert_eq!(page.total, page.items.len() as u64, "{filter:?}");
            page.total
        }
    };
    let local = list(Origin::Local, None).await;
    let remote = list(Origin::Remote, None).await;
    assert_eq!(list(Origin::All, None).await, local + remote);
    let o = list(Origin::Local, Some("oslo")).await;
    let n = list(Origin::All, Some("nav")).await;
    assert_eq!(list(Origin::Remote, Some("oslo")).await, 0);
    assert_eq!(store.count_local_items().await.expect("local"), local);
    assert_eq!(store.count_agency_items(oslo).await.expect("oslo"), o);
    assert_eq!(store.count_agency_items(nav).await.expect("nav"), n);
    (local, remote, o, n)
}

both!(listing_totals_follow_items, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let nav = agency(&store, "nav", "NAV").await;
    assert_eq!(tallies(&store, oslo.id, nav.id).await, (0, 0, 0, 0));
    let mut oslos = Vec::new();
    for n in 0..3 {
        let item = simple("guide", &format!("Oslo {n}"), "nb", &[]);
        oslos.push(store.put_item(oslo.id, &item).await.expect("item").id);
    }
    store
        .put_item(nav.id, &simple("guide", "NAV", "nb", &[]))
        .await
        .expect("item");
    assert_eq!(tallies(&store, oslo.id, nav.id).await, (4, 0, 3, 1));

    let peer = store.put_remote_actor(person("peer")).await.expect("peer");
    let t = chrono::Utc::now();
    for n in 0..2 {
        let ap_id = format!("https://social.example/items/{n}");
        store
            .put_remote_item(remote_item(&ap_id, peer.id, t))
            .await
            .expect("remote item");
    }
    // Received again (an Update): still one item.
    store
        .put_remote_item(remote_item("https://social.example/items/0", peer.id, t))
        .await
        .expect("again");
    assert_eq!(tallies(&store, oslo.id, nav.id).await, (4, 2, 3, 1));

    store.delete_item(oslos[0]).await.expect("withdraw");
    assert!(
        store.delete_item(oslos[0]).await.is_err(),
        "a second withdrawal is refused and counts nothing"
    );
    assert!(
        store
            .delete_remote_item("https://social.example/items/1", peer.id)
            .await
            .expect("remote withdrawal")
    );
    assert_eq!(tallies(&store, oslo.id, nav.id).await, (3, 1, 2, 1));

    assert!(
        store
            .delete_remote_actor(&peer.ap_id)
            .await
            .expect("actor gone")
    );
    store
        .withdraw_agency(nav.id, None)
        .await
        .expect("withdraw nav");
    assert_eq!(tallies(&store, oslo.id, nav.id).await, (2, 0, 2, 0));
});

both!(
    a_remote_item_its_owner_narrowed_or_deleted_is_not_stored,
    |store| {
        use deling_store::StoreError;
        let eve = store.put_remote_actor(person("eve")).await.expect("eve");
        let bob = store.put_remote_actor(person("bob")).await.expect("bob");
        let t = chrono::Utc::now();
        let id = |n: u32| format!("https://social.example/items/{n}");
        // The owner narrowed it (or deleted it) while a boost's copy of the
        // public version was on its way to the catalogue: not stored.
        store.mark_private(&id(1), eve.id).await.expect("private");
        store.put_tombstone(&id(2), eve.id).await.expect("deleted");
        for n in [1, 2] {
            let put = store.put_remote_item(remote_item(&id(n), eve.id, t)).await;
            assert!(matches!(put, Err(StoreError::NotFound(_))), "{n}: {put:?}");
            assert!(
                store
                    .get_item_by_ap_id(&id(n))
                    .await
                    .expect("read")
                    .is_none()
            );
        }
        // What another actor says of the id changes nothing of the owner's.
        store.mark_private(&id(3), bob.id).await.expect("private");
        store.put_tombstone(&id(3), bob.id).await.expect("deleted");
        store
            .put_remote_item(remote_item(&id(3), eve.id, t))
            .await
            .expect("stored");
    }
);

both!(a_narrowing_takes_down_every_public_copy_at_once, |store| {
    use deling_domain::audience::Visibility;
    let eve = store.put_remote_actor(person("eve")).await.expect("eve");
    let t = chrono::Utc::now();
    let id = "https://social.example/items/9";
    let item = store
        .put_remote_item(remote_item(id, eve.id, t))
        .await
        .expect("catalogued");
    let done = store
        .narrow_remote_object(id, eve.id, Visibility::Followers)
        .await
        .expect("narrowed");
    assert!(done.item && !done.comment, "{done:?}");
    assert_eq!(done.messages, 0);
    let gone = store.get_item_by_ap_id(id).await.expect("read");
    assert!(
        gone.as_ref()
            .is_none_or(|i| i.deleted_at.is_some() && i.id == item.id),
        "{gone:?}"
    );
    assert!(store.was_private(id, eve.id).await.expect("mark"));
    // Its public version arriving again is not stored.
    assert!(
        store
            .put_remote_item(remote_item(id, eve.id, t + chrono::Duration::seconds(1)))
            .await
            .is_err()
    );
});

/// A transaction on `db` holding the lock a narrowing or a Delete takes
/// on object id `id`.
async fn locked(db: &sea_orm::DatabaseConnection, id: &str) -> sea_orm::DatabaseTransaction {
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
    let txn = db.begin().await.expect("begin");
    txn.execute_raw(Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        [id.into()],
    ))
    .await
    .expect("lock");
    txn
}

/// Whether `task` comes to wait on an advisory lock within 10 s (false
/// if it finishes first, or never waits).
async fn waits_on_the_lock<T>(
    db: &sea_orm::DatabaseConnection,
    task: &tokio::task::JoinHandle<T>,
) -> bool {
    use sea_orm::{ConnectionTrait, Statement};
    for _ in 0..100 {
        let waiting = db
            .query_one_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
            ))
            .await
            .expect("pg_locks")
            .and_then(|r| r.try_get::<i64>("", "n").ok())
            .unwrap_or(0);
        if waiting > 0 {
            return true;
        }
        if task.is_finished() {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

both!(a_delete_takes_every_copy_and_is_remembered, |store| {
    let eve = store.put_remote_actor(person("eve")).await.expect("eve");
    let t = chrono::Utc::now();
    let id = "https://social.example/items/10";
    store
        .put_remote_item(remote_item(id, eve.id, t))
        .await
        .expect("catalogued");
    let gone = store
        .delete_remote_object(id, eve.id)
        .await
        .expect("deleted");
    assert!(gone.item && !gone.comment && !gone.message, "{gone:?}");
    // Remembered as deleted, also when something was held: a boost's copy
    // fetched before the Delete is not stored.
    assert!(store.is_tombstoned(id, eve.id).await.expect("tombstone"));
    assert!(
        store
            .put_remote_item(remote_item(id, eve.id, t + chrono::Duration::seconds(1)))
            .await
            .is_err()
    );
});

/// On PostgreSQL a Delete takes the object's lock too, so that a boost's
/// copy being written at that moment is either seen and withdrawn or
/// finds the tombstone; here the lock is held by hand and the Delete
/// waits for it.
mod a_delete_waits_for_a_copy_being_written {
    use super::*;
    use deling_testkit::db as common;
    use sea_orm::Database;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        common::run(
            common::Backend::Postgres,
            common::Schema::Migrated,
            |store, url| async move {
                let eve = store.put_remote_actor(person("eve")).await.expect("eve");
                let id = "https://social.example/items/race-delete";
                let db = Database::connect(&url).await.expect("connect");
                let txn = locked(&db, id).await;
                let deleter = store.clone();
                let delete =
                    tokio::spawn(async move { deleter.delete_remote_object(id, eve.id).await });
                assert!(
                    waits_on_the_lock(&db, &delete).await,
                    "the Delete did not wait"
                );
                txn.commit().await.expect("commit");
                delete.await.expect("task").expect("deleted");
                assert!(store.is_tombstoned(id, eve.id).await.expect("tombstone"));
            },
        )
        .await;
    }
}

/// On PostgreSQL a narrowing and the write of a boost's copy of the same
/// object take turns (an advisory lock on the id): a copy written while a
/// narrowing is under way waits for it, then finds the id private. Without
/// the lock, READ COMMITTED lets the write miss the uncommitted mark and
/// store the narrowed object in the public catalogue.
mod narrowing_and_a_boosts_copy_take_turns {
    use super::*;
    use deling_testkit::db as common;
    use sea_orm::{ConnectionTrait, Database, Statement};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        common::run(
            common::Backend::Postgres,
            common::Schema::Migrated,
            |store, url| async move {
                let eve = store.put_remote_actor(person("eve")).await.expect("eve");
                let id = "https://social.example/items/race";
                // The narrowing, by hand: the lock taken and the mark
                // written, not yet committed.
                let db = Database::connect(&url).await.expect("connect");
                let txn = locked(&db, id).await;
                let pg = sea_orm::DbBackend::Postgres;
                txn.execute_raw(Statement::from_sql_and_values(
                    pg,
                    "INSERT INTO private_object (ap_id, remote_actor_id, seen_at) VALUES ($1, $2, now())",
                    [id.into(), eve.id.into()],
                ))
                .await
                .expect("mark");
                let writer = store.clone();
                let put = tokio::spawn(async move {
                    writer
                        .put_remote_item(remote_item(id, eve.id, chrono::Utc::now()))
                        .await
                });
                // Until the write waits on the lock (or 10 s, when nothing
                // ever waits: it went ahead without).
                waits_on_the_lock(&db, &put).await;
                txn.commit().await.expect("commit");
                let put = put.await.expect("task");
                assert!(put.is_err(), "stored after it was narrowed: {put:?}");
                assert!(store.get_item_by_ap_id(id).await.expect("read").is_none());
            },
        )
        .await;
    }
}
