//! The store's write mark (what the web's caches of public pages are kept
//! by) on both databases. A binary of its own: the mark counts the writes
//! of every store in the process, so other tests writing beside this one
//! would move it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "store/support.rs"]
#[allow(dead_code)]
mod support;

use deling_store::{ItemFilter, Store};
use deling_testkit::db::{Backend, Schema, run};
use std::time::Duration;
use support::{agency, simple};

/// The write mark once every writer connection is back in its pool
/// (returned by a task of its own just after a transaction ends); a guard
/// against hanging, not a timing.
async fn settled_mark(store: &Store) -> u64 {
    for _ in 0..10_000 {
        if let Some(mark) = store.write_mark() {
            return mark;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("a writer connection never came back");
}

/// Reads leave the mark alone (PostgreSQL has a read pool of its own for
/// that, as SQLite has), so cached pages keep between writes; a write
/// moves it.
async fn reads_leave_the_mark_alone(store: Store) {
    let a = agency(&store, "oslo", "Oslo kommune").await;
    let item = store
        .put_item(a.id, &simple("guide", "Mark", "nb", &["a"]))
        .await
        .expect("item");
    let before = settled_mark(&store).await;
    for _ in 0..5 {
        store.get_item(item.id).await.expect("read");
        store
            .list_items(&ItemFilter::default(), 1, 20)
            .await
            .expect("list");
    }
    assert_eq!(store.write_mark(), Some(before), "a read moved the mark");
    store
        .put_item(a.id, &simple("guide", "Another", "nb", &["a"]))
        .await
        .expect("write");
    assert!(settled_mark(&store).await > before, "a write left the mark");
}

// One test, both databases in turn: two tests would run side by side.
#[tokio::test]
async fn reads_leave_the_write_mark_alone() {
    run(Backend::Sqlite, Schema::Migrated, |store, _| {
        reads_leave_the_mark_alone(store)
    })
    .await;
    run(Backend::Postgres, Schema::Migrated, |store, _| {
        reads_leave_the_mark_alone(store)
    })
    .await;
}
