//! Reports received from peers: counting a server's open ones.

use deling_store::queries::report::REPORT_OPEN;

both!(open_reports_are_counted_per_server, |store| {
    for (id, reporter) in [
        ("https://a.example/f/1", "https://a.example/actor"),
        ("https://a.example/f/2", "https://a.example/users/eve"),
        ("http://a.example:8080/f/3", "http://a.example:8080/actor"),
        ("https://aa.example/f/4", "https://aa.example/actor"),
        ("https://a_example/f/5", "https://a_example/actor"),
        ("https://b.a.example/f/6", "https://b.a.example/actor"),
    ] {
        store
            .put_report(id, reporter, "", vec![])
            .await
            .expect("report");
    }
    let count = async |host: &str, stop_at: u64| {
        store
            .count_open_reports_from_host(host, stop_at)
            .await
            .expect("count")
    };
    // Exactly the host (and port): not a longer name, a subdomain, or a
    // name `_` would match as a wildcard.
    assert_eq!(count("a.example", 100).await, 2);
    assert_eq!(count("a.example", 1).await, 1);
    assert_eq!(count("a.example:8080", 100).await, 1);
    assert_eq!(count("a_example", 100).await, 1);
    let open = store.list_reports(true, None, 100).await.expect("list");
    assert!(open.iter().all(|r| r.status == REPORT_OPEN));
    let first = open
        .iter()
        .find(|r| r.ap_id == "https://a.example/f/1")
        .expect("listed");
    assert!(store.resolve_report(first.id).await.expect("resolve"));
    assert_eq!(count("a.example", 100).await, 1);
});
