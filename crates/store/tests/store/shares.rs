//! Shares (announces) of items and their undoing.

use crate::support::{agency, simple};

both!(shares, |store| {
    use deling_store::queries::{outbox::OutboxKind, share::Shared};
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let nav = agency(&store, "nav", "NAV").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Byggesak", "nb", &[]))
        .await
        .expect("item");
    let events = |kind: OutboxKind| {
        let store = store.clone();
        async move {
            store
                .list_pending_outbox_events(1000)
                .await
                .expect("events")
                .into_iter()
                .filter(|e| e.kind == kind)
                .map(|e| (e.agency_id, e.item_id, e.share_id))
                .collect::<Vec<_>>()
        }
    };

    let first = match store.put_share(nav.id, item.id).await.expect("share") {
        Shared::New(s) => s,
        other => panic!("expected a new share, got {other:?}"),
    };
    assert_eq!(
        (first.agency_id, first.item_id, first.undone_at),
        (nav.id, item.id, None)
    );
    assert_eq!(
        store.put_share(nav.id, item.id).await.expect("again"),
        Shared::Already(first.clone())
    );
    assert_eq!(
        events(OutboxKind::ShareCreate).await,
        vec![(Some(nav.id), Some(item.id), Some(first.id))]
    );
    assert_eq!(
        store
            .count_item_reactions(item.id)
            .await
            .expect("counts")
            .shares,
        1
    );
    let listed = store.list_item_shares(item.id).await.expect("list");
    assert_eq!(listed, vec![(first.clone(), nav.clone())]);
    assert_eq!(
        store
            .count_reactions_of(&[item.id])
            .await
            .expect("batch")
            .get(&item.id)
            .map(|c| c.shares),
        Some(1)
    );

    // Taken back: kept (its id answers 410), no longer counted.
    assert!(store.undo_share(nav.id, item.id).await.expect("undo"));
    assert!(!store.undo_share(nav.id, item.id).await.expect("undo again"));
    assert_eq!(
        events(OutboxKind::ShareUndo).await,
        vec![(Some(nav.id), Some(item.id), Some(first.id))]
    );
    let undone = store.get_share(first.id).await.expect("get").expect("kept");
    assert!(undone.undone_at.is_some());
    assert_eq!(
        store
            .count_item_reactions(item.id)
            .await
            .expect("counts")
            .shares,
        0
    );
    assert!(
        store
            .list_item_shares(item.id)
            .await
            .expect("list")
            .is_empty()
    );

    // Shared again: a new row and id.
    let second = match store.put_share(nav.id, item.id).await.expect("share") {
        Shared::New(s) => s,
        other => panic!("expected a new share, got {other:?}"),
    };
    assert_ne!(second.id, first.id);
    // The first stays, taken back: its Announce id answers 410 and a
    // queued Undo of it can still be built.
    let kept = store.get_share(first.id).await.expect("get").expect("kept");
    assert!(kept.undone_at.is_some());
    assert_eq!(
        store
            .get_active_share(nav.id, item.id)
            .await
            .expect("active"),
        Some(second.clone())
    );

    // Withdrawing the agency ends its shares, without Undo events.
    let undos = events(OutboxKind::ShareUndo).await.len();
    store.withdraw_agency(nav.id, None).await.expect("withdraw");
    assert_eq!(
        store
            .get_active_share(nav.id, item.id)
            .await
            .expect("active"),
        None
    );
    assert_eq!(
        store
            .count_item_reactions(item.id)
            .await
            .expect("counts")
            .shares,
        0
    );
    assert_eq!(events(OutboxKind::ShareUndo).await.len(), undos);
});

both!(nothing_hangs_on_a_withdrawn_item, |store| {
    use deling_store::StoreError;
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Trukket", "nb", &[]))
        .await
        .expect("item");
    // Looked up while still there, then withdrawn before the write: the
    // write itself refuses, and leaves nothing behind.
    store.delete_item(item.id).await.expect("withdraw");
    let events = store.list_pending_outbox_events(100).await.expect("events");
    let share = store.put_share(bergen.id, item.id).await;
    assert!(matches!(share, Err(StoreError::Conflict(_))), "{share:?}");
    let comment = store
        .put_agency_comment(item.id, bergen.id, None, "Hei", "<p>Hei</p>", None)
        .await;
    assert!(
        matches!(comment, Err(StoreError::Conflict(_))),
        "{comment:?}"
    );
    assert_eq!(
        store
            .list_pending_outbox_events(100)
            .await
            .expect("events")
            .len(),
        events.len()
    );
    assert_eq!(store.count_item_shares(item.id).await.expect("shares"), 0);
    // A live item still takes both.
    let live = store
        .put_item(oslo.id, &simple("guide", "Levende", "nb", &[]))
        .await
        .expect("item");
    store.put_share(bergen.id, live.id).await.expect("share");
    store
        .put_agency_comment(live.id, bergen.id, None, "Hei", "<p>Hei</p>", None)
        .await
        .expect("comment");
});
