//! Per-host state: signature style and successes.

use chrono::{Duration, Utc};

both!(host_signature_style, |store| {
    use deling_store::queries::host::{SIGNATURE_CAVAGE, SIGNATURE_RFC9421};
    assert_eq!(
        store.get_host_signature_style("a.example").await.unwrap(),
        None
    );

    // Learnt for a host with no delivery record yet.
    store
        .put_host_signature_style("a.example", SIGNATURE_CAVAGE)
        .await
        .unwrap();
    let (style, at) = store
        .get_host_signature_style("a.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(style, SIGNATURE_CAVAGE);
    assert!((Utc::now() - at).num_seconds().abs() < 60, "{at}");

    // Delivery health and the style are kept apart: a failure keeps the
    // style, a new style keeps the failures.
    store
        .put_host_failure("a.example", "503", Utc::now() + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(
        store
            .get_host_signature_style("a.example")
            .await
            .unwrap()
            .map(|s| s.0),
        Some(SIGNATURE_CAVAGE.to_owned())
    );
    store
        .put_host_signature_style("a.example", SIGNATURE_RFC9421)
        .await
        .unwrap();
    let state = store.get_host_state("a.example").await.unwrap().unwrap();
    assert_eq!(state.consecutive_failures, 1);
    assert_eq!(state.signature_style.as_deref(), Some(SIGNATURE_RFC9421));
    // A success keeps it too.
    store.put_host_success("a.example").await.unwrap();
    assert_eq!(
        store
            .get_host_signature_style("a.example")
            .await
            .unwrap()
            .map(|s| s.0),
        Some(SIGNATURE_RFC9421.to_owned())
    );
    // Other hosts are untouched.
    assert_eq!(
        store.get_host_signature_style("b.example").await.unwrap(),
        None
    );
});
