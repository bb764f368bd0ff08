//! Concurrent writes and racing withdrawals.

use crate::support::{agency, simple};
use deling_store::{ItemFilter, Store, StoreError};
use deling_testkit::db as common;

both!(concurrent_writes, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let mut items = Vec::new();
    for n in 0..6 {
        items.push(
            store
                .put_item(
                    oslo.id,
                    &simple("guide", &format!("i{n}"), "nb", &["a", "b"]),
                )
                .await
                .expect("put item")
                .id,
        );
    }
    // Interleaved transactions on the pool: updates, inserts and deletes
    // all succeed and none waits on another forever.
    let mut tasks = Vec::new();
    for round in 0..3 {
        for &id in &items {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                s.update_item(id, &simple("guide", &format!("u{round}"), "nb", &["c"]))
                    .await
                    .map(|_| ())
            }));
            let s = store.clone();
            let agency_id = oslo.id;
            tasks.push(tokio::spawn(async move {
                s.put_item(agency_id, &simple("guide", "new", "nb", &["d"]))
                    .await
                    .map(|_| ())
            }));
        }
    }
    for t in tasks {
        t.await.expect("task").expect("concurrent write");
    }
    let page = store
        .list_items(&ItemFilter::default(), 1, 100)
        .await
        .expect("list");
    assert_eq!(page.total, 6 + 18);
    for id in items {
        let item = store.get_item(id).await.expect("get").expect("exists");
        // Concurrent updates of one item land in any order, but whole.
        assert_eq!(item.tags, vec!["c"]);
        assert!(
            ["u0", "u1", "u2"].contains(&item.title.as_str()),
            "{}",
            item.title
        );
    }
});

/// Races an update and two withdrawals of each of `rounds` items; returns
/// how many tombstones kept content and how many items were withdrawn twice.
async fn withdraw_race(store: Store, rounds: usize) -> (usize, usize) {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let (mut tombstones_with_content, mut withdrawn_twice) = (0, 0);
    for n in 0..rounds {
        let id = store
            .put_item(oslo.id, &simple("guide", &format!("i{n}"), "nb", &["a"]))
            .await
            .expect("put item")
            .id;
        let (s1, s2, s3) = (store.clone(), store.clone(), store.clone());
        let update = tokio::spawn(async move {
            s1.update_item(id, &simple("guide", "updated", "nb", &["b"]))
                .await
                .map(|_| ())
        });
        let delete1 = tokio::spawn(async move { s2.delete_item(id).await });
        let delete2 = tokio::spawn(async move { s3.delete_item(id).await });
        // Losing the race is fine (NotFound); other errors are not.
        for r in [update, delete1, delete2] {
            match r.await.expect("task") {
                Ok(()) | Err(StoreError::NotFound(_)) => {}
                Err(e) => panic!("racing writes failed: {e}"),
            }
        }
        let item = store.get_item(id).await.expect("get").expect("exists");
        assert!(item.deleted_at.is_some(), "a withdrawal succeeded");
        if !item.title.is_empty() || !item.tags.is_empty() {
            tombstones_with_content += 1;
        }
    }
    // Withdrawals are counted separately: one of two must be NotFound.
    for n in 0..rounds {
        let id = store
            .put_item(oslo.id, &simple("guide", &format!("d{n}"), "nb", &[]))
            .await
            .expect("put item")
            .id;
        let (s1, s2) = (store.clone(), store.clone());
        let a = tokio::spawn(async move { s1.delete_item(id).await });
        let b = tokio::spawn(async move { s2.delete_item(id).await });
        let (a, b) = (a.await.expect("task"), b.await.expect("task"));
        if a.is_ok() && b.is_ok() {
            withdrawn_twice += 1;
        }
    }
    (tombstones_with_content, withdrawn_twice)
}

/// An item withdrawn while it is being updated stays a tombstone without
/// content, and only one of two concurrent withdrawals succeeds. SQLite
/// serialises transactions on its single connection; PostgreSQL runs them
/// at once, where `update_item`/`delete_item` check `deleted_at` in a plain
/// SELECT and then UPDATE by id alone (a check-then-act race).
mod withdraw_race {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        common::run(
            common::Backend::Sqlite,
            common::Schema::Migrated,
            |store, _| async move {
                assert_eq!(withdraw_race(store, 20).await, (0, 0));
            },
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        common::run(
            common::Backend::Postgres,
            common::Schema::Migrated,
            |store, _| async move {
                assert_eq!(withdraw_race(store, 20).await, (0, 0));
            },
        )
        .await;
    }
}
