//! What happens to an instance's background work when it stops.

use crate::helpers::Instance;
use deling_domain::item::{ItemContent, RawItem};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_run_until_stopped_stops_the_worker() {
    let mut a = Instance::spawn().await;
    a.agency("nav").await;
    a.abandon().await;
    // A round already under way when the future was dropped may finish;
    // what matters is that no new one starts.
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Something for a worker to do: an item written straight to the store
    // (its outbox event waits for the fan-out).
    let nav = a.store.get_agency_by_slug("nav").await.unwrap().unwrap();
    let content = ItemContent::parse(RawItem {
        kind: Some("guide".into()),
        title: Some("Skrevet rett i databasen".into()),
        summary: Some("Uten API.".into()),
        body: Some("Tekst.".into()),
        language: Some("nb".into()),
        tags: Some(vec![]),
        license: None,
        links: Some(vec![]),
        metadata: None,
        based_on: None,
    })
    .unwrap();
    a.store.put_item(nav.id, &content).await.unwrap();
    // A negative: give an orphaned worker ample time to show itself.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pending = a.store.list_pending_outbox_events(10).await.unwrap();
    assert_eq!(
        pending.len(),
        1,
        "a worker still runs after its run_until_stopped future was dropped"
    );
}
