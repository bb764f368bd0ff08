//! What an inbox's answer means for a delivery: 5xx, 401, 429 and a
//! refused connection are tried again (all but 401 counting against the
//! host); 403 is given up at once; 2xx ends it and clears the host's
//! failures.

use crate::{
    harness::{follow, refusing_port, row_to},
    helpers::{Instance, eventually},
    peer::FakePeer,
};
use deling_store::queries::{
    delivery::{STATUS_DONE, STATUS_FAILED, STATUS_PENDING},
    remote_actor::RemoteActorData,
};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_classified_retried_or_given_up() {
    let a = Instance::spawn().await;
    let oslo = a.agency("oslo").await;
    let flaky = FakePeer::answering(500);
    let forbidding = FakePeer::answering(403);
    let unauthorized = FakePeer::answering(401);
    let limiting = FakePeer::answering(429);
    // Nothing listens there: the port is bound (so nothing else can take
    // it while the test runs) but not listening, so connections to it are
    // refused.
    let (_reserved, port) = refusing_port();
    let nobody = format!("localhost:{port}");
    for server in [&flaky, &forbidding, &unauthorized, &limiting] {
        follow(&a.store, oslo.id, server.follower("eve")).await;
    }
    follow(
        &a.store,
        oslo.id,
        RemoteActorData {
            ap_id: format!("http://{nobody}/actors/eve"),
            inbox: format!("http://{nobody}/actors/eve/inbox"),
            domain: nobody.clone(),
            ..flaky.follower("eve")
        },
    )
    .await;

    let started = Instant::now();
    let id = a.publish("oslo", "Klassifisert", &["levering"]).await;
    let create = a.url(&format!("/items/{id}/create"));

    // The 500 inbox: a second attempt, and the host counts two failures;
    // then the inbox recovers (before the third attempt, 1 + 4 s later).
    let flaky_row = eventually("two attempts at the 500 inbox", async || {
        let row = row_to(&a.store, &create, &flaky.domain).await;
        let host = a.store.get_host_state(&flaky.domain).await.unwrap();
        match (&row, &host) {
            (Some(r), Some(h)) if r.attempts >= 2 && h.consecutive_failures >= 2 => Ok(r.clone()),
            _ => Err(format!("{row:?} {host:?}")),
        }
    })
    .await;
    flaky.answer(202, Duration::ZERO);
    assert_eq!(flaky_row.status, STATUS_PENDING, "{flaky_row:?}");
    assert!(
        flaky_row
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("500"),
        "{flaky_row:?}"
    );
    let host = a
        .store
        .get_host_state(&flaky.domain)
        .await
        .unwrap()
        .unwrap();
    assert!(host.next_attempt_at.is_some(), "{host:?}");
    assert!(
        host.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("500"),
        "{host:?}"
    );

    // 401 (to every signature tried): retried, but the host answered, so
    // it is not counted failing (signers.rs: only that agency waits).
    let row = eventually("a second attempt at the 401 inbox", async || match row_to(
        &a.store,
        &create,
        &unauthorized.domain,
    )
    .await
    {
        Some(r) if r.attempts >= 2 => Ok(r),
        other => Err(format!("{other:?}")),
    })
    .await;
    assert_eq!(row.status, STATUS_PENDING, "{row:?}");
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("401"),
        "{row:?}"
    );
    let state = a.store.get_host_state(&unauthorized.domain).await.unwrap();
    assert!(
        state.as_ref().is_none_or(|s| s.consecutive_failures == 0),
        "{state:?}"
    );

    // 429 and a refused connection: retried, and the host counts failures.
    for (host, what) in [(&limiting.domain, "429"), (&nobody, "")] {
        let row = eventually(
            &format!("a second attempt at {host} ({what})"),
            async || match row_to(&a.store, &create, host).await {
                Some(r) if r.attempts >= 2 => Ok(r),
                other => Err(format!("{other:?}")),
            },
        )
        .await;
        assert_eq!(row.status, STATUS_PENDING, "{row:?}");
        let error = row.last_error.clone().unwrap_or_default();
        assert!(!error.is_empty() && error.contains(what), "{row:?}");
        // The host's failure is recorded just after the delivery's retry.
        eventually(
            &format!("two failures recorded for {host}"),
            async || match a.store.get_host_state(host).await.unwrap() {
                Some(state) if state.consecutive_failures >= 2 => Ok(()),
                other => Err(format!("{other:?}")),
            },
        )
        .await;
    }
    assert!(unauthorized.posts_of(&create).len() >= 2);
    assert!(limiting.posts_of(&create).len() >= 2);

    // The 500 inbox, now answering 202: done, and the host is well again.
    let done = eventually(
        "the recovered inbox to take the Create",
        async || match row_to(&a.store, &create, &flaky.domain).await {
            Some(r) if r.status == STATUS_DONE => Ok(r),
            other => Err(format!("{other:?}")),
        },
    )
    .await;
    assert!(done.finished_at.is_some(), "{done:?}");
    // One attempt per request the inbox had: those answered 500 (at least
    // the two seen above; one more may have come before it recovered),
    // then the one it took.
    let posts = flaky.posts_of(&create);
    assert_eq!(
        usize::try_from(done.attempts).unwrap(),
        posts.len(),
        "{done:?} {posts:?}"
    );
    let failed = posts.iter().filter(|p| !p.accepted()).count();
    assert!(failed >= 2, "{posts:?}");
    assert!(posts[..failed].iter().all(|p| p.status == 500), "{posts:?}");
    assert!(posts[failed].accepted(), "{posts:?}");
    let host = a
        .store
        .get_host_state(&flaky.domain)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(host.consecutive_failures, 0, "{host:?}");
    assert_eq!(host.next_attempt_at, None, "{host:?}");
    assert!(host.last_success_at.is_some(), "{host:?}");
    assert_eq!(
        flaky.accepted_counts().get(&create),
        Some(&1),
        "{:?}",
        flaky.posts()
    );

    // The 403 inbox: given up at the first answer and never tried again,
    // by now several retry rounds later; its host is not counted failing.
    let refused = row_to(&a.store, &create, &forbidding.domain).await.unwrap();
    assert_eq!(refused.status, STATUS_FAILED, "{refused:?}");
    assert_eq!(refused.attempts, 1, "{refused:?}");
    assert!(
        refused
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("403"),
        "{refused:?}"
    );
    assert!(refused.finished_at.is_some(), "{refused:?}");
    assert_eq!(forbidding.posts().len(), 1, "{:?}", forbidding.posts());
    let state = a.store.get_host_state(&forbidding.domain).await.unwrap();
    assert!(
        state.as_ref().is_none_or(|s| s.consecutive_failures == 0),
        "{state:?}"
    );
    eprintln!("classification took {:?}", started.elapsed());
}
