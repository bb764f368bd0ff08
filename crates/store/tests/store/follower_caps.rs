//! Caps on one server's followers of one agency: the counts stop at each
//! cap, a follower already there passes (also past a cap lowered since),
//! an account sharing a follower's inbox adds no inbox, and each agency
//! and each server is counted apart; the Accept or the Reject is queued
//! with the decision.

use crate::support::{agency, remote_person};
use deling_store::{
    Store,
    queries::{
        follower_cap::{FollowOutcome, FollowerCaps},
        outbox::OutboxKind,
        remote_actor::RemoteActorData,
    },
    records::RemoteActor,
};

/// [`remote_person`], stored.
async fn actor(store: &Store, host: &str, name: &str, shared: bool) -> RemoteActor {
    store
        .put_remote_actor(remote_person(host, name, shared))
        .await
        .expect("actor")
}

const CAPS: FollowerCaps = FollowerCaps {
    per_host: 3,
    inboxes_per_host: 2,
};

async fn follow(store: &Store, agency_id: i64, who: &RemoteActor, n: usize) -> FollowOutcome {
    follow_within(store, agency_id, who, n, CAPS).await
}

async fn follow_within(
    store: &Store,
    agency_id: i64,
    who: &RemoteActor,
    n: usize,
    caps: FollowerCaps,
) -> FollowOutcome {
    let id = format!("{}/follows/{n}", who.ap_id);
    store
        .accept_follower_within(
            agency_id,
            who,
            &id,
            serde_json::json!({"id": id, "type": "Follow"}),
            caps,
        )
        .await
        .expect("follow")
}

both!(a_servers_followers_and_inboxes_are_capped, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;
    let mut shared = Vec::new();
    for name in ["a", "b", "c", "d"] {
        shared.push(actor(&store, "social.example", name, true).await);
    }
    for (n, who) in shared[..3].iter().enumerate() {
        assert_eq!(
            follow(&store, oslo.id, who, n).await,
            FollowOutcome::Accepted
        );
    }
    assert_eq!(
        follow(&store, oslo.id, &shared[3], 3).await,
        FollowOutcome::TooManyFollowers
    );
    // Already a follower: passes, at the cap as its server is.
    assert_eq!(
        follow(&store, oslo.id, &shared[0], 4).await,
        FollowOutcome::Accepted
    );
    assert_eq!(
        follow(&store, bergen.id, &shared[3], 5).await,
        FollowOutcome::Accepted
    );

    // Without shared inboxes, each follower is an inbox: the third is
    // one past that cap; an account whose inbox a follower already has
    // is not.
    let mut own = Vec::new();
    for name in ["g1", "g2", "g3"] {
        own.push(actor(&store, "gts.example", name, false).await);
    }
    for (n, who) in own[..2].iter().enumerate() {
        assert_eq!(
            follow(&store, oslo.id, who, 10 + n).await,
            FollowOutcome::Accepted
        );
    }
    assert_eq!(
        follow(&store, oslo.id, &own[2], 12).await,
        FollowOutcome::TooManyInboxes
    );
    let twin = store
        .put_remote_actor(RemoteActorData {
            inbox: own[0].inbox.clone(),
            ..remote_person("gts.example", "g1-twin", false)
        })
        .await
        .expect("twin");
    assert_eq!(
        follow(&store, oslo.id, &twin, 13).await,
        FollowOutcome::Accepted
    );

    // The caps lowered below what the servers have: their followers
    // following again keep their follows, anyone else is refused.
    let low = FollowerCaps {
        per_host: 1,
        inboxes_per_host: 1,
    };
    for (n, who) in [&shared[1], &own[1]].into_iter().enumerate() {
        assert_eq!(
            follow_within(&store, oslo.id, who, 20 + n, low).await,
            FollowOutcome::Accepted,
            "{}",
            who.ap_id
        );
    }
    let newcomer = actor(&store, "social.example", "e", true).await;
    assert_eq!(
        follow_within(&store, oslo.id, &newcomer, 22, low).await,
        FollowOutcome::TooManyFollowers
    );

    // Followers: what was accepted only; and an Accept or a Reject queued
    // for each decision.
    assert!(!store.is_follower(oslo.id, shared[3].id).await.unwrap());
    assert!(!store.is_follower(oslo.id, own[2].id).await.unwrap());
    assert_eq!(store.count_followers(oslo.id).await.unwrap(), 6);
    let events = store.list_pending_outbox_events(100).await.expect("events");
    let count = |kind: OutboxKind| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count(OutboxKind::FollowAccept), 10);
    assert_eq!(count(OutboxKind::FollowReject), 3);
});

both!(a_sites_host_names_share_its_caps, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    // One party, one wildcard DNS record, a host name for each account:
    // one site, so one cap of inboxes (2) and of followers (3).
    let mut many = Vec::new();
    for n in 1..=3 {
        many.push(actor(&store, &format!("a{n}.evil.example"), "x", false).await);
    }
    assert_eq!(many[0].site, "evil.example");
    assert_eq!(
        follow(&store, oslo.id, &many[0], 1).await,
        FollowOutcome::Accepted
    );
    assert_eq!(
        follow(&store, oslo.id, &many[1], 2).await,
        FollowOutcome::Accepted
    );
    assert_eq!(
        follow(&store, oslo.id, &many[2], 3).await,
        FollowOutcome::TooManyInboxes
    );
    // Names under a public suffix are parties of their own.
    for (n, host) in [
        "deling.oslo.kommune.no",
        "deling.bergen.kommune.no",
        "deling.tromso.kommune.no",
    ]
    .into_iter()
    .enumerate()
    {
        let peer = actor(&store, host, "kommunen", false).await;
        assert_eq!(
            follow(&store, oslo.id, &peer, 10 + n).await,
            FollowOutcome::Accepted,
            "{host}"
        );
    }
});

both_fresh!(actors_stored_without_a_site_get_theirs, |store, url| {
    use sea_orm::{ConnectionTrait, Database};
    store.migrate().await.expect("migrate");
    let a = actor(&store, "a1.evil.example", "x", false).await;
    let b = actor(&store, "social.example", "y", true).await;
    assert_eq!(store.fill_missing_sites(10).await.expect("fill"), 0);
    // As an older binary stores them while the migration runs.
    let db = Database::connect(&url).await.expect("connect");
    db.execute_unprepared("UPDATE remote_actor SET site = ''")
        .await
        .expect("clear");
    db.close().await.expect("close");
    assert_eq!(store.fill_missing_sites(1).await.expect("fill"), 1);
    assert_eq!(store.fill_missing_sites(10).await.expect("fill"), 1);
    assert_eq!(store.fill_missing_sites(10).await.expect("fill"), 0);
    let a = store.get_remote_actor(a.id).await.expect("a").expect("a");
    let b = store.get_remote_actor(b.id).await.expect("b").expect("b");
    assert_eq!(
        (a.site.as_str(), b.site.as_str()),
        ("evil.example", "social.example")
    );
});
