//! A failing host gets one request per retry round (a probe), not one per
//! waiting delivery; once it answers, everything waiting goes, once. A
//! signed activity from a failing host makes its deliveries due at once.

use crate::{
    harness::{deliveries, follow},
    helpers::{Instance, eventually, eventually_within},
    peer::{FakePeer, Post, fake_keys},
};
use chrono::Utc;
use deling_store::queries::delivery::{STATUS_DONE, STATUS_PENDING};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_host_is_probed_once_per_round() {
    let a = Instance::spawn().await;
    let oslo = a.agency("oslo").await;
    let peer = FakePeer::answering(500);
    follow(&a.store, oslo.id, peer.follower("eve")).await;

    let mut creates = Vec::new();
    for n in 1..=5 {
        let id = a
            .publish("oslo", &format!("Sonde {n}"), &["levering"])
            .await;
        creates.push(a.url(&format!("/items/{id}/create")));
    }
    // Two rounds of failure (the second a second after the first; the
    // third would come four seconds after that).
    eventually("two failed requests to the host", async || {
        let n = peer.posts().len();
        if n >= 2 {
            Ok(())
        } else {
            Err(format!("{n} requests"))
        }
    })
    .await;
    peer.answer(202, Duration::ZERO);
    // Every attempt is one request, and every failed request one failure
    // of the host (waiting for the last one to be recorded).
    let (failed, rows) = eventually("the failures recorded", async || {
        let failed: Vec<_> = peer.posts().into_iter().filter(|p| !p.accepted()).collect();
        let rows = deliveries(&a.store, &creates).await;
        let attempts: i32 = rows.iter().map(|r| r.attempts).sum();
        let host = a.store.get_host_state(&peer.domain).await.unwrap();
        let failures = host.as_ref().map_or(0, |h| h.consecutive_failures);
        let n = i32::try_from(failed.len()).unwrap();
        if rows.len() == 5 && attempts == n && failures == n {
            Ok((failed, rows))
        } else {
            Err(format!(
                "{} failed requests; host {host:?}; {rows:?}",
                failed.len()
            ))
        }
    })
    .await;
    let untouched = rows.iter().filter(|r| r.attempts == 0).count();
    // One probe per round. A delivery queued after the first failure is
    // due earlier than the probe that failed, so it may probe the second
    // round instead: at most two rows are tried, never more.
    assert!(untouched >= 3, "{rows:?}");
    eprintln!(
        "probing: {} failed requests, {} of 5 deliveries tried while failing",
        failed.len(),
        5 - untouched
    );
    assert!(rows.iter().all(|r| r.status == STATUS_PENDING), "{rows:?}");
    for pair in failed.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(800),
            "two requests to a failing host {gap:?} apart: {failed:?}"
        );
    }
    // The host recovers: the next probe succeeds and the rest follow in the
    // same round, each Create once.
    eventually("all five delivered", async || {
        let rows = deliveries(&a.store, &creates).await;
        if rows.iter().all(|r| r.status == STATUS_DONE) {
            Ok(())
        } else {
            Err(format!("{rows:?}"))
        }
    })
    .await;
    let counts = peer.accepted_counts();
    for c in &creates {
        assert_eq!(counts.get(c), Some(&1), "{c}: {counts:?}");
    }
    assert_eq!(counts.len(), 5, "{counts:?}");
    // Nothing failed once the host was back: every failed request came
    // before the first accepted one (the successful probe), and the five
    // accepted ones are all there were after it.
    let posts = peer.posts();
    let probe = posts.iter().position(Post::accepted).unwrap();
    assert_eq!(probe, failed.len(), "{posts:?}");
    assert!(posts[probe..].iter().all(Post::accepted), "{posts:?}");
    assert_eq!(posts.len() - probe, 5, "{posts:?}");
    // The rest followed the probe at once. Had they gone one per retry
    // round, as while the host was failing (rounds at least a second apart,
    // see the gaps above), the four after the probe would have taken four
    // seconds or more; five loopback requests take tens of milliseconds,
    // which leaves a very busy machine plenty of room below that.
    let spread = posts.last().unwrap().at - posts[probe].at;
    assert!(
        spread < Duration::from_secs(4),
        "the waiting deliveries did not follow the successful probe: {spread:?}"
    );
    let host = a.store.get_host_state(&peer.domain).await.unwrap().unwrap();
    assert_eq!(host.consecutive_failures, 0, "{host:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_activity_from_a_failing_host_makes_its_deliveries_due() {
    let a = Instance::spawn_configured(|c| c.federation.retry_base_seconds = 60).await;
    let oslo = a.agency("oslo").await;
    let peer = FakePeer::answering(500);
    let [key, _] = fake_keys().await;
    let (eve, row) = peer.signing_follower("eve", key);
    follow(&a.store, oslo.id, row).await;

    let id = a.publish("oslo", "Livstegn", &["levering"]).await;
    let item = a.url(&format!("/items/{id}"));
    let create = a.url(&format!("/items/{id}/create"));
    let host = eventually("the host to wait out its failure", async || {
        let host = a.store.get_host_state(&peer.domain).await.unwrap();
        match host {
            Some(h) if h.consecutive_failures == 1 => Ok(h),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    let wait = host.next_attempt_at.unwrap() - Utc::now();
    assert!(wait.num_seconds() >= 50, "next attempt in {wait}");

    // The host is back; it says so by sending a signed Like.
    peer.answer(202, Duration::ZERO);
    let like = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": eve.activity_id("like-1"),
        "type": "Like",
        "actor": eve.id,
        "object": item,
    });
    let started = Instant::now();
    let resp = eve.post(&a.shared_inbox(), &like).send(&a.client).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    // Without the sign of life the Create would wait for the host's retry,
    // at least fifty seconds away: half a minute is plenty for a busy
    // machine and still well short of that (the row's own times say the
    // same below).
    let done = eventually_within(
        Duration::from_secs(30),
        "the Create delivered after the host's sign of life",
        async || match a.store.list_deliveries_of(&create).await.unwrap().first() {
            Some(r) if r.status == STATUS_DONE => Ok(r.clone()),
            other => Err(format!("{other:?}")),
        },
    )
    .await;
    let took = started.elapsed();
    let retry = host.next_attempt_at.unwrap();
    let finished = done.finished_at.unwrap();
    assert!(
        finished + chrono::Duration::seconds(15) < retry,
        "delivered at {finished}, its retry was due at {retry}: {done:?}"
    );
    eprintln!("delivered {took:?} after the host's Like (its retry was {wait} away)");
    assert_eq!(peer.accepted_counts().get(&create), Some(&1));
    let host = a.store.get_host_state(&peer.domain).await.unwrap().unwrap();
    assert_eq!(host.consecutive_failures, 0, "{host:?}");
}

/// Only the signer's own server shows it is up by sending: an activity
/// another server relays says nothing of its actor's, so a relay cannot
/// wipe a failing host's backoff and have us send to it at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activity_relayed_for_a_failing_host_does_not_make_its_deliveries_due() {
    let a = Instance::spawn_configured(|c| c.federation.retry_base_seconds = 60).await;
    let oslo = a.agency("oslo").await;
    let peer = FakePeer::answering(500);
    let [key, relay_key] = fake_keys().await;
    let (eve, row) = peer.signing_follower("eve", key);
    follow(&a.store, oslo.id, row).await;
    let id = a.publish("oslo", "Stafett", &["levering"]).await;
    let item = a.url(&format!("/items/{id}"));
    eventually("the host to wait out its failure", async || {
        match a.store.get_host_state(&peer.domain).await.unwrap() {
            Some(h) if h.consecutive_failures == 1 => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;

    // Another server forwards a reply of eve's, as Mastodon forwards
    // replies; it signs the request itself.
    let relay_server = FakePeer::spawn().await;
    let relay = relay_server.actor("relay", relay_key);
    let create_id = eve.activity_id("create-relayed");
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": create_id, "type": "Create", "actor": eve.id,
        "object": {"id": peer.url("/notes/relayed"), "type": "Note",
            "attributedTo": eve.id, "inReplyTo": item,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": "<p>Videresendt</p>"},
    });
    let mut post = relay.post(&a.shared_inbox(), &create);
    post.key_id = relay.key_id.clone();
    let resp = post.send(&a.client).await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );
    let host = a.store.get_host_state(&peer.domain).await.unwrap().unwrap();
    assert_eq!(host.consecutive_failures, 1, "{host:?}");
    let wait = host.next_attempt_at.unwrap() - Utc::now();
    assert!(wait.num_seconds() >= 40, "next attempt in {wait}");
}
