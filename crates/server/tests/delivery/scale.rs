//! Two processes on one PostgreSQL queue (`deling serve` and `deling
//! worker`): fifty followers with inboxes of their own each get a Create
//! exactly once; with the process holding the deliveries killed midway,
//! the other one finishes them once their lease has run out.
//!
//! Skipped with a note when PostgreSQL is unreachable, unless
//! `TEST_REQUIRE_POSTGRES=1`, which makes that a failure.

use crate::{
    harness::{Site, deliveries, follow, holder_pid},
    helpers::eventually_within,
    peer::FakePeer,
};
use chrono::Utc;
use deling_store::queries::delivery::{STATUS_DONE, STATUS_PENDING};
use deling_testkit::postgres::FreshDatabase;
use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

const FOLLOWERS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_the_queue_on_postgres() {
    let Some(db) = FreshDatabase::create("deling_delivery").await else {
        return;
    };
    // Dropped at the end, or by `db`'s own drop should the test panic
    // (`WITH (FORCE)` closes the children's connections, should any be
    // left).
    scale_out(db.url.clone()).await;
    db.drop_now().await;
}

/// Inbox path -> times `create` was taken there, for all fifty inboxes.
fn per_inbox(peer: &FakePeer, create: &str) -> BTreeMap<String, usize> {
    let mut counts = peer.accepted_by_inbox(create);
    for i in 0..FOLLOWERS {
        counts.entry(format!("/inbox/{i}")).or_insert(0);
    }
    counts
}

async fn all_done(site: &Site, create: &str, bound: Duration) {
    let creates = [create.to_owned()];
    eventually_within(bound, &format!("{create} delivered to all"), async || {
        let rows = deliveries(&site.store, &creates).await;
        let done = rows.iter().filter(|r| r.status == STATUS_DONE).count();
        if rows.len() == FOLLOWERS && done == FOLLOWERS {
            Ok(())
        } else {
            Err(format!("{done} of {} done", rows.len()))
        }
    })
    .await;
}

async fn scale_out(url: String) {
    let started = Instant::now();
    let site = Site::seed(url, None).await;
    let peer = FakePeer::answering(202);
    for i in 0..FOLLOWERS {
        follow(
            &site.store,
            site.agency.id,
            peer.follower_at(&format!("f{i}"), &format!("/inbox/{i}")),
        )
        .await;
    }
    let mut server = site.serve().await;
    let mut worker = site.worker().await;

    // One Create, fifty inboxes, two processes: each inbox gets it once.
    let first = site.create_id(site.publish("Til alle").await);
    all_done(&site, &first, Duration::from_secs(60)).await;
    let counts = per_inbox(&peer, &first);
    assert_eq!(counts.len(), FOLLOWERS, "{counts:?}");
    assert!(
        counts.values().all(|&n| n == 1),
        "not exactly once: {counts:?}"
    );
    let rows = deliveries(&site.store, std::slice::from_ref(&first)).await;
    assert!(rows.iter().all(|r| r.attempts == 1), "{rows:?}");
    eprintln!(
        "postgres: first Create to {FOLLOWERS} inboxes in {:?}",
        started.elapsed()
    );

    // The peer now holds each request until the test lets it through: nine
    // go, and the sender waits on the tenth for as long as the test needs.
    peer.hold();
    peer.release(9);
    let second = site.create_id(site.publish("Til alle igjen").await);
    eventually_within(
        Duration::from_secs(30),
        "ten requests of the second Create",
        async || {
            let n = peer.posts_of(&second).len();
            if n >= 10 { Ok(()) } else { Err(format!("{n}")) }
        },
    )
    .await;
    // Normally one process claimed all fifty (in turns of one host, up to
    // four at once); should both have claimed some, each has requests
    // held, and the one holding more rows is killed.
    let rows = deliveries(&site.store, std::slice::from_ref(&second)).await;
    let mut held: BTreeMap<u32, usize> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.status == STATUS_PENDING) {
        if let Some(pid) = holder_pid(r) {
            *held.entry(pid).or_default() += 1;
        }
    }
    let (&holder, _) = held
        .iter()
        .max_by_key(|&(_, n)| *n)
        .unwrap_or_else(|| panic!("no leased deliveries: {rows:?}"));
    let (killed, survivor) = if holder == server.pid {
        server.sigkill();
        ("deling serve", "deling worker")
    } else {
        assert_eq!(
            holder, worker.pid,
            "the lease holder is neither child: {rows:?}"
        );
        worker.sigkill();
        ("deling worker", "deling serve")
    };
    // Requests the peer had but had not answered when the process died.
    let in_flight: Vec<String> = peer.posts_of(&second)[9..]
        .iter()
        .map(|p| p.path.clone())
        .collect();
    let rows = deliveries(&site.store, std::slice::from_ref(&second)).await;
    let stranded: Vec<_> = rows
        .iter()
        .filter(|r| r.status == STATUS_PENDING && holder_pid(r) == Some(holder))
        .cloned()
        .collect();
    assert!(
        !stranded.is_empty(),
        "all delivered before the kill: {rows:?}"
    );
    // The lease is a minute (renewed before each send): until then the
    // survivor leaves the stranded rows alone ...
    for r in &stranded {
        let left = r.locked_until.unwrap() - Utc::now();
        assert!(left.num_seconds() > 30, "lease ends in {left}");
    }
    // ... (it finishes whatever else is waiting, its own held request
    // included, and no more) ...
    peer.open();
    eventually_within(
        Duration::from_secs(30),
        "the survivor to finish all but the stranded deliveries",
        async || {
            let rows = deliveries(&site.store, std::slice::from_ref(&second)).await;
            let pending: Vec<_> = rows.iter().filter(|r| r.status == STATUS_PENDING).collect();
            let left_alone = pending.len() == stranded.len()
                && pending.iter().all(|r| holder_pid(r) == Some(holder));
            if left_alone {
                Ok(())
            } else {
                Err(format!("{pending:?}"))
            }
        },
    )
    .await;
    // ... and once it has run out (simulated by ending it), finishes them.
    site.store
        .execute_unprepared(&format!(
            "UPDATE delivery SET locked_until = NULL, locked_by = NULL WHERE locked_by LIKE '{holder}-%'"
        ))
        .await
        .unwrap();
    all_done(&site, &second, Duration::from_secs(60)).await;
    let counts = per_inbox(&peer, &second);
    assert_eq!(counts.len(), FOLLOWERS, "{counts:?}");
    assert!(counts.values().all(|&n| n >= 1), "lost: {counts:?}");
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    // Only requests in flight at the kill may arrive twice (a host that
    // answered fast gets up to four at once, so there may be several).
    assert!(duplicates <= in_flight.len(), "{counts:?}");
    for (inbox, _) in counts.iter().filter(|&(_, &n)| n > 1) {
        assert!(
            in_flight.contains(inbox),
            "{inbox} twice, but not in flight at the kill ({in_flight:?}): {counts:?}"
        );
    }
    eprintln!(
        "postgres: killed {killed} after {} of {FOLLOWERS}; {survivor} finished {} stranded \
         deliveries; {duplicates} duplicate(s); {:?}",
        FOLLOWERS - stranded.len(),
        stranded.len(),
        started.elapsed()
    );
}
