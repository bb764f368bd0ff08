//! Caps on one server's followers of one agency
//! (`federation.max_followers_per_host`, `federation.max_inboxes_per_host`):
//! a Follow past either is answered with a signed `Reject`, an account that
//! follows already keeps its follow, the caps hold per agency and per
//! server, and a server without shared inboxes (as GoToSocial) reaches the
//! inbox cap one follower at a time, while one with them does not.

use super::{
    agency_blocks::{follows, posted, settle},
    policy::follow,
};
use crate::{
    helpers::Instance,
    peer::{FakeActor, FakePeer, fake_keys, verify_received},
};
use serde_json::Value;

/// Serves `name` on `peer` as an account without a shared inbox, as
/// GoToSocial serves its accounts: deliveries to it go to its own inbox.
fn without_shared_inbox(peer: &FakePeer, name: &str, key: &rsa::RsaPrivateKey) -> FakeActor {
    let actor = peer.actor(name, key);
    let path = format!("/actors/{name}");
    let mut doc = peer.doc(&path).expect("the actor's document");
    doc.as_object_mut().expect("an object").remove("endpoints");
    peer.serve(&path, doc);
    actor
}

/// Waits until `peer` is sent a `kind` (`Accept` or `Reject`) of `follow`,
/// and checks it is signed with `agency_key_id`.
async fn answer(peer: &FakePeer, follow: &Value, kind: &str, agency_key_id: &str, pem: &str) {
    let got = posted(peer, kind, |o| o["id"] == follow["id"]).await;
    let doc = got.json();
    assert_eq!(doc["object"]["type"], "Follow", "{doc}");
    verify_received(&got, agency_key_id, pem).unwrap_or_else(|e| panic!("the {kind}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_past_a_servers_cap_are_rejected_and_the_rest_kept() {
    let (b, mastodon, gts) = tokio::join!(
        Instance::spawn_configured(|c| {
            c.federation.max_followers_per_host = 3;
            c.federation.max_inboxes_per_host = 2;
        }),
        FakePeer::spawn(),
        FakePeer::spawn()
    );
    let oslo = b.agency("oslo").await;
    let bergen = b.agency("bergen").await;
    let (oslo_id, bergen_id) = (b.actor_id("oslo"), b.actor_id("bergen"));
    let oslo_key = format!("{oslo_id}#main-key");
    let [k1, k2] = fake_keys().await;

    // Three accounts of a server with a shared inbox: one inbox among
    // them, under both caps.
    let shared: Vec<FakeActor> = ["a", "b", "c", "d"]
        .iter()
        .zip([k1, k2, k1, k2])
        .map(|(name, key)| mastodon.actor(name, key))
        .collect();
    for (n, actor) in shared[..3].iter().enumerate() {
        let f = follow(actor, &format!("f-{n}"), &oslo_id);
        settle(&b, actor, &f).await;
        answer(&mastodon, &f, "Accept", &oslo_key, &oslo.public_key_pem).await;
        assert!(follows(&b, oslo.id, actor).await, "{} follows", actor.id);
    }
    // The fourth is past the cap of followers: refused, and told so.
    let fourth = follow(&shared[3], "f-3", &oslo_id);
    settle(&b, &shared[3], &fourth).await;
    answer(
        &mastodon,
        &fourth,
        "Reject",
        &oslo_key,
        &oslo.public_key_pem,
    )
    .await;
    assert!(!follows(&b, oslo.id, &shared[3]).await);
    // A follower that follows again keeps its follow, past the cap as the
    // server is.
    let again = follow(&shared[0], "f-0-again", &oslo_id);
    settle(&b, &shared[0], &again).await;
    answer(&mastodon, &again, "Accept", &oslo_key, &oslo.public_key_pem).await;
    assert!(follows(&b, oslo.id, &shared[0]).await);
    // Another agency's followers are counted apart.
    let to_bergen = follow(&shared[3], "f-3-bergen", &bergen_id);
    settle(&b, &shared[3], &to_bergen).await;
    answer(
        &mastodon,
        &to_bergen,
        "Accept",
        &format!("{bergen_id}#main-key"),
        &bergen.public_key_pem,
    )
    .await;
    assert!(follows(&b, bergen.id, &shared[3]).await);

    // A server without shared inboxes: each follower is an inbox of its
    // own, and the third is past the cap of inboxes, though not of
    // followers; that server's count is its own, not the first one's.
    let own: Vec<FakeActor> = ["g1", "g2", "g3"]
        .iter()
        .zip([k1, k2, k1])
        .map(|(name, key)| without_shared_inbox(&gts, name, key))
        .collect();
    for (n, actor) in own[..2].iter().enumerate() {
        let f = follow(actor, &format!("g-{n}"), &oslo_id);
        settle(&b, actor, &f).await;
        answer(&gts, &f, "Accept", &oslo_key, &oslo.public_key_pem).await;
    }
    let third = follow(&own[2], "g-2", &oslo_id);
    settle(&b, &own[2], &third).await;
    let reject = posted(&gts, "Reject", |o| o["id"] == third["id"]).await;
    // To the refused account's own inbox, the only one it has.
    assert_eq!(reject.path, "/actors/g3/inbox");
    assert!(!follows(&b, oslo.id, &own[2]).await);

    // What oslo delivers goes to the three inboxes it accepted, once each.
    let mut expected = vec![
        gts.url("/actors/g1/inbox"),
        gts.url("/actors/g2/inbox"),
        mastodon.url("/inbox"),
    ];
    expected.sort();
    assert_eq!(
        b.store.list_follower_inboxes(oslo.id).await.unwrap(),
        expected
    );
}
