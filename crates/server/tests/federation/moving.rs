//! Move: an agency moving to an agency on another Deling instance, whose
//! followers (on a third instance) follow it there; and Moves received
//! from a peer, acted on only when the new account lists the old one in
//! `alsoKnownAs` (Mastodon's rule, `app/lib/activitypub/activity/move.rb`).

use crate::{
    helpers::{Instance, eventually, json_body},
    peer::{FakeActor, FakePeer, fake_keys},
};
use deling_domain::handle::FollowTarget;
use deling_federation::activities::moving;
use deling_store::queries::audit::Audit;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn audit(action: &str, slug: &str) -> Audit {
    Audit::new(None, "test", action, slug)
}

fn follow_target(handle: &str) -> FollowTarget {
    FollowTarget::parse(handle).expect("a handle")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_moves_to_another_instance_and_its_followers_follow() {
    let (one, two, three) = tokio::join!(Instance::spawn(), Instance::spawn(), Instance::spawn());
    let a = one.agency("gamle").await;
    let b = two.agency("nye").await;
    three.agency("leser").await;
    let (a_id, b_id) = (one.actor_id("gamle"), two.actor_id("nye"));
    three.follow("leser", &one.handle("gamle")).await;
    three.wait_accepted("leser", &a_id).await;

    // The target does not list A yet: its server would refuse the Move.
    let one_fed = one.federation().await;
    let err = moving::move_agency(
        &a,
        &follow_target(&two.handle("nye")),
        audit("agency.move", "gamle"),
        &one_fed.to_request_data(),
    )
    .await
    .expect_err("a target without alsoKnownAs is refused");
    assert!(err.to_string().contains("alsoKnownAs"), "{err}");
    assert!(
        one.store
            .get_agency(a.id)
            .await
            .unwrap()
            .unwrap()
            .moved_to
            .is_none()
    );

    let two_fed = two.federation().await;
    moving::add_alias(
        &b,
        &follow_target(&one.handle("gamle")),
        audit("agency.alias_add", "nye"),
        &two_fed.to_request_data(),
    )
    .await
    .expect("alias added");
    let doc = two.get_activity_json("/agencies/nye").await;
    assert_eq!(doc["alsoKnownAs"], json!([a_id]), "{doc}");

    let (moved, target) = moving::move_agency(
        &a,
        &follow_target(&two.handle("nye")),
        audit("agency.move", "gamle"),
        &one_fed.to_request_data(),
    )
    .await
    .expect("the move");
    assert_eq!(target.row.ap_id, b_id);
    assert_eq!(moved.moved_to.as_deref(), Some(b_id.as_str()));
    let again = moving::move_agency(
        &moved,
        &follow_target(&two.handle("nye")),
        audit("agency.move", "gamle"),
        &one_fed.to_request_data(),
    )
    .await;
    assert!(again.is_err(), "a second move is refused");

    // The old actor stays readable and says where it went.
    let doc = one.get_activity_json("/agencies/gamle").await;
    assert_eq!(doc["movedTo"], b_id.as_str(), "{doc}");
    let audit_log = one.store.list_audit(10, 0).await.unwrap();
    assert!(
        audit_log
            .iter()
            .any(|e| e.action == "agency.move" && e.details["to"] == b_id.as_str())
    );

    // The follower on the third instance follows B, and no longer A.
    three.wait_accepted("leser", &b_id).await;
    eventually("leser's Follow of A to end", async || {
        match three.following_state("leser", &a_id).await {
            None => Ok(()),
            Some(s) => Err(s),
        }
    })
    .await;
    let leser = three.actor_id("leser");
    eventually("A to lose leser as a follower", async || {
        let ids = one.follower_ids("gamle").await;
        if ids.contains(&leser) {
            Err(format!("{ids:?}"))
        } else {
            Ok(())
        }
    })
    .await;
    assert!(two.follower_ids("nye").await.contains(&leser));

    // A publishes nothing new.
    let resp = one
        .send(
            reqwest::Method::POST,
            "/api/v1/agencies/gamle/items",
            Some(&crate::helpers::item_body("After the merger", &[])),
        )
        .await;
    let problem = json_body(resp, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("moved"),
        "{problem}"
    );
}

/// A fake account `name` whose document lists `aliases` in `alsoKnownAs`.
pub(super) fn account(
    peer: &FakePeer,
    name: &str,
    key: &rsa::RsaPrivateKey,
    aliases: &[&str],
) -> FakeActor {
    let actor = peer.actor(name, key);
    let path = format!("/actors/{name}");
    let mut doc = peer.doc(&path).expect("served");
    doc["alsoKnownAs"] = json!(aliases);
    peer.serve(&path, doc);
    actor
}

/// Makes agency `slug` follow `actor`, accepted.
async fn followed(i: &Instance, peer: &FakePeer, slug: &str, actor: &FakeActor) {
    i.follow(slug, &actor.id).await;
    let follow = eventually("the Follow at the peer", async || {
        peer.received_of("Follow")
            .into_iter()
            .map(|r| r.json())
            .find(|f| f["object"] == actor.id.as_str())
            .ok_or_else(|| format!("{:?}", peer.received()))
    })
    .await;
    let accept = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.activity_id(&format!("accept-{slug}-{}", actor.id.rsplit('/').next().unwrap_or_default())), "type": "Accept",
        "actor": actor.id, "object": follow});
    post(i, actor, &accept).await;
    i.wait_accepted(slug, &actor.id).await;
}

pub(super) async fn post(i: &Instance, actor: &FakeActor, activity: &Value) {
    let resp = actor
        .post(&i.shared_inbox(), activity)
        .send(&i.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{activity}");
}

pub(super) fn move_of(from: &FakeActor, to: &FakeActor, name: &str) -> Value {
    json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": from.activity_id(name), "type": "Move",
        "actor": from.id, "object": from.id, "target": to.id})
}

/// Waits until the stored activity `id` was processed, and returns its
/// status and error.
pub(super) async fn outcome(i: &Instance, id: &str) -> (String, Option<String>) {
    eventually(&format!("{id} processed"), async || {
        match i.store.get_inbox_activity(id).await.unwrap() {
            Some(row) if row.status != "pending" && row.status != "processing" => {
                Ok((row.status, row.last_error))
            }
            other => Err(format!("{other:?}")),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_from_a_peer_is_followed_only_when_the_new_account_lists_the_old() {
    let i = Instance::spawn().await;
    i.agency("flytter").await;
    let peer = FakePeer::spawn().await;
    let [k1, k2] = fake_keys().await;
    let old = peer.actor("old", k1);
    let new = account(&peer, "new", k2, &[&old.id]);
    let stray = peer.actor("stray", k1);
    let unrelated = account(&peer, "unrelated", k2, &[]);
    followed(&i, &peer, "flytter", &old).await;
    followed(&i, &peer, "flytter", &stray).await;

    // The new account does not list the old one: refused, with the reason.
    let refused = move_of(&stray, &unrelated, "move-stray");
    post(&i, &stray, &refused).await;
    let (status, error) = outcome(&i, refused["id"].as_str().unwrap()).await;
    assert_eq!(status, "failed");
    assert!(
        error
            .as_deref()
            .unwrap_or_default()
            .contains("does not list"),
        "{error:?}"
    );
    assert_eq!(
        i.following_state("flytter", &stray.id).await.as_deref(),
        Some("accepted")
    );
    assert_eq!(i.following_state("flytter", &unrelated.id).await, None);

    // An actor cannot move someone else.
    let hijack = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": stray.activity_id("hijack"), "type": "Move",
        "actor": stray.id, "object": old.id, "target": new.id});
    post(&i, &stray, &hijack).await;
    let (status, error) = outcome(&i, hijack["id"].as_str().unwrap()).await;
    assert_eq!(status, "failed");
    assert!(
        error
            .as_deref()
            .unwrap_or_default()
            .contains("object must be its actor"),
        "{error:?}"
    );

    // A proper Move: the agency follows the new account and undoes the old.
    let moved = move_of(&old, &new, "move-1");
    post(&i, &old, &moved).await;
    let (status, error) = outcome(&i, moved["id"].as_str().unwrap()).await;
    assert_eq!(status, "done", "{error:?}");
    let follow = eventually("a Follow of the new account", async || {
        peer.received_of("Follow")
            .into_iter()
            .map(|r| r.json())
            .find(|f| f["object"] == new.id.as_str())
            .ok_or_else(|| format!("{:?}", peer.received()))
    })
    .await;
    assert_eq!(follow["actor"], i.actor_id("flytter").as_str());
    eventually("an Undo of the old Follow", async || {
        peer.received_of("Undo")
            .into_iter()
            .map(|r| r.json())
            .find(|u| u["object"]["object"] == old.id.as_str())
            .ok_or_else(|| format!("{:?}", peer.received()))
    })
    .await;
    assert_eq!(
        i.following_state("flytter", &new.id).await.as_deref(),
        Some("pending")
    );
    assert_eq!(i.following_state("flytter", &old.id).await, None);

    // The same account moving again within the cool-down is refused.
    let again = move_of(&old, &new, "move-2");
    post(&i, &old, &again).await;
    let (status, error) = outcome(&i, again["id"].as_str().unwrap()).await;
    assert_eq!(status, "failed");
    assert!(
        error
            .as_deref()
            .unwrap_or_default()
            .contains("within 7 days"),
        "{error:?}"
    );
}
