//! Pinned items.

use crate::support::{agency, simple};
use deling_store::StoreError;

both!(five_pins_hold_under_concurrency, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let mut ids = Vec::new();
    for n in 0..12 {
        let item = store
            .put_item(
                oslo.id,
                &simple("guide", &format!("Veileder {n}"), "nb", &[]),
            )
            .await
            .expect("put item");
        ids.push(item.id);
    }
    // Twelve pins at the same moment, several rounds: never more than five.
    for round in 0..3 {
        let mut tasks = tokio::task::JoinSet::new();
        for &id in &ids {
            let store = store.clone();
            tasks.spawn(async move { store.pin_item(id, oslo.id).await });
        }
        let mut pinned = 0;
        while let Some(res) = tasks.join_next().await {
            match res.expect("task") {
                Ok(true) => pinned += 1,
                Err(StoreError::Conflict(_)) => {}
                other => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(pinned, 5, "round {round}");
        let listed = store.list_pinned_items(oslo.id).await.expect("pinned");
        assert_eq!(listed.len(), 5, "round {round}");
        for item in listed {
            assert!(store.unpin_item(item.id, oslo.id).await.expect("unpin"));
        }
    }
});
