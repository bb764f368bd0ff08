//! Rotating an agency's own key: followers get an `Update` of the actor
//! with the new key, signed with the old one they hold (how Mastodon's
//! `ActivityPub::Activity::Update#update_account` takes a new key: it
//! verifies the signature with the key it has, then stores the key in the
//! embedded actor); later deliveries are signed with the new key; a peer
//! that refuses the old key gets the Update signed with the new one; and
//! after the grace period the old key signs nothing and is erased.

use crate::{
    helpers::{Instance, eventually},
    peer::{FakePeer, Received, SignatureStyle, fake_keys, verify_received},
};
use deling_federation::keys::{self, KeyPair};
use reqwest::header::ACCEPT;
use std::time::Duration;

async fn new_key() -> KeyPair {
    tokio::task::spawn_blocking(|| keys::generate().expect("generate a key pair"))
        .await
        .expect("key generation task")
}

/// Waits for the key-announcing `Update`s at the fake peer and returns them
/// once there are `n`.
async fn key_updates(peer: &FakePeer, n: usize) -> Vec<Received> {
    eventually("the key Update at the fake peer", async || {
        let got: Vec<Received> = peer
            .received_of("Update")
            .into_iter()
            .filter(|r| {
                r.json()["id"]
                    .as_str()
                    .is_some_and(|id| id.contains("/key-updates/"))
            })
            .collect();
        if got.len() >= n {
            Ok(got)
        } else {
            Err(format!("{:?}", peer.received()))
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_take_the_new_key_from_an_update_signed_with_the_old() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    let old = b.agency("oslo").await;
    let oslo = b.actor_id("oslo");
    let key_id = format!("{oslo}#main-key");
    a.follow("nav", &b.handle("oslo")).await;
    a.wait_accepted("nav", &oslo).await;
    let peer = FakePeer::spawn().await;
    let eve = peer.actor("eve", &fake_keys().await[0]);
    b.followed_by(&eve, "oslo").await;
    let cached = |store: deling_store::Store| {
        let oslo = oslo.clone();
        async move {
            store
                .get_remote_actor_by_ap_id(&oslo)
                .await
                .unwrap()
                .and_then(|r| r.public_key_pem)
        }
    };
    // Stored trimmed (see `objects::actors`).
    assert_eq!(
        cached(a.store.clone()).await.as_deref(),
        Some(old.public_key_pem.trim())
    );

    let new = new_key().await;
    let week = chrono::Utc::now() + chrono::Duration::days(7);
    let rotated = b
        .store
        .rotate_agency_key(
            old.id,
            new.public_key_pem.clone(),
            new.private_key_pem.clone(),
            week,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        rotated.previous_public_key_pem.as_deref(),
        Some(old.public_key_pem.as_str())
    );

    // The actor document names only the new key (Mastodon reads one).
    let doc: serde_json::Value = b
        .client
        .get(&oslo)
        .header(ACCEPT, "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["publicKey"]["id"], key_id.as_str(), "{doc}");
    assert_eq!(
        doc["publicKey"]["publicKeyPem"],
        new.public_key_pem.as_str()
    );

    let update = key_updates(&peer, 1).await.remove(0);
    let body = update.json();
    assert_eq!(body["actor"], oslo.as_str(), "{body}");
    assert_eq!(body["object"]["id"], oslo.as_str(), "{body}");
    assert_eq!(
        body["object"]["publicKey"]["publicKeyPem"],
        new.public_key_pem.as_str(),
        "{body}"
    );
    verify_received(&update, &key_id, &old.public_key_pem)
        .unwrap_or_else(|e| panic!("the Update is not signed with the old key: {e}"));
    assert!(verify_received(&update, &key_id, &new.public_key_pem).is_err());

    // The Deling follower replaced its copy of the key on that Update.
    eventually("A to hold oslo's new key", async || {
        let held = cached(a.store.clone()).await;
        if held.as_deref() == Some(new.public_key_pem.trim()) {
            Ok(())
        } else {
            Err(format!("{held:?}"))
        }
    })
    .await;

    // What follows is signed with the new key, and A accepts it.
    let item = b.publish("oslo", "Etter nøkkelbytet", &[]).await;
    let item_id = b.url(&format!("/items/{item}"));
    a.wait_remote_item(&item_id).await;
    let create = eventually("the Create at the fake peer", async || {
        peer.received_of("Create")
            .into_iter()
            .next()
            .ok_or_else(|| format!("{:?}", peer.received()))
    })
    .await;
    verify_received(&create, &key_id, &new.public_key_pem)
        .unwrap_or_else(|e| panic!("the Create is not signed with the new key: {e}"));
    assert!(verify_received(&create, &key_id, &old.public_key_pem).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_refuses_the_old_key_gets_the_update_signed_with_the_new() {
    let b = Instance::spawn().await;
    let old = b.agency("oslo").await;
    let key_id = format!("{}#main-key", b.actor_id("oslo"));
    let peer = FakePeer::spawn().await;
    let eve = peer.actor("eve", &fake_keys().await[1]);
    b.followed_by(&eve, "oslo").await;

    let new = new_key().await;
    // As a peer that fetched the actor after the rotation: it holds only
    // the new key and answers 401 to the old one.
    peer.accept_only_key(&key_id, &new.public_key_pem);
    b.store
        .rotate_agency_key(
            old.id,
            new.public_key_pem.clone(),
            new.private_key_pem.clone(),
            chrono::Utc::now() + chrono::Duration::days(7),
            None,
        )
        .await
        .unwrap();
    // The old key knocks twice (RFC 9421, then draft-cavage, both 401:
    // the style was not what failed), then the new key gets in.
    let got = key_updates(&peer, 3).await;
    let styles: Vec<_> = got.iter().map(Received::signature_style).collect();
    assert_eq!(
        styles,
        [
            SignatureStyle::Rfc9421,
            SignatureStyle::Cavage,
            SignatureStyle::Rfc9421
        ]
    );
    for r in &got[..2] {
        verify_received(r, &key_id, &old.public_key_pem)
            .unwrap_or_else(|e| panic!("first tries not signed with the old key: {e}"));
    }
    verify_received(&got[2], &key_id, &new.public_key_pem)
        .unwrap_or_else(|e| panic!("last try not signed with the new key: {e}"));
    // Delivered then: nothing more is tried.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(key_updates(&peer, 3).await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_grace_period_the_old_key_signs_nothing_and_is_erased() {
    let mut b = Instance::spawn_stoppable().await;
    let old = b.agency("oslo").await;
    let key_id = format!("{}#main-key", b.actor_id("oslo"));
    let peer = FakePeer::spawn().await;
    let eve = peer.actor("eve", &fake_keys().await[0]);
    b.followed_by(&eve, "oslo").await;

    // Rotated while the server is down, with a grace period that is over
    // before it is back: the queued Update survives the restart and goes
    // out signed with the new key.
    b.stop().await;
    let new = new_key().await;
    b.store
        .rotate_agency_key(
            old.id,
            new.public_key_pem.clone(),
            new.private_key_pem.clone(),
            chrono::Utc::now() + chrono::Duration::milliseconds(500),
            None,
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    b.restart().await;
    let update = key_updates(&peer, 1).await.remove(0);
    verify_received(&update, &key_id, &new.public_key_pem)
        .unwrap_or_else(|e| panic!("not signed with the new key: {e}"));
    assert!(verify_received(&update, &key_id, &old.public_key_pem).is_err());
    let agency = b.store.get_agency(old.id).await.unwrap().unwrap();
    assert_eq!(agency.previous_private_key_pem, None);
    assert_eq!(agency.previous_public_key_pem, None);
    assert_eq!(agency.previous_key_expires_at, None);

    // A grace period of nothing keeps nothing.
    let newer = new_key().await;
    let agency = b
        .store
        .rotate_agency_key(
            old.id,
            newer.public_key_pem.clone(),
            newer.private_key_pem.clone(),
            chrono::Utc::now(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(agency.previous_private_key_pem, None);
    let got = key_updates(&peer, 2).await;
    verify_received(&got[1], &key_id, &newer.public_key_pem)
        .unwrap_or_else(|e| panic!("not signed with the newest key: {e}"));
}
