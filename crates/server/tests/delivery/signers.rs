//! A peer that answers `401` to one agency's signatures (it cannot fetch
//! that agency's key, or refuses the agency) is up: the other agencies'
//! deliveries to it go on, and only the refused agency's wait behind its
//! oldest delivery there and are given up with it.

use crate::{
    harness::{follow, row_to},
    helpers::{Instance, eventually, eventually_within},
    peer::FakePeer,
};
use deling_store::queries::delivery::{STATUS_FAILED, STATUS_PENDING};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_refusing_one_agencys_signature_still_takes_the_others() {
    let a = Instance::spawn_configured(|c| c.federation.max_delivery_attempts = 4).await;
    let oslo = a.agency("oslo").await;
    let bergen = a.agency("bergen").await;
    let peer = FakePeer::spawn().await;
    // The peer holds bergen's key only: oslo's signatures get 401.
    peer.accept_only_key(
        &format!("{}#main-key", a.actor_id("bergen")),
        &bergen.public_key_pem,
    );
    for agency in [&oslo, &bergen] {
        follow(&a.store, agency.id, peer.follower("eve")).await;
    }

    let refused = a.url(&format!(
        "/items/{}/create",
        a.publish("oslo", "Avvist", &[]).await
    ));
    let taken = a.url(&format!(
        "/items/{}/create",
        a.publish("bergen", "Tatt imot", &[]).await
    ));
    let oslo_row = eventually("oslo's Create refused once", async || {
        match row_to(&a.store, &refused, &peer.domain).await {
            Some(r) if r.attempts >= 1 => Ok(r),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    assert_eq!(oslo_row.status, STATUS_PENDING, "{oslo_row:?}");
    assert!(
        oslo_row
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("401")),
        "{oslo_row:?}"
    );
    // The operator sees that the host refuses oslo.
    let stats = a.store.queue_stats().await.unwrap();
    assert!(
        stats
            .refused_signers
            .iter()
            .any(|r| r.host == peer.domain && r.agency.as_deref() == Some("oslo")),
        "{:?}",
        stats.refused_signers
    );
    // bergen's Create went through, and the host is not failing.
    eventually("bergen's Create taken", async || {
        match peer.accepted_counts().get(&taken) {
            Some(1) => Ok(()),
            other => Err(format!("{other:?} {:?}", peer.posts())),
        }
    })
    .await;
    let state = a.store.get_host_state(&peer.domain).await.unwrap();
    assert!(
        state
            .as_ref()
            .is_none_or(|s| s.consecutive_failures == 0 && s.next_attempt_at.is_none()),
        "{state:?}"
    );

    // oslo publishes again while its first Create waits: the second waits
    // behind it (never sent before it), and is given up with it.
    let second = a.url(&format!(
        "/items/{}/create",
        a.publish("oslo", "Avvist igjen", &[]).await
    ));
    // Queued while the first waits: it waits as long, to go after it.
    let waiting = row_to(&a.store, &refused, &peer.domain).await.unwrap();
    let queued = eventually("oslo's second Create queued", async || {
        row_to(&a.store, &second, &peer.domain)
            .await
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    if waiting.status == STATUS_PENDING {
        assert!(
            queued.next_attempt_at >= waiting.next_attempt_at,
            "{queued:?} {waiting:?}"
        );
    }
    // Its last attempt comes 1 + 4 + 16 s (and up to 10% more) after the
    // first.
    let oslo_row = eventually_within(
        Duration::from_secs(60),
        "oslo's Create given up",
        async || match row_to(&a.store, &refused, &peer.domain).await {
            Some(r) if r.status == STATUS_FAILED => Ok(r),
            other => Err(format!("{other:?}")),
        },
    )
    .await;
    assert_eq!(oslo_row.attempts, 4, "{oslo_row:?}");
    let second_row = eventually("oslo's second Create given up", async || {
        match row_to(&a.store, &second, &peer.domain).await {
            Some(r) if r.status == STATUS_FAILED => Ok(r),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    assert_eq!(second_row.attempts, 0, "{second_row:?}");
    assert!(
        second_row
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("the signer's oldest delivery") && e.contains("401")),
        "{second_row:?}"
    );
    // The first Create's four attempts each knocked twice (RFC 9421,
    // then draft-cavage); the second was never sent.
    assert_eq!(peer.posts_of(&refused).len(), 8, "{:?}", peer.posts());
    assert!(
        peer.posts_of(&refused).iter().all(|p| p.status == 401),
        "{:?}",
        peer.posts()
    );
    assert!(peer.posts_of(&second).is_empty(), "{:?}", peer.posts());

    // bergen's next item still goes straight through, and the host was
    // never counted failing.
    let later = a.url(&format!(
        "/items/{}/create",
        a.publish("bergen", "Fortsatt tatt imot", &[]).await
    ));
    eventually("bergen's later Create taken", async || {
        match peer.accepted_counts().get(&later) {
            Some(1) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let state = a.store.get_host_state(&peer.domain).await.unwrap();
    assert!(
        state.as_ref().is_none_or(|s| s.consecutive_failures == 0),
        "{state:?}"
    );
}
