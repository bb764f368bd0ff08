//! A claimed delivery is this process's only while its lease lasts: once
//! the lease has run out another process may claim and send it, so this
//! one must have stopped by then. One delivery can take several requests
//! (RFC 9421 refused, then draft-cavage: the double knock; a key's
//! fallback), each up to the request timeout: together they are cut off
//! before the lease runs out, and the delivery is tried again later.
//!
//! The lease and the request timeout are shortened for the test (6 s and
//! 5 s; 60 s and up to 30 s as shipped), so that the second knock alone
//! would outlast what is left of the lease.

use crate::{
    harness::deliveries,
    helpers::{Instance, eventually},
    peer::{FakePeer, SignatureStyle},
};
use chrono::Utc;
use deling_federation::{
    context::{Config, http_client_with},
    delivery::Worker,
};
use deling_store::queries::delivery::{NewDelivery, STATUS_PENDING};
use std::time::Duration;

/// `federation` with a delivery lease of `lease`, a request timeout of
/// `request`, and retries an hour apart (so only the test claims again).
async fn with_lease(federation: &Config, lease: Duration, request: Duration) -> Config {
    let mut cx = federation.to_request_data().app_data().clone();
    cx.settings.http.delivery_lease = lease;
    cx.settings.http.request_timeout = request;
    cx.settings.http.connect_timeout = request;
    cx.settings.retry_base = Duration::from_secs(3600);
    cx.client = http_client_with(true, cx.settings.http).expect("a client");
    deling_federation::setup::build_config(cx)
        .await
        .expect("a federation configuration")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_knock_is_cut_off_before_the_lease_runs_out() {
    let mut a = Instance::spawn_stoppable().await;
    let federation = with_lease(
        &a.federation().await,
        Duration::from_secs(6),
        Duration::from_secs(5),
    )
    .await;
    a.stop().await;
    // A peer that takes only draft-cavage, and answers only when the test
    // lets it: the first knock is refused after 2 s, the second never.
    let peer = FakePeer::spawn().await;
    peer.accept_only_style(SignatureStyle::Cavage);
    peer.hold();
    let activity = a.url("/activities/lease/1");
    a.store
        .put_deliveries(vec![NewDelivery {
            activity_id: activity.clone(),
            agency_id: None,
            inbox: peer.url("/inbox"),
            host: peer.domain.clone(),
            body: "{}".into(),
        }])
        .await
        .unwrap();

    let worker = Worker::new(federation);
    let round = tokio::spawn(async move { worker.round().await });
    let first = eventually("the first knock", async || {
        let rows = deliveries(&a.store, std::slice::from_ref(&activity)).await;
        match (peer.posts().len(), rows[0].locked_until) {
            (1, Some(until)) => Ok(until),
            (n, until) => Err(format!("{n} posts, leased until {until:?}")),
        }
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    peer.release(1);
    eventually("the second knock", async || match peer.posts().len() {
        2 => Ok(()),
        n => Err(format!(
            "{n} posts: {:?}",
            deliveries(&a.store, std::slice::from_ref(&activity)).await
        )),
    })
    .await;

    // Once the lease has run out, the row is another process's to claim
    // if this one has not put it back: it must have.
    let after = first + chrono::Duration::milliseconds(300);
    if let Ok(wait) = (after - Utc::now()).to_std() {
        tokio::time::sleep(wait).await;
    }
    let taken = a
        .store
        .claim_deliveries(
            "another-process",
            10,
            Utc::now() + chrono::Duration::seconds(60),
        )
        .await
        .unwrap();
    assert!(
        taken.is_empty(),
        "claimable by another process while its second knock may still be in flight: {taken:?}"
    );
    let row = deliveries(&a.store, std::slice::from_ref(&activity)).await[0].clone();
    assert_eq!(row.status, STATUS_PENDING, "{row:?}");
    assert_eq!(row.attempts, 1, "tried again later: {row:?}");
    assert!(row.locked_until.is_none(), "{row:?}");
    peer.open();
    round.await.unwrap().unwrap();
    assert_eq!(peer.posts().len(), 2, "sent by one process, twice");
}
