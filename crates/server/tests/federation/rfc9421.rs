//! RFC 9421 HTTP Message Signatures over real HTTP: a fake peer signs with
//! its own implementation (`peer::Rfc9421Post`), and Deling must take what
//! Mastodon 4.5 and Fedify send and refuse what its rules refuse; and
//! Deling's deliveries knock with RFC 9421 first, then with draft-cavage
//! where that is refused, and remember per host what worked.

use crate::{
    helpers::{Instance, eventually},
    peer::{
        FakeActor, FakePeer, Received, SignatureStyle, fake_keys, public_pem,
        verify_fetched_rfc9421, verify_received,
    },
};
use chrono::Utc;
use deling_store::queries::{
    host::{SIGNATURE_CAVAGE, SIGNATURE_RFC9421},
    inbox::INBOX_PENDING,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Scene {
    b: Instance,
    peer: FakePeer,
    eve: FakeActor,
    mallory: FakeActor,
}

async fn scene() -> Scene {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let mallory = peer.actor("mallory", k2);
    Scene {
        b,
        peer,
        eve,
        mallory,
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

async fn accepted(b: &Instance, resp: reqwest::Response, id: &str) {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::ACCEPTED, "{id}: {text}");
    eventually(&format!("{id} processed"), async || {
        match b.store.get_inbox_activity(id).await.unwrap() {
            Some(row) if row.status != INBOX_PENDING => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
}

async fn refused(b: &Instance, resp: reqwest::Response, id: &str, why: &str) {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{id} ({why}): {text}");
    assert!(
        b.store.get_inbox_activity(id).await.unwrap().is_none(),
        "{id} ({why}) was stored although refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_signed_as_fedify_and_mastodon_sign_are_accepted() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let inbox = s.b.shared_inbox();

    // As Fedify signs: @method @target-uri @authority content-digest.
    let id = s.eve.activity_id("follow-fedify");
    let resp = s
        .eve
        .post_rfc9421(&inbox, &follow(&s.eve, &id, &oslo))
        .send(&s.b.client)
        .await;
    accepted(&s.b, resp, &id).await;
    eventually("eve among oslo's followers", async || {
        let ids = s.b.follower_ids("oslo").await;
        if ids.contains(&s.eve.id) {
            Ok(())
        } else {
            Err(format!("{ids:?}"))
        }
    })
    .await;

    // As Mastodon 4.5 requires: @method @target-uri content-type
    // content-digest, no alg (the RSA key means rsa-v1_5-sha256).
    let id = s.mallory.activity_id("follow-mastodon");
    let mut post = s.mallory.post_rfc9421(
        &format!("{}/inbox", s.b.actor_id("oslo")),
        &follow(&s.mallory, &id, &oslo),
    );
    post.components = vec!["@method", "@target-uri", "content-type", "content-digest"];
    post.alg = None;
    accepted(&s.b, post.send(&s.b.client).await, &id).await;

    // RSA-PSS with SHA-512, over @authority and @path instead of the URI.
    let id = s.eve.activity_id("like-pss");
    let like = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": id,
        "type": "Like", "actor": s.eve.id, "object": oslo});
    let mut post = s.eve.post_rfc9421(&inbox, &like);
    post.components = vec!["@method", "@authority", "@path", "content-digest"];
    post.alg = Some("rsa-pss-sha512");
    accepted(&s.b, post.send(&s.b.client).await, &id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_forged_and_stale_rfc9421_signatures_are_refused() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let inbox = s.b.shared_inbox();
    let act = |name: &str| {
        let id = s.eve.activity_id(name);
        (id.clone(), follow(&s.eve, &id, &oslo))
    };

    let (id, activity) = act("no-digest-covered");
    let mut post = s.eve.post_rfc9421(&inbox, &activity);
    post.components = vec!["@method", "@target-uri"];
    refused(&s.b, post.send(&s.b.client).await, &id, "body not covered").await;

    let (id, activity) = act("no-method");
    let mut post = s.eve.post_rfc9421(&inbox, &activity);
    post.components = vec!["@target-uri", "content-digest"];
    refused(
        &s.b,
        post.send(&s.b.client).await,
        &id,
        "method not covered",
    )
    .await;

    let (id, activity) = act("no-target");
    let mut post = s.eve.post_rfc9421(&inbox, &activity);
    post.components = vec!["@method", "@authority", "content-digest"];
    refused(&s.b, post.send(&s.b.client).await, &id, "path not covered").await;

    let (id, activity) = act("wrong-digest");
    let mut post = s.eve.post_rfc9421(&inbox, &activity);
    post.digest_of = Some(b"{}".to_vec());
    refused(
        &s.b,
        post.send(&s.b.client).await,
        &id,
        "digest of another body",
    )
    .await;

    let (id, activity) = act("stale");
    let mut post = s.eve.post_rfc9421(&inbox, &activity);
    post.created = Utc::now().timestamp() - 2 * 3600;
    refused(
        &s.b,
        post.send(&s.b.client).await,
        &id,
        "created two hours ago",
    )
    .await;

    let (id, activity) = act("ahead");
    let mut post = s.eve.post_rfc9421(&inbox, &activity);
    post.created = Utc::now().timestamp() + 2 * 3600;
    refused(
        &s.b,
        post.send(&s.b.client).await,
        &id,
        "created two hours ahead",
    )
    .await;

    // Signed for another server (or another inbox), replayed here.
    let (id, activity) = act("elsewhere");
    let mut post = s.eve.post_rfc9421(&inbox, &activity);
    post.target = Some("http://deling.example/inbox".into());
    refused(
        &s.b,
        post.send(&s.b.client).await,
        &id,
        "signed for another host",
    )
    .await;
    let (id, activity) = act("other-inbox");
    let mut post = s.eve.post_rfc9421(&inbox, &activity);
    post.target = Some(format!("{}/inbox", s.b.actor_id("oslo")));
    refused(
        &s.b,
        post.send(&s.b.client).await,
        &id,
        "signed for another inbox",
    )
    .await;

    // Eve's activity signed with mallory's key but eve's keyid.
    let (id, activity) = act("forged");
    let mut post = s.eve.post_rfc9421(&inbox, &activity);
    post.key = &s.mallory.key;
    refused(&s.b, post.send(&s.b.client).await, &id, "another key").await;

    // An algorithm we do not verify.
    let (id, activity) = act("hmac");
    let mut post = s.eve.post_rfc9421(&inbox, &activity);
    post.alg = Some("hmac-sha256");
    refused(&s.b, post.send(&s.b.client).await, &id, "hmac").await;

    // None of these came in through another door.
    assert!(!s.b.follower_ids("oslo").await.contains(&s.eve.id));
}

/// What the fake peer received of `kind`, in order, with its style.
fn received(peer: &FakePeer, kind: &str) -> Vec<(SignatureStyle, Received)> {
    peer.received_of(kind)
        .into_iter()
        .map(|r| (r.signature_style(), r))
        .collect()
}

async fn wait_for(peer: &FakePeer, kind: &str, n: usize) -> Vec<(SignatureStyle, Received)> {
    eventually(&format!("{n} {kind} at the fake peer"), async || {
        let got = received(peer, kind);
        if got.len() >= n {
            Ok(got)
        } else {
            Err(format!("{:?}", peer.received()))
        }
    })
    .await
}

async fn drained(b: &Instance) {
    b.deliveries_drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_verifies_rfc9421_gets_one_rfc9421_request() {
    let s = scene().await;
    let key_id = format!("{}#main-key", s.b.actor_id("oslo"));
    let oslo = s.b.store.get_agency_by_slug("oslo").await.unwrap().unwrap();
    s.b.followed_by(&s.eve, "oslo").await;
    wait_for(&s.peer, "Accept", 1).await;
    drained(&s.b).await;
    let accepts = received(&s.peer, "Accept");
    assert_eq!(accepts.len(), 1, "{:?}", s.peer.received());
    let (style, accept) = &accepts[0];
    assert_eq!(*style, SignatureStyle::Rfc9421);
    // Checked as Mastodon 4.5 checks, by code written for the test.
    verify_received(accept, &key_id, &oslo.public_key_pem)
        .unwrap_or_else(|e| panic!("the Accept: {e}; {:?}", accept.headers));
    let (stored, _) =
        s.b.store
            .get_host_signature_style(&s.peer.domain)
            .await
            .unwrap()
            .expect("the style is remembered");
    assert_eq!(stored, SIGNATURE_RFC9421);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cavage_only_peer_is_knocked_twice_once_then_signed_cavage() {
    let s = scene().await;
    let key_id = format!("{}#main-key", s.b.actor_id("oslo"));
    let oslo = s.b.store.get_agency_by_slug("oslo").await.unwrap().unwrap();
    s.b.followed_by(&s.eve, "oslo").await;
    wait_for(&s.peer, "Accept", 1).await;
    drained(&s.b).await;
    // Then the peer reads draft-cavage only (a downgrade, or another
    // server behind the same name): it answers a Signature it cannot read
    // with 401.
    s.peer.accept_only_style(SignatureStyle::Cavage);
    s.b.publish("oslo", "Veileder for innbyggerdialog", &["dialog"])
        .await;
    let creates = wait_for(&s.peer, "Create", 2).await;
    let styles: Vec<_> = creates.iter().map(|(style, _)| *style).collect();
    assert_eq!(styles, [SignatureStyle::Rfc9421, SignatureStyle::Cavage]);
    // Both knocks carry the same Create, each correctly signed.
    assert_eq!(creates[0].1.body, creates[1].1.body);
    for (_, r) in &creates {
        verify_received(r, &key_id, &oslo.public_key_pem)
            .unwrap_or_else(|e| panic!("{e}; {:?}", r.headers));
    }
    drained(&s.b).await;
    let (stored, _) =
        s.b.store
            .get_host_signature_style(&s.peer.domain)
            .await
            .unwrap()
            .expect("the style is remembered");
    assert_eq!(stored, SIGNATURE_CAVAGE);

    // Later deliveries to that host knock once, the cavage way.
    s.b.publish("oslo", "Veileder for klarspråk", &["klarspråk"])
        .await;
    wait_for(&s.peer, "Create", 3).await;
    drained(&s.b).await;
    let creates = received(&s.peer, "Create");
    let styles: Vec<_> = creates.iter().map(|(style, _)| *style).collect();
    assert_eq!(
        styles,
        [
            SignatureStyle::Rfc9421,
            SignatureStyle::Cavage,
            SignatureStyle::Cavage
        ],
        "{creates:?}"
    );
    verify_received(&creates[2].1, &key_id, &oslo.public_key_pem).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_fetches_may_be_signed_the_rfc9421_way() {
    let (b, peer) = tokio::join!(
        Instance::spawn_configured(|c| c.federation.require_signed_fetch = true),
        FakePeer::spawn()
    );
    b.agency("oslo").await;
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let mallory = peer.actor("mallory", k2);
    let oslo = b.actor_id("oslo");

    // As Fedify signs a fetch.
    let resp = eve.get_rfc9421(&oslo).send(&b.client).await;
    let status = resp.status();
    let doc: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["id"], oslo.as_str());

    // The path must be covered; the signature must be for this URL and
    // made with eve's key.
    let mut get = eve.get_rfc9421(&oslo);
    get.components = vec!["@method", "@authority"];
    assert_eq!(
        get.send(&b.client).await.status(),
        StatusCode::UNAUTHORIZED,
        "path not covered"
    );
    let mut get = eve.get_rfc9421(&oslo);
    get.target = Some(format!("{oslo}/followers"));
    assert_eq!(
        get.send(&b.client).await.status(),
        StatusCode::UNAUTHORIZED,
        "signed for another URL"
    );
    let mut get = eve.get_rfc9421(&oslo);
    get.key = &mallory.key;
    assert_eq!(
        get.send(&b.client).await.status(),
        StatusCode::UNAUTHORIZED,
        "another key"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_400_and_401_make_a_second_knock() {
    let s = scene().await;
    // Refused for another reason than the signature: knocking again the
    // cavage way would change nothing.
    s.peer.answer_posts_with(403);
    s.b.followed_by(&s.eve, "oslo").await;
    wait_for(&s.peer, "Accept", 1).await;
    drained(&s.b).await;
    let styles: Vec<_> = received(&s.peer, "Accept")
        .iter()
        .map(|(style, _)| *style)
        .collect();
    assert_eq!(styles, [SignatureStyle::Rfc9421]);
    // (The fetch of eve's actor, answered 200, taught that the host takes
    // RFC 9421; the 403s taught nothing else.)
    assert_ne!(
        s.b.store
            .get_host_signature_style(&s.peer.domain)
            .await
            .unwrap()
            .map(|s| s.0),
        Some(SIGNATURE_CAVAGE.to_owned()),
        "a 403 was taken for a refused signature"
    );

    // A 400 is a refusal of the signature as much as a 401.
    let s = scene().await;
    s.peer.answer_posts_with(400);
    s.b.followed_by(&s.eve, "oslo").await;
    let accepts = wait_for(&s.peer, "Accept", 2).await;
    drained(&s.b).await;
    let styles: Vec<_> = accepts.iter().map(|(style, _)| *style).collect();
    assert_eq!(styles, [SignatureStyle::Rfc9421, SignatureStyle::Cavage]);
    assert_eq!(received(&s.peer, "Accept").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_signed_fetches_knock_with_rfc9421_first() {
    let s = scene().await;
    let instance = s.b.store.get_instance().await.unwrap().unwrap();
    let key_id = format!("{}#main-key", s.b.url("/actor"));
    // Verifying eve's Follow makes B fetch her actor, signed by its
    // instance actor: RFC 9421, which this peer takes.
    s.b.followed_by(&s.eve, "oslo").await;
    let fetches = s.peer.fetched();
    let of_eve: Vec<&Received> = fetches.iter().filter(|r| r.path == "/actors/eve").collect();
    assert_eq!(of_eve.len(), 1, "{fetches:?}");
    assert_eq!(of_eve[0].signature_style(), SignatureStyle::Rfc9421);
    verify_fetched_rfc9421(of_eve[0], &key_id, &instance.public_key_pem)
        .unwrap_or_else(|e| panic!("B's fetch: {e}; {:?}", of_eve[0].headers));
    assert!(
        verify_fetched_rfc9421(of_eve[0], &key_id, &public_pem(&s.eve.key)).is_err(),
        "the check accepts any key"
    );
}
