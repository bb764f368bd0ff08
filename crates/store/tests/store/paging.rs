//! Paging after a cursor: every item once, in order, while new ones are
//! published between pages, and through runs of items published at the
//! same instant.

use crate::support::{agency, simple};
use deling_store::{
    ItemCursor, ItemFilter, Origin, Store, queries::remote_actor::RemoteActorData,
    queries::remote_item::RemoteItemData,
};
use std::collections::HashSet;

/// Pages through `filter` `per_page` at a time, calling `between` after
/// each page; returns the ids in the order seen and the totals reported.
async fn walk<F, Fut>(
    store: &Store,
    filter: &ItemFilter,
    per_page: u64,
    mut between: F,
) -> (Vec<i64>, Vec<u64>)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (mut seen, mut totals) = (Vec::new(), Vec::new());
    let mut cursor: Option<ItemCursor> = None;
    for _ in 0..1000 {
        let slice = store
            .list_items_after(filter, cursor.as_ref(), per_page)
            .await
            .expect("page");
        assert!(slice.items.len() as u64 <= per_page);
        seen.extend(slice.items.iter().map(|i| i.id));
        totals.push(slice.total);
        // The text form is what clients carry between pages.
        cursor = match slice.next {
            Some(c) => Some(ItemCursor::parse(&c.to_string()).expect("cursor reads back")),
            None => return (seen, totals),
        };
        between().await;
    }
    panic!("paging did not end");
}

both!(cursor_pages_hold_still_while_items_arrive, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let mut before = Vec::new();
    for n in 0..23 {
        let item = simple("guide", &format!("Før {n}"), "nb", &[]);
        before.push(store.put_item(oslo.id, &item).await.expect("item").id);
    }
    // One in the middle withdrawn before paging starts: never listed.
    store.delete_item(before[11]).await.expect("withdraw");
    let expected: Vec<i64> = before
        .iter()
        .rev()
        .copied()
        .filter(|&id| id != before[11])
        .collect();

    let filter = ItemFilter::default();
    let mut added = 0u64;
    let (seen, totals) = walk(&store, &filter, 4, || {
        added += 1;
        let (store, n) = (store.clone(), added);
        async move {
            for k in 0..2 {
                let item = simple("guide", &format!("Ny {n}.{k}"), "nb", &[]);
                store.put_item(oslo.id, &item).await.expect("new item");
            }
        }
    })
    .await;
    assert_eq!(
        seen, expected,
        "each item once, newest first, none of the new ones"
    );
    // The totals follow the arrivals: 22 at first, two more per page.
    let want: Vec<u64> = (0..totals.len() as u64).map(|p| 22 + 2 * p).collect();
    assert_eq!(totals, want);
});

both!(cursor_pages_step_through_equal_times, |store| {
    let peer = store
        .put_remote_actor(RemoteActorData {
            ap_id: "https://peer.example/agencies/bergen".into(),
            actor_type: "Organization".into(),
            domain: "peer.example".into(),
            preferred_username: Some("bergen".into()),
            name: None,
            inbox: "https://peer.example/agencies/bergen/inbox".into(),
            shared_inbox: None,
            url: None,
            icon_url: None,
            summary_html: None,
            public_key_pem: None,
            followers: None,
            speaks_deling: true,
        })
        .await
        .expect("peer");
    // Ten items a peer says were published at one instant (to the
    // nanosecond, which SQLite keeps as given), and two later.
    let same = crate::support::ts("2026-11-01T12:00:00.123456789Z");
    let later = crate::support::ts("2026-11-02T08:00:00Z");
    let mut ids = Vec::new();
    for n in 0..12 {
        let at = if n < 10 { same } else { later };
        let item = store
            .put_remote_item(RemoteItemData {
                ap_id: format!("https://peer.example/items/{n}"),
                remote_actor_id: peer.id,
                kind: "guide".into(),
                title: format!("Lik tid {n}"),
                summary: String::new(),
                body: String::new(),
                body_html: String::new(),
                language: "nb".into(),
                license: None,
                tags: vec![],
                links: vec![],
                metadata: serde_json::json!({}),
                based_on: None,
                url: None,
                published_at: at,
                updated_at: at,
            })
            .await
            .expect("remote item");
        ids.push(item.id);
    }
    let filter = ItemFilter {
        origin: Origin::Remote,
        ..Default::default()
    };
    for per_page in [1, 3, 5, 12, 20] {
        let (seen, totals) = walk(&store, &filter, per_page, || async {}).await;
        let unique: HashSet<i64> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "a duplicate at {per_page} a page");
        let mut want = vec![ids[11], ids[10]];
        want.extend(ids[..10].iter().rev());
        assert_eq!(seen, want, "{per_page} a page");
        assert!(totals.iter().all(|&t| t == 12));
    }
});
