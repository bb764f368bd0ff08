//! Hostile and malformed signed requests to a Deling inbox, sent by a fake
//! peer that signs with its own draft-cavage implementation; and the
//! signatures Deling puts on what it sends, checked the way Mastodon does.

use crate::{
    helpers::{Instance, eventually},
    peer::{FakeActor, FakePeer, digest_header, fake_keys, send_raw, verify_received},
};
use chrono::{Duration as ChronoDuration, Utc};
use deling_store::queries::inbox::{INBOX_DONE, INBOX_FAILED};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// B with agency oslo and one item, and a fake peer with actors eve and
/// mallory (each with its own key).
struct Scene {
    b: Instance,
    peer: FakePeer,
    eve: FakeActor,
    mallory: FakeActor,
    item: i64,
}

async fn scene() -> Scene {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Kommenter meg", &["innspill"]).await;
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let mallory = peer.actor("mallory", k2);
    Scene {
        b,
        peer,
        eve,
        mallory,
        item,
    }
}

fn follow(actor: &FakeActor, id: &str, object: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "Follow",
        "actor": actor.id,
        "object": object,
    })
}

fn create_note(
    actor: &FakeActor,
    id: &str,
    note_id: &str,
    in_reply_to: &str,
    content: &str,
) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "Create",
        "actor": actor.id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": actor.id,
            "inReplyTo": in_reply_to,
            "content": content,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "published": Utc::now(),
        },
    })
}

/// Asserts a refusal (one of `statuses`) that left nothing in the inbox.
async fn assert_refused(b: &Instance, resp: reqwest::Response, id: &str, statuses: &[u16]) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    assert!(
        statuses.contains(&status),
        "{id}: status {status}, expected one of {statuses:?}; body: {text}"
    );
    assert!(
        b.store.get_inbox_activity(id).await.unwrap().is_none(),
        "{id} was stored although refused"
    );
}

/// Waits until the stored activity `id` has been processed; its status.
async fn processed(b: &Instance, id: &str) -> String {
    b.processed(id).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correctly_signed_follow_is_accepted_once() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let id = s.eve.activity_id("follow-1");
    let post = s.eve.post(&s.b.shared_inbox(), &follow(&s.eve, &id, &oslo));
    let headers = post.signed_headers();
    let resp = send_raw(&s.b.client, &post.inbox, &headers, &post.body).await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );
    assert!(s.b.store.get_inbox_activity(&id).await.unwrap().is_some());
    eventually("eve among oslo's followers", async || {
        let ids = s.b.follower_ids("oslo").await;
        if ids.contains(&s.eve.id) {
            Ok(())
        } else {
            Err(format!("{ids:?}"))
        }
    })
    .await;
    assert_eq!(processed(&s.b, &id).await, INBOX_DONE);
    let followers = s.b.get_json("/api/v1/agencies/oslo/followers").await;
    assert_eq!(
        followers[0]["handle"],
        format!("@eve@{}", s.peer.domain),
        "{followers}"
    );
    // The display name came as HTML and is kept as text.
    assert!(
        !followers[0]["name"]
            .as_str()
            .unwrap_or_default()
            .contains('<'),
        "{followers}"
    );

    // The very same request again (a replay within the hour): 202, ignored.
    let first = s.b.store.get_inbox_activity(&id).await.unwrap().unwrap();
    let resp = send_raw(&s.b.client, &post.inbox, &headers, &post.body).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let again = s.b.store.get_inbox_activity(&id).await.unwrap().unwrap();
    assert_eq!((again.id, again.received_at), (first.id, first.received_at));
    assert_eq!(again.status, INBOX_DONE);
    // Once something sent later has been processed, the replay has not
    // been (inbox rows are processed in arrival order), and no second
    // Accept went out.
    let marker = s.eve.activity_id("like-1");
    let like = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": marker,
        "type": "Like", "actor": s.eve.id, "object": s.b.url(&format!("/items/{}", s.item))});
    let resp = s
        .eve
        .post(&s.b.shared_inbox(), &like)
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    processed(&s.b, &marker).await;
    s.b.deliveries_drained().await;
    let accepts: Vec<_> = s
        .peer
        .received_of("Accept")
        .into_iter()
        .filter(|r| r.json()["object"]["id"] == id.as_str())
        .collect();
    assert_eq!(accepts.len(), 1, "Accepts of {id}: {accepts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outgoing_accept_and_follow_are_signed_by_the_agency() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let id = s.eve.activity_id("follow-accept");
    let resp = s
        .eve
        .post(&s.b.shared_inbox(), &follow(&s.eve, &id, &oslo))
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let accept = eventually("B's Accept at eve's inbox", async || {
        s.peer
            .received_of("Accept")
            .into_iter()
            .find(|r| r.json()["object"]["id"] == id.as_str())
            .ok_or_else(|| format!("{:?}", s.peer.received()))
    })
    .await;
    assert_eq!(accept.path, "/actors/eve/inbox");
    let doc = accept.json();
    assert_eq!(doc["actor"], oslo.as_str(), "{doc}");
    assert_eq!(doc["object"]["actor"], s.eve.id.as_str(), "{doc}");
    // Signed with oslo's own key (not the instance actor's).
    let agency = s.b.store.get_agency_by_slug("oslo").await.unwrap().unwrap();
    verify_received(&accept, &format!("{oslo}#main-key"), &agency.public_key_pem)
        .unwrap_or_else(|e| panic!("B's Accept: {e}"));
    let instance = s.b.store.get_instance().await.unwrap().unwrap();
    assert_ne!(instance.public_key_pem, agency.public_key_pem);
    assert!(
        verify_received(
            &accept,
            &format!("{oslo}#main-key"),
            &instance.public_key_pem
        )
        .is_err(),
        "the verifier accepts any key"
    );

    // A Follow from B to eve, signed with the following agency's key.
    s.b.agency("bergen").await;
    s.b.follow("bergen", &s.eve.id).await;
    let follow = eventually("B's Follow at eve's inbox", async || {
        s.peer
            .received_of("Follow")
            .into_iter()
            .next()
            .ok_or_else(|| format!("{:?}", s.peer.received()))
    })
    .await;
    let bergen = s.b.actor_id("bergen");
    assert_eq!(follow.json()["actor"], bergen.as_str());
    assert_eq!(follow.json()["object"], s.eve.id.as_str());
    let key =
        s.b.store
            .get_agency_by_slug("bergen")
            .await
            .unwrap()
            .unwrap();
    verify_received(&follow, &format!("{bergen}#main-key"), &key.public_key_pem)
        .unwrap_or_else(|e| panic!("B's Follow: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_stale_requests_are_refused() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let inbox = s.b.shared_inbox();

    // Digest does not match the body (the body was changed after signing).
    let id = s.eve.activity_id("tampered");
    let signed = follow(&s.eve, &id, &oslo);
    let mut post = s.eve.post(&inbox, &signed);
    post.digest_of = Some(post.body.clone());
    post.body = serde_json::to_vec(&follow(&s.eve, &id, &s.b.actor_id("bergen"))).unwrap();
    assert_refused(&s.b, post.send(&s.b.client).await, &id, &[401]).await;

    // Signed with a key that is not the one eve publishes.
    let id = s.eve.activity_id("wrong-key");
    let mut post = s.eve.post(&inbox, &follow(&s.eve, &id, &oslo));
    post.key = &s.mallory.key;
    assert_refused(&s.b, post.send(&s.b.client).await, &id, &[401]).await;

    // mallory's key and keyId, but the activity claims to be eve's.
    let id = s.eve.activity_id("impersonation");
    let mut post = s.eve.post(&inbox, &follow(&s.eve, &id, &oslo));
    post.key = &s.mallory.key;
    post.key_id = s.mallory.key_id.clone();
    assert_refused(&s.b, post.send(&s.b.client).await, &id, &[401]).await;

    // An activity id on another host than its actor: another port on the
    // same host name (activitypub_federation compares host names only)...
    let other = crate::helpers::free_port();
    let id = format!("http://localhost:{other}/activities/foreign-id");
    let resp = s
        .eve
        .post(&inbox, &follow(&s.eve, &id, &oslo))
        .send(&s.b.client)
        .await;
    assert_refused(&s.b, resp, &id, &[403]).await;
    // ...and another host name.
    let id = "http://elsewhere.example/activities/foreign-host".to_owned();
    let resp = s
        .eve
        .post(&inbox, &follow(&s.eve, &id, &oslo))
        .send(&s.b.client)
        .await;
    assert_refused(&s.b, resp, &id, &[403]).await;

    // Not signed at all (with a correct Digest).
    let id = s.eve.activity_id("unsigned");
    let body = serde_json::to_vec(&follow(&s.eve, &id, &oslo)).unwrap();
    let resp =
        s.b.client
            .post(&inbox)
            .header("Content-Type", "application/activity+json")
            .header("Digest", digest_header(&body))
            .body(body)
            .send()
            .await
            .unwrap();
    assert_refused(&s.b, resp, &id, &[400, 401]).await;

    // None of it made eve a follower.
    assert!(s.b.follower_ids("oslo").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_two_hours_old_is_refused() {
    let s = scene().await;
    let id = s.eve.activity_id("stale");
    let mut post = s.eve.post(
        &s.b.shared_inbox(),
        &follow(&s.eve, &id, &s.b.actor_id("oslo")),
    );
    post.date = Some(Utc::now() - ChronoDuration::hours(2));
    assert_refused(&s.b, post.send(&s.b.client).await, &id, &[400, 401]).await;
    assert!(s.b.follower_ids("oslo").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_missing_signatures_are_answered_401() {
    let s = scene().await;
    let id = s.eve.activity_id("stale-401");
    let mut post = s.eve.post(
        &s.b.shared_inbox(),
        &follow(&s.eve, &id, &s.b.actor_id("oslo")),
    );
    post.date = Some(Utc::now() - ChronoDuration::hours(2));
    assert_refused(&s.b, post.send(&s.b.client).await, &id, &[401]).await;

    let id = s.eve.activity_id("unsigned-401");
    let post = s.eve.post(
        &s.b.shared_inbox(),
        &follow(&s.eve, &id, &s.b.actor_id("oslo")),
    );
    let headers: Vec<_> = post
        .signed_headers()
        .into_iter()
        .filter(|(k, _)| k != "signature")
        .collect();
    let resp = send_raw(&s.b.client, &post.inbox, &headers, &post.body).await;
    assert_refused(&s.b, resp, &id, &[401]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_dated_two_hours_ahead_is_refused() {
    let s = scene().await;
    let id = s.eve.activity_id("future");
    let mut post = s.eve.post(
        &s.b.shared_inbox(),
        &follow(&s.eve, &id, &s.b.actor_id("oslo")),
    );
    post.date = Some(Utc::now() + ChronoDuration::hours(2));
    assert_refused(&s.b, post.send(&s.b.client).await, &id, &[400, 401]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_without_a_date_is_refused() {
    let s = scene().await;
    let id = s.eve.activity_id("undated");
    let mut post = s.eve.post(
        &s.b.shared_inbox(),
        &follow(&s.eve, &id, &s.b.actor_id("oslo")),
    );
    post.date = None;
    post.headers = vec!["(request-target)", "host", "digest"];
    assert_refused(&s.b, post.send(&s.b.client).await, &id, &[400, 401]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_that_does_not_cover_host_is_refused() {
    let s = scene().await;
    let id = s.eve.activity_id("hostless");
    let mut post = s.eve.post(
        &s.b.shared_inbox(),
        &follow(&s.eve, &id, &s.b.actor_id("oslo")),
    );
    post.headers = vec!["(request-target)", "date", "digest"];
    assert_refused(&s.b, post.send(&s.b.client).await, &id, &[400, 401]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_must_come_from_the_actors_own_server() {
    let s = scene().await;
    let item_url = s.b.url(&format!("/items/{}", s.item));
    let inbox = s.b.shared_inbox();

    // A Note whose id is on another server than eve's: acknowledged, then
    // refused by the worker; no comment.
    let id = s.eve.activity_id("create-foreign-note");
    let foreign_note = format!("http://localhost:{}/notes/1", crate::helpers::free_port());
    let resp = s
        .eve
        .post(
            &inbox,
            &create_note(&s.eve, &id, &foreign_note, &item_url, "Ikke min"),
        )
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(processed(&s.b, &id).await, INBOX_FAILED);

    // A Note attributed to somebody else: refused too.
    let id = s.eve.activity_id("create-misattributed");
    let mut activity = create_note(&s.eve, &id, &s.peer.url("/notes/2"), &item_url, "Falsk");
    activity["object"]["attributedTo"] = json!(s.mallory.id);
    let resp = s.eve.post(&inbox, &activity).send(&s.b.client).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(processed(&s.b, &id).await, INBOX_FAILED);

    // eve's own Note: stored, sanitised, attributed to eve.
    let id = s.eve.activity_id("create-own-note");
    let own_note = s.peer.url("/notes/3");
    let resp = s
        .eve
        .post(
            &inbox,
            &create_note(
                &s.eve,
                &id,
                &own_note,
                &item_url,
                "<p>Hei <script>alert(1)</script><b>oslo</b></p>",
            ),
        )
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(processed(&s.b, &id).await, INBOX_DONE);

    let comments = s.b.comments(s.item).await;
    assert_eq!(comments.len(), 1, "{comments:?}");
    let c = &comments[0];
    assert_eq!(c["ap_id"], own_note.as_str(), "{c}");
    assert_eq!(
        c["author"]["handle"],
        format!("@eve@{}", s.peer.domain),
        "{c}"
    );
    let html = c["content_html"].as_str().unwrap();
    assert!(html.contains("<b>oslo</b>"), "{html}");
    assert!(!html.contains("script"), "{html}");
}

/// A key taken from an actor document that does not own it: "trudy" serves
/// mallory's key as hers, with `owner` naming mallory. Signing as trudy
/// with that key must not pass, and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_from_an_actor_that_does_not_own_it_is_refused() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let inbox = s.b.shared_inbox();
    let trudy = s.peer.actor("trudy", &s.mallory.key);
    let mut doc = s.peer.doc("/actors/trudy").expect("trudy's document");
    doc["publicKey"]["owner"] = json!(s.mallory.id);
    doc["publicKey"]["id"] = json!(s.mallory.key_id);
    s.peer.serve_doc("/actors/trudy", doc);
    let id = trudy.activity_id("borrowed-key");
    let resp = trudy
        .post(&inbox, &follow(&trudy, &id, &oslo))
        .send(&s.b.client)
        .await;
    assert_refused(&s.b, resp, &id, &[401, 403]).await;
    assert!(
        s.b.store
            .get_remote_actor_by_ap_id(&trudy.id)
            .await
            .unwrap()
            .is_none(),
        "an actor whose key it does not own was stored"
    );
}

fn like(actor: &FakeActor, name: &str, object: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.activity_id(name),
        "type": "Like",
        "actor": actor.id,
        "object": object,
    })
}

/// A delivery signed for another server (its signed `Host` is not ours)
/// and replayed here within the Date window is refused, and so is the same
/// request with the real Host header but the other server's signed Host.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_signed_for_another_host_is_refused() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let id = s.eve.activity_id("meant-for-elsewhere");
    let mut post = s.eve.post(&s.b.shared_inbox(), &follow(&s.eve, &id, &oslo));
    post.host = Some("deling.elsewhere.example".to_owned());
    assert_refused(&s.b, post.send(&s.b.client).await, &id, &[401]).await;
    // The same host name on another port is another server too.
    post.host = Some(format!("localhost:{}", crate::helpers::free_port()));
    assert_refused(&s.b, post.send(&s.b.client).await, &id, &[401]).await;
    // Our own host, in another case, is still ours.
    post.host = Some(s.b.domain.to_ascii_uppercase());
    let resp = post.send(&s.b.client).await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );
}

/// The per-host inbox budget counts deliveries by the verified signer's
/// host: naming a key on another host in `keyId` neither passes the
/// signature check (the key must be the signer's) nor opens a fresh budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_host_limit_cannot_be_dodged_by_varying_key_id() {
    let (b, peer) = tokio::join!(
        Instance::spawn_configured(|c| c.limits.inbox_per_host_per_minute = 2),
        FakePeer::spawn()
    );
    b.agency("oslo").await;
    let item = b.publish("oslo", "Lik meg", &["lik"]).await;
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let mallory = peer.actor("mallory", k2);
    let object = b.url(&format!("/items/{item}"));
    let inbox = b.shared_inbox();
    let mut accepted = 0;
    for n in 0..6 {
        let mut post = eve.post(&inbox, &like(&eve, &format!("like-{n}"), &object));
        post.key_id = format!("http://host{n}.example/actors/eve#main-key");
        let status = post.send(&b.client).await.status();
        assert!(
            [401, 429].contains(&status.as_u16()) || status == StatusCode::ACCEPTED,
            "{status}"
        );
        accepted += usize::from(status == StatusCode::ACCEPTED);
    }
    assert_eq!(accepted, 0, "deliveries under keys eve does not hold");
    // The host's budget of two is intact, and shared by its actors.
    for (actor, n) in [(&eve, 10), (&mallory, 11)] {
        let resp = actor
            .post(&inbox, &like(actor, &format!("like-{n}"), &object))
            .send(&b.client)
            .await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "like-{n}");
    }
    let id = eve.activity_id("like-12");
    let resp = eve
        .post(&inbox, &like(&eve, "like-12", &object))
        .send(&b.client)
        .await;
    assert_refused(&b, resp, &id, &[429]).await;
}

/// A peer that rotated its key is heard at once: a signature that does not
/// verify with the cached key makes Deling fetch the actor again, once; a
/// second failure soon after does not fetch it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_remote_key_is_refetched_once() {
    let s = scene().await;
    let object = s.b.url(&format!("/items/{}", s.item));
    let inbox = s.b.shared_inbox();
    let resp = s
        .eve
        .post(&inbox, &like(&s.eve, "before-rotation", &object))
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let fetches = |peer: &FakePeer| {
        peer.fetched()
            .iter()
            .filter(|r| r.path == "/actors/eve")
            .count()
    };
    let before = fetches(&s.peer);
    assert!(before >= 1);

    // eve's server now publishes a new key (mallory's) for eve.
    let rotated = s.peer.actor("eve", &s.mallory.key);
    let id = rotated.activity_id("after-rotation");
    let resp = rotated
        .post(&inbox, &like(&rotated, "after-rotation", &object))
        .send(&s.b.client)
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );
    assert!(s.b.store.get_inbox_activity(&id).await.unwrap().is_some());
    assert_eq!(fetches(&s.peer), before + 1, "eve refetched once");

    // The old key no longer verifies, and failing again does not make
    // Deling fetch eve again (anyone can send a bad signature).
    for n in 0..3 {
        let id = s.eve.activity_id(&format!("old-key-{n}"));
        let resp = s
            .eve
            .post(&inbox, &like(&s.eve, &format!("old-key-{n}"), &object))
            .send(&s.b.client)
            .await;
        assert_refused(&s.b, resp, &id, &[401]).await;
    }
    assert_eq!(fetches(&s.peer), before + 1, "eve refetched again");
}

/// A reply forwarded by another server (signed by that server, not by the
/// reply's author, as Mastodon forwards replies): the embedded copy is not
/// trusted, the Note is fetched from its author's server instead; a relayed
/// Delete counts only once the origin says the object is gone. Other
/// relayed activities are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_reply_is_verified_at_its_origin() {
    let s = scene().await;
    let relay_server = FakePeer::spawn().await;
    let relay = relay_server.actor("relay", &s.mallory.key);
    let item_url = s.b.url(&format!("/items/{}", s.item));
    let inbox = s.b.shared_inbox();

    // The author's server serves the real Note.
    let note_id = s.peer.url("/notes/forwarded");
    let mut real =
        create_note(&s.eve, "unused", &note_id, &item_url, "Ekte svar")["object"].clone();
    real["@context"] = json!("https://www.w3.org/ns/activitystreams");
    s.peer.serve_doc("/notes/forwarded", real);
    // The relay forwards a Create whose embedded copy says otherwise.
    let id = s.eve.activity_id("create-forwarded");
    let forwarded = create_note(&s.eve, &id, &note_id, &item_url, "Forfalsket svar");
    let mut post = relay.post(&inbox, &forwarded);
    post.key_id = relay.key_id.clone();
    let resp = post.send(&s.b.client).await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );
    assert_eq!(processed(&s.b, &id).await, INBOX_DONE);
    let comments = s.b.comments(s.item).await;
    assert_eq!(comments.len(), 1, "{comments:?}");
    let html = comments[0]["content_html"].as_str().unwrap();
    assert!(
        html.contains("Ekte svar") && !html.contains("Forfalsket"),
        "{html}"
    );
    assert_eq!(
        comments[0]["author"]["handle"],
        format!("@eve@{}", s.peer.domain)
    );

    // A forwarded reply its author's server does not have: no comment.
    let id = s.eve.activity_id("create-forwarded-missing");
    let missing = create_note(
        &s.eve,
        &id,
        &s.peer.url("/notes/nowhere"),
        &item_url,
        "Oppdiktet",
    );
    let resp = relay.post(&inbox, &missing).send(&s.b.client).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(processed(&s.b, &id).await, INBOX_FAILED);
    assert_eq!(s.b.comments(s.item).await.len(), 1);

    // A relayed Delete of the reply while its origin still serves it:
    // nothing is deleted.
    let delete = |name: &str| {
        json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": s.eve.activity_id(name), "type": "Delete", "actor": s.eve.id,
            "object": {"id": note_id, "type": "Tombstone"}})
    };
    let id = s.eve.activity_id("delete-forwarded-early");
    let resp = relay
        .post(&inbox, &delete("delete-forwarded-early"))
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(processed(&s.b, &id).await, INBOX_FAILED);
    assert_eq!(s.b.comments(s.item).await.len(), 1);
    // Once the origin answers with a Tombstone at that id, it is deleted.
    s.peer.serve_doc(
        "/notes/forwarded",
        json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": note_id, "type": "Tombstone", "formerType": "Note"}),
    );
    let id = s.eve.activity_id("delete-forwarded");
    let resp = relay
        .post(&inbox, &delete("delete-forwarded"))
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(processed(&s.b, &id).await, INBOX_DONE);
    assert!(s.b.comments(s.item).await.is_empty());

    // A relayed Like cannot be checked at any origin: refused.
    let id = s.eve.activity_id("like-relayed");
    let resp = relay
        .post(&inbox, &like(&s.eve, "like-relayed", &item_url))
        .send(&s.b.client)
        .await;
    assert_refused(&s.b, resp, &id, &[401]).await;
}
