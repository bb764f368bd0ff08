//! A host that waits out failures must not keep the worker busy: with a
//! delivery queued for it after its last failure, the worker still sleeps
//! until something is due that it may send.

use crate::{
    fake::FakeServer,
    harness::{Site, follow},
    helpers::eventually,
};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_host_does_not_keep_the_worker_busy() {
    let site = Site::sqlite().await;
    let peer = FakeServer::spawn(500);
    follow(&site.store, site.agency.id, peer.follower("eve")).await;
    let server = site
        .serve_with(&[("DELING_FEDERATION__RETRY_BASE_SECONDS", "60")])
        .await;
    let first = site.create_id(site.publish("Før").await);
    eventually("the host to wait out its failure", async || {
        match site.store.get_host_state(&peer.domain).await.unwrap() {
            Some(h) if h.consecutive_failures == 1 => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    let measure = async || {
        let before = server.cpu_time();
        tokio::time::sleep(Duration::from_secs(3)).await;
        server.cpu_time() - before
    };
    let idle = measure().await;
    // Another item for the waiting host: queued, and due "now", but not
    // to be sent before the host's next attempt, a minute away.
    let second = site.create_id(site.publish("Etter").await);
    eventually("the second Create queued", async || {
        match site
            .store
            .list_deliveries_of(&second)
            .await
            .unwrap()
            .first()
        {
            Some(_) => Ok(()),
            None => Err("not yet".to_owned()),
        }
    })
    .await;
    let waiting = measure().await;
    eprintln!("CPU over 3 s: {idle:?} idle, {waiting:?} with a delivery waiting for its host");
    assert_eq!(peer.posts().len(), 1, "{:?}", peer.posts());
    assert!(
        site.store.list_deliveries_of(&first).await.unwrap()[0].attempts == 1,
        "the probe was retried early"
    );
    assert!(
        waiting <= idle + Duration::from_millis(100),
        "the worker spins while the host waits: {waiting:?} of CPU in 3 s (idle: {idle:?})"
    );
}
