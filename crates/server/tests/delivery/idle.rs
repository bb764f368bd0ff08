//! A host that waits out failures must not keep the worker busy: with a
//! delivery queued for it after its last failure, the worker still sleeps
//! until something is due that it may send.
//!
//! Measured on the `deling serve` child over two windows, before and after
//! the second delivery is queued: how often its threads woke up (voluntary
//! context switches, which a loaded machine does not inflate) and how much
//! CPU it used. A worker that polls instead of sleeping (every 50 ms, its
//! shortest nap) wakes thousands of times in a window and uses hundreds of
//! milliseconds of CPU; an idle one wakes a few dozen times (timers) and
//! uses next to none.

use crate::{
    harness::{Site, follow},
    helpers::eventually,
    peer::FakePeer,
};
use std::time::Duration;

/// Each measuring window.
const WINDOW: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_host_does_not_keep_the_worker_busy() {
    let site = Site::sqlite().await;
    let peer = FakePeer::answering(500);
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
        // The worker's round that recorded the failure (or queued the
        // delivery) is over by now.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (cpu, sleeps) = (server.cpu_time(), server.sleeps());
        tokio::time::sleep(WINDOW).await;
        (
            server.cpu_time().saturating_sub(cpu),
            server.sleeps().saturating_sub(sleeps),
        )
    };
    let (idle_cpu, idle_wakes) = measure().await;
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
    let (waiting_cpu, waiting_wakes) = measure().await;
    eprintln!(
        "over {WINDOW:?}: idle {idle_cpu:?} of CPU and {idle_wakes} wake-ups; with a delivery \
         waiting for its host {waiting_cpu:?} and {waiting_wakes}"
    );
    assert_eq!(peer.posts().len(), 1, "{:?}", peer.posts());
    assert!(
        site.store.list_deliveries_of(&first).await.unwrap()[0].attempts == 1,
        "the probe was retried early"
    );
    // A worker polling every 50 ms: 120 rounds of several queries each,
    // some 40 wake-ups a round (about 5000 here).
    assert!(
        waiting_wakes <= 2 * idle_wakes + 400,
        "the worker spins while the host waits: {waiting_wakes} wake-ups in {WINDOW:?} \
         (idle: {idle_wakes})"
    );
    // The same worker uses some 450 ms of CPU in the window here, more on a
    // slower machine.
    assert!(
        waiting_cpu <= idle_cpu + Duration::from_millis(300),
        "the worker spins while the host waits: {waiting_cpu:?} of CPU in {WINDOW:?} \
         (idle: {idle_cpu:?})"
    );
}
