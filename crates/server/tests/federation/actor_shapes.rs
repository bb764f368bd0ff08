//! Actors as other servers shape them: without `preferredUsername`
//! (application actors, bovine), and documents that are not actors.

use crate::{
    helpers::{Instance, eventually},
    peer::{FakeActor, FakePeer, fake_keys, public_pem},
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
            // A name that spoofs its direction is dropped, not stored.
            "type": "Application", "id": actor.id, "name": "Et\u{202E}exe.program",
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
    assert_eq!(stored.name, None);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_says_whether_it_may_be_found_by_search() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    b.followed_by(&eve, "oslo").await;
    let actor = |b: &Instance| {
        let req = b
            .client
            .get(b.actor_id("oslo"))
            .header("Accept", "application/activity+json");
        async move {
            req.send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    // Found by default: Mastodon 4.2+ searches only accounts that say so.
    let doc = actor(&b).await;
    assert_eq!(doc["indexable"], true, "{doc}");
    assert_eq!(doc["discoverable"], true, "{doc}");

    // Changing the profile is for the agency's admins (or an instance admin).
    let admin = b.staff_token("operator", true, None).await;
    let resp = b
        .send_as(
            &admin,
            reqwest::Method::PATCH,
            "/api/v1/agencies/oslo",
            Some(&json!({"indexable": false})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let view: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(view["indexable"], false, "{view}");
    assert_eq!(actor(&b).await["indexable"], false);
    // Followers' servers hear of it with the rest of the profile.
    eventually("the Update of the actor at eve's server", async || {
        peer.received_of("Update")
            .into_iter()
            .map(|r| r.json())
            .find(|u| u["object"]["indexable"] == false)
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    // null is not a choice.
    let resp = b
        .send_as(
            &admin,
            reqwest::Method::PATCH,
            "/api/v1/agencies/oslo",
            Some(&json!({"indexable": null})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embedded_actor_is_read_by_its_id() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Innebygd", &[]).await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let note_id = peer.url("/notes/embedded-1");
    // As Hubzilla and Streams send it: the actor embedded, not named.
    let create = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": eve.activity_id("create-embedded-1"), "type": "Create",
        "actor": {"id": eve.id, "type": "Person", "preferredUsername": "eve"},
        "object": {"id": note_id, "type": "Note", "attributedTo": eve.id,
            "inReplyTo": b.url(&format!("/items/{item}")),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": "<p>Fra Hubzilla.</p>"}});
    let resp = eve.post(&b.shared_inbox(), &create).send(&b.client).await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );
    eventually("the reply to be a comment", async || {
        let comments = b.comments(item).await;
        if comments.iter().any(|c| c["ap_id"] == note_id.as_str()) {
            Ok(())
        } else {
            Err(format!("{comments:?}"))
        }
    })
    .await;

    // An embedded actor that is not the signer is refused like a named one.
    let [_, k2] = fake_keys().await;
    let mallory = peer.actor("mallory", k2);
    let forged = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": mallory.activity_id("like-1"), "type": "Like",
        "actor": {"id": eve.id, "type": "Person"},
        "object": b.url(&format!("/items/{item}"))});
    let resp = mallory
        .post(&b.shared_inbox(), &forged)
        .send(&b.client)
        .await;
    assert!(resp.status().is_client_error(), "{}", resp.status());
}

/// An actor is fetched and stored before the signature naming it is
/// checked: what a peer pads it with must not be kept whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actors_oversized_fields_are_refused_or_cut() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let [k1, k2] = fake_keys().await;
    let doc = |name: &str, pem: String, extra: serde_json::Value| {
        let id = peer.url(&format!("/actors/{name}"));
        let mut doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "type": "Person", "id": id, "preferredUsername": name,
            "inbox": format!("{id}/inbox"),
            "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
        });
        for (k, v) in extra.as_object().expect("object") {
            doc[k] = v.clone();
        }
        peer.serve(&format!("/actors/{name}"), doc);
        FakeActor {
            key_id: format!("{id}#main-key"),
            id,
            key: if name == "padded" {
                k1.clone()
            } else {
                k2.clone()
            },
        }
    };
    let follow = |actor: &FakeActor| {
        json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": actor.activity_id("follow-1"), "type": "Follow",
            "actor": actor.id, "object": b.actor_id("oslo")})
    };

    // A key followed by 300 KB of something else: refused, and not stored
    // (whitespace around a key is trimmed, see below).
    let padded = doc(
        "padded",
        format!("{}{}", public_pem(k1), "A".repeat(300_000)),
        json!({}),
    );
    let resp = padded
        .post(&b.shared_inbox(), &follow(&padded))
        .send(&b.client)
        .await;
    assert!(resp.status().is_client_error(), "{}", resp.status());
    assert!(
        b.store
            .get_remote_actor_by_ap_id(&padded.id)
            .await
            .unwrap()
            .is_none()
    );

    // A key padded with newlines, a 200 KB profile text and a 50 KB
    // profile link (all within the 1 MiB a fetch may read): the actor is
    // taken, its key trimmed, its text cut and its link dropped.
    let long_url = format!("https://peer.example/{}", "p".repeat(50_000));
    let wordy = doc(
        "wordy",
        format!("{}{}", public_pem(k2), "\n".repeat(100_000)),
        json!({"summary": format!("<p>{}</p>", "ord ".repeat(50_000)),
               "url": long_url, "icon": {"type": "Image", "url": long_url}}),
    );
    let resp = wordy
        .post(&b.shared_inbox(), &follow(&wordy))
        .send(&b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let stored = b
        .store
        .get_remote_actor_by_ap_id(&wordy.id)
        .await
        .unwrap()
        .expect("stored");
    let summary = stored.summary_html.expect("summary");
    assert!(summary.len() < 6_000, "{} bytes", summary.len());
    assert!(summary.starts_with("<p>ord ord"), "{summary:.40}");
    assert_eq!(stored.url, None);
    assert_eq!(stored.icon_url, None);
    assert_eq!(
        stored.public_key_pem.as_deref(),
        Some(public_pem(k2).trim())
    );
}

/// An actor fetched only because a request whose signature then failed
/// named it is not kept: anyone could otherwise have us store any number
/// of made-up actors. One known before such a request stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actor_named_by_a_failed_signature_is_not_kept() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let forged = FakeActor {
        id: eve.id.clone(),
        key_id: eve.key_id.clone(),
        key: k2.clone(),
    };
    let follow = |name: &str| {
        json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": eve.activity_id(name), "type": "Follow",
            "actor": eve.id, "object": b.actor_id("oslo")})
    };
    let stored = async || {
        b.store
            .get_remote_actor_by_ap_id(&eve.id)
            .await
            .unwrap()
            .is_some()
    };
    let resp = forged
        .post(&b.shared_inbox(), &follow("forged-1"))
        .send(&b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(!stored().await, "the actor of a forged request was kept");

    let resp = eve
        .post(&b.shared_inbox(), &follow("follow-1"))
        .send(&b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert!(stored().await);
    let resp = forged
        .post(&b.shared_inbox(), &follow("forged-2"))
        .send(&b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(stored().await, "a known actor was forgotten");
}
