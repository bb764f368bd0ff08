//! `deling serve` killed (SIGKILL) with deliveries queued, then killed
//! again in the middle of one, and started again on the same database:
//! nothing is lost.

use crate::{
    harness::{Site, deliveries, follow, holder_pid},
    helpers::{eventually, eventually_within},
    peer::FakePeer,
};
use chrono::Utc;
use deling_store::queries::delivery::{STATUS_DONE, STATUS_PENDING};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_survive_sigkill() {
    let started = Instant::now();
    let site = Site::sqlite().await;
    let peer = FakePeer::answering(503);
    follow(&site.store, site.agency.id, peer.follower("eve")).await;

    // 1. The follower is down: three Creates wait in the queue.
    let mut server = site.serve().await;
    let mut creates = Vec::new();
    for n in 1..=3 {
        let id = site.publish(&format!("Krasj {n}")).await;
        creates.push(site.create_id(id));
    }
    // Killed between rounds: all three queued, the host has failed, and
    // no row is leased (a failed probe releases its host's rows).
    eventually("three queued Creates and a failed probe", async || {
        let rows = deliveries(&site.store, &creates).await;
        let host = site.store.get_host_state(&peer.domain).await.unwrap();
        let ok = rows.len() == 3
            && rows
                .iter()
                .all(|r| r.status == STATUS_PENDING && r.locked_until.is_none())
            && host.as_ref().is_some_and(|h| h.consecutive_failures >= 1);
        if ok {
            Ok(())
        } else {
            Err(format!("{rows:?} {host:?}"))
        }
    })
    .await;
    server.sigkill();
    assert!(peer.posts().iter().all(|p| !p.accepted()));

    // 2. The follower is back but holds each request until the test lets
    // it go. Started again, the server claims the three (its host's probe
    // is due within seconds) and sends the first; it is killed while that
    // request is in flight (well within the sender's ten-second timeout).
    peer.answer(202, Duration::ZERO);
    peer.hold();
    let mut server = site.serve().await;
    let in_flight = eventually_within(
        Duration::from_secs(30),
        "a request to the holding inbox",
        async || {
            peer.posts()
                .into_iter()
                .find(|p| p.accepted())
                .ok_or_else(|| format!("{:?}", peer.posts().len()))
        },
    )
    .await;
    server.sigkill();
    let dead = server.pid;
    let rows = deliveries(&site.store, &creates).await;
    assert!(rows.iter().all(|r| r.status == STATUS_PENDING), "{rows:?}");
    let leased: Vec<_> = rows
        .iter()
        .filter(|r| holder_pid(r) == Some(dead))
        .collect();
    let in_flight_row = rows
        .iter()
        .find(|r| r.activity_id == in_flight.activity_id())
        .unwrap();
    assert_eq!(holder_pid(in_flight_row), Some(dead), "{rows:?}");
    // The lease (a minute, renewed before each send) outlives the process:
    // the rows it held wait that long before anyone sends them again.
    for r in &leased {
        let left = r.locked_until.unwrap() - Utc::now();
        assert!(left.num_seconds() > 30, "lease ends in {left}: {r:?}");
    }

    // 3. Started again with a fast inbox. The dead process's leases are
    // honoured (nothing is sent twice while they last) ...
    peer.open();
    let before = peer.posts().len();
    let _server = site.serve().await;
    // ... which shows once the new process has delivered a fourth Create
    // to the same inbox: the query that claimed it passed over the leased
    // rows, which are due and come first (same host, sent in order).
    let fourth = site.create_id(site.publish("Krasj 4").await);
    eventually_within(
        Duration::from_secs(30),
        "the fourth Create delivered",
        async || match site
            .store
            .list_deliveries_of(&fourth)
            .await
            .unwrap()
            .first()
        {
            Some(r) if r.status == STATUS_DONE => Ok(()),
            other => Err(format!("{other:?}")),
        },
    )
    .await;
    let sent: Vec<_> = peer.posts()[before..].to_vec();
    let leased_ids: Vec<&str> = leased.iter().map(|r| r.activity_id.as_str()).collect();
    assert!(
        sent.iter().all(|p| !leased_ids.contains(&p.activity_id())),
        "leased deliveries were sent again while leased: {sent:?}"
    );
    assert_eq!(
        sent.iter().filter(|p| p.activity_id() == fourth).count(),
        1,
        "{sent:?}"
    );
    let rows = deliveries(&site.store, &creates).await;
    for r in &leased {
        let row = rows.iter().find(|n| n.id == r.id).unwrap();
        assert_eq!(row.status, STATUS_PENDING, "{row:?}");
        assert_eq!(holder_pid(row), Some(dead), "{row:?}");
    }
    // ... and once they run out (simulated: a minute is too long for a
    // test), everything is delivered.
    site.store
        .execute_unprepared(&format!(
            "UPDATE delivery SET locked_until = NULL, locked_by = NULL \
             WHERE locked_by LIKE '{dead}-%'"
        ))
        .await
        .unwrap();
    eventually_within(
        Duration::from_secs(30),
        "all three delivered after the restart",
        async || {
            let rows = deliveries(&site.store, &creates).await;
            if rows.iter().all(|r| r.status == STATUS_DONE) {
                Ok(())
            } else {
                Err(format!("{rows:?}"))
            }
        },
    )
    .await;
    creates.push(fourth);
    let counts = peer.accepted_counts();
    for c in &creates {
        assert!(
            counts.get(c).is_some_and(|&n| n >= 1),
            "{c} lost: {counts:?}"
        );
    }
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    // Only the request in flight at the kill can arrive twice (the peer
    // had it, its answer was never read); receivers drop a repeated id.
    assert!(duplicates <= 1, "{counts:?}");
    if duplicates == 1 {
        assert_eq!(counts[in_flight.activity_id()], 2, "{counts:?}");
    }
    eprintln!(
        "crash test: {} Creates delivered, {duplicates} duplicate(s) (the request in flight at \
         SIGKILL), {} rows were leased by the dead process; {:?}",
        creates.len(),
        leased.len(),
        started.elapsed()
    );
}
