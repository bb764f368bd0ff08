//! One slow peer must not stall federation (issue 8, part 1): with a
//! follower whose inbox answers in eight seconds and one that takes the
//! request and never answers, a fast follower still receives every new
//! item within two seconds of its publication, and signed Likes arriving
//! meanwhile are counted within two seconds; the slow follower's
//! deliveries all complete in the end, each once.

use crate::{
    harness::{deliveries, follow},
    helpers::{Instance, eventually_within},
    peer::{FakePeer, fake_keys},
};
use deling_store::queries::delivery::{STATUS_DONE, STATUS_PENDING};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// The bound the issue sets for the fast follower and for the likes.
const BOUND: Duration = Duration::from_secs(2);
/// How long the slow follower's inbox takes to answer (the request timeout
/// is ten seconds, so every one of its deliveries succeeds).
const SLOW: Duration = Duration::from_secs(8);
/// Items queued for the slow follower before the measured stream starts.
const BACKLOG: usize = 3;
/// Items published (and liked) while the slow follower is busy.
const STREAM: usize = 6;

/// How long after `since` `check` first held, polling every 20 ms, or
/// `None` if it did not within ten seconds (well past [`BOUND`], so that a
/// failure says how late things were rather than only that they were).
async fn latency(since: Instant, mut check: impl AsyncFnMut() -> bool) -> Option<Duration> {
    while since.elapsed() < Duration::from_secs(10) {
        if check().await {
            return Some(since.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_follower_holds_back_neither_others_nor_the_inbox() {
    let a = Instance::spawn().await;
    let oslo = a.agency("oslo").await;
    let slow = FakePeer::answering(202);
    slow.answer(202, SLOW);
    let silent = FakePeer::answering(202);
    silent.hold();
    let fast = FakePeer::answering(202);
    let [key, _] = fake_keys().await;
    let (eve, eve_row) = fast.signing_follower("eve", key);
    follow(&a.store, oslo.id, slow.follower("sam")).await;
    follow(&a.store, oslo.id, silent.follower("sid")).await;
    follow(&a.store, oslo.id, eve_row).await;
    let eve_inbox = "/actors/eve/inbox";

    // A backlog for the slow follower, and both slow peers busy with a
    // request before the measured stream starts.
    let mut creates = Vec::new();
    for n in 1..=BACKLOG {
        let id = a.publish("oslo", &format!("Kø {n}"), &["levering"]).await;
        creates.push(a.url(&format!("/items/{id}/create")));
    }
    eventually_within(
        Duration::from_secs(30),
        "both slow peers to have a request in hand",
        async || {
            let (s, q) = (slow.posts().len(), silent.posts().len());
            if s >= 1 && q >= 1 {
                Ok(())
            } else {
                Err(format!("slow {s}, silent {q}"))
            }
        },
    )
    .await;

    let mut report = Vec::new();
    for n in 1..=STREAM {
        let published = Instant::now();
        let id = a
            .publish("oslo", &format!("Straks {n}"), &["levering"])
            .await;
        let create = a.url(&format!("/items/{id}/create"));
        creates.push(create.clone());
        let like = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": eve.activity_id(&format!("like-{n}")),
            "type": "Like",
            "actor": eve.id,
            "object": a.url(&format!("/items/{id}")),
        });
        let liked = Instant::now();
        let resp = eve.post(&a.shared_inbox(), &like).send(&a.client).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "{like}");
        let counted = latency(liked, async || {
            a.store.count_item_reactions(id).await.unwrap().likes == 1
        })
        .await;
        let received = latency(published, async || {
            fast.posts_of(&create).iter().any(|p| p.path == eve_inbox)
        })
        .await;
        // When the post arrived, not when the poll saw it.
        let received = received.and_then(|_| {
            let post = fast.posts_of(&create).into_iter().next()?;
            Some(post.at.duration_since(published))
        });
        report.push((n, received, counted));
    }
    eprintln!("item n: (delivered to the fast follower, Like counted) after {report:?}");
    for (n, received, counted) in &report {
        assert!(
            received.is_some_and(|d| d <= BOUND),
            "item {n} reached the fast follower after {received:?} (bound {BOUND:?}): {report:?}"
        );
        assert!(
            counted.is_some_and(|d| d <= BOUND),
            "the Like of item {n} was counted after {counted:?} (bound {BOUND:?}): {report:?}"
        );
    }

    // The slow follower gets everything in the end, each item once (its
    // deliveries go one at a time, eight seconds each).
    let all = BACKLOG + STREAM;
    let bound = SLOW * u32::try_from(all).unwrap() + Duration::from_secs(60);
    eventually_within(bound, "every delivery to the slow follower", async || {
        let rows = deliveries(&a.store, &creates).await;
        let done = rows
            .iter()
            .filter(|r| r.host == slow.domain && r.status == STATUS_DONE)
            .count();
        if done == all {
            Ok(())
        } else {
            Err(format!("{done} of {all} done"))
        }
    })
    .await;
    let counts = slow.accepted_counts();
    for c in &creates {
        assert_eq!(counts.get(c), Some(&1), "{c}: {counts:?}");
    }
    let fast_counts = fast.accepted_counts();
    for c in &creates {
        assert_eq!(fast_counts.get(c), Some(&1), "{c}: {fast_counts:?}");
    }
    // The silent follower's deliveries are neither lost nor given up: they
    // wait for it (each attempt timed out after ten seconds).
    let rows = deliveries(&a.store, &creates).await;
    let silent_rows: Vec<_> = rows.iter().filter(|r| r.host == silent.domain).collect();
    assert_eq!(silent_rows.len(), all, "{silent_rows:?}");
    assert!(
        silent_rows.iter().all(|r| r.status == STATUS_PENDING),
        "{silent_rows:?}"
    );
    eprintln!(
        "slow follower done; the silent one took {} requests and answered none",
        silent.posts().len()
    );
}
