//! Actors as other servers shape them: without `preferredUsername`
//! (application actors, bovine), and documents that are not actors.

use crate::{
    helpers::{Instance, eventually},
    peer::{FakePeer, fake_keys, public_pem},
};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actor_without_a_username_can_follow() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let [k1, _] = fake_keys().await;
    let actor = peer.actor("app-7f3a", k1);
    // The same actor, as bovine serves it: no preferredUsername.
    peer.serve(
        "/actors/app-7f3a",
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "type": "Application", "id": actor.id, "name": "Et program",
            "inbox": format!("{}/inbox", actor.id),
            "publicKey": {"id": actor.key_id, "owner": actor.id, "publicKeyPem": public_pem(k1)},
        }),
    );
    let follow = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.activity_id("follow-1"), "type": "Follow",
        "actor": actor.id, "object": b.actor_id("oslo")});
    let resp = actor.post(&b.shared_inbox(), &follow).send(&b.client).await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );
    eventually("the nameless actor to follow oslo", async || {
        let ids = b.follower_ids("oslo").await;
        if ids.contains(&actor.id) {
            Ok(())
        } else {
            Err(format!("{ids:?}"))
        }
    })
    .await;
    // Its handle is made from its id.
    let stored = b
        .store
        .get_remote_actor_by_ap_id(&actor.id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored.preferred_username.as_deref(), Some("app-7f3a"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_something_that_is_not_an_actor_is_a_client_error() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    peer.serve(
        "/notes/1",
        json!({"@context": "https://www.w3.org/ns/activitystreams",
        "type": "Note", "id": peer.url("/notes/1"), "content": "ikke en aktør"}),
    );
    let resp = b
        .send(
            reqwest::Method::POST,
            "/api/v1/agencies/oslo/following",
            Some(&json!({"target": peer.url("/notes/1")})),
        )
        .await;
    assert!(
        resp.status().is_client_error(),
        "a Note as follow target: {} {}",
        resp.status(),
        resp.text().await.unwrap()
    );
}
