//! Delivery leases renewed several at a time.

use chrono::{Duration, Utc};

both!(leases_are_renewed_only_for_rows_still_held, |store| {
    use deling_store::queries::delivery::NewDelivery;
    let delivery = |n: usize| NewDelivery {
        activity_id: format!("https://here.example/a/{n}"),
        agency_id: None,
        inbox: format!("https://peer.example/u/{n}/inbox"),
        host: "peer.example".to_owned(),
        body: "{}".to_owned(),
    };
    store
        .put_deliveries((0..4).map(delivery).collect())
        .await
        .expect("queue");
    let lease = Utc::now() + Duration::seconds(60);
    let mut rows = store
        .claim_deliveries("w1", 10, lease)
        .await
        .expect("claim");
    rows.sort_by_key(|r| r.id);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 4);
    // One is done, one given back and taken by another worker: w1 renews
    // the other two only.
    store.finish_delivery(ids[0]).await.expect("finish");
    store
        .release_deliveries("w1", &ids[1..2])
        .await
        .expect("release");
    let taken = store
        .claim_deliveries("w2", 10, lease)
        .await
        .expect("claim");
    assert_eq!(taken.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[1]]);
    let later = Utc::now() + Duration::seconds(300);
    let mut kept = store
        .renew_delivery_leases("w1", &ids, later)
        .await
        .expect("renew");
    kept.sort_unstable();
    assert_eq!(kept, ids[2..]);
    // The renewed lease is what the rows now carry; w2's is untouched.
    let all = store
        .list_deliveries_of("https://here.example/a/2")
        .await
        .expect("list");
    let until = all[0].locked_until.expect("leased");
    assert!(
        (until - later).num_seconds().abs() <= 1,
        "{until} vs {later}"
    );
    let w2 = store
        .list_deliveries_of("https://here.example/a/1")
        .await
        .expect("list");
    assert!(w2[0].locked_until.expect("leased") < later - Duration::seconds(100));
    assert!(
        store
            .renew_delivery_leases("w1", &[], later)
            .await
            .expect("nothing to renew")
            .is_empty()
    );
});
