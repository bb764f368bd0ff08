//! Authorized fetch (`federation.require_signed_fetch`): which GETs must be
//! signed, signed GETs as Mastodon and GoToSocial send them, and the
//! signatures on Deling's own fetches and deliveries, checked the way
//! Mastodon checks them.

use crate::{
    helpers::{Instance, content_type, eventually, json_body},
    peer::{
        FakeActor, FakePeer, Received, SignatureStyle, fake_keys, send_get, tamper_signature,
        verify_request,
    },
};
use chrono::{Duration as ChronoDuration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

const AP: &str = "application/activity+json";

/// An instance requiring signed fetches, with agency oslo and one item, and
/// a fake peer with actor eve.
struct Scene {
    b: Instance,
    peer: FakePeer,
    eve: FakeActor,
    item: i64,
}

async fn scene() -> Scene {
    let (b, peer) = tokio::join!(
        Instance::spawn_configured(|c| c.federation.require_signed_fetch = true),
        FakePeer::spawn()
    );
    b.agency("oslo").await;
    let item = b.publish("oslo", "Hent meg signert", &["signert"]).await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    Scene { b, peer, eve, item }
}

/// `GET url`, with `Accept: application/activity+json` if `ap`, unsigned.
async fn unsigned(b: &Instance, path: &str, ap: bool) -> reqwest::Response {
    let mut req = b.client.get(b.url(path));
    if ap {
        req = req.header("Accept", AP);
    }
    req.send().await.unwrap()
}

/// Asserts a 401 problem.
async fn assert_401(resp: reqwest::Response, what: &str) {
    let status = resp.status();
    let ct = content_type(&resp);
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: body {text}");
    assert!(
        ct.starts_with("application/problem+json"),
        "{what}: content type {ct:?}; body {text}"
    );
}

/// Asserts a 200 and returns the body.
async fn assert_200(resp: reqwest::Response, what: &str) -> (String, String) {
    let status = resp.status();
    let ct = content_type(&resp);
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::OK, "{what}: body {text}");
    (ct, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_activitypub_gets_are_refused_but_pages_and_discovery_stay_open() {
    let s = scene().await;
    let b = &s.b;
    let item = format!("/items/{}", s.item);

    // URLs that serve both: JSON asked for unsigned is refused, HTML is not.
    for path in ["/agencies/oslo", item.as_str()] {
        assert_401(unsigned(b, path, true).await, &format!("{path} as JSON")).await;
        let (ct, html) =
            assert_200(unsigned(b, path, false).await, &format!("{path} as HTML")).await;
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        assert!(
            html.contains("<html") || html.contains("<!DOCTYPE"),
            "{path}: {html}"
        );
    }
    // JSON-only URLs are checked whatever the client asks for.
    for path in [
        "/agencies/oslo/outbox",
        "/agencies/oslo/followers",
        "/agencies/oslo/following",
        "/agencies/oslo/featured",
        &format!("{item}/replies"),
    ] {
        assert_401(
            unsigned(b, path, false).await,
            &format!("{path} without Accept"),
        )
        .await;
        assert_401(unsigned(b, path, true).await, &format!("{path} as JSON")).await;
    }

    // The instance actor stays open: peers fetch it to check our signatures.
    let (ct, body) = assert_200(unsigned(b, "/actor", true).await, "/actor").await;
    assert!(ct.starts_with(AP), "/actor: {ct}");
    let actor: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(actor["id"], b.url("/actor").as_str(), "{actor}");
    assert!(actor["publicKey"]["publicKeyPem"].is_string(), "{actor}");

    // Discovery is not ActivityPub and stays open.
    let webfinger = format!("/.well-known/webfinger?resource=acct:oslo@{}", b.domain);
    let (_, jrd) = assert_200(unsigned(b, &webfinger, false).await, "WebFinger").await;
    assert!(jrd.contains(&b.actor_id("oslo")), "{jrd}");
    let links = b.get_json("/.well-known/nodeinfo").await;
    let href = links["links"][0]["href"].as_str().expect("a NodeInfo link");
    let resp = b.client.get(href).send().await.unwrap();
    let (_, nodeinfo) = assert_200(resp, "NodeInfo").await;
    assert!(nodeinfo.contains("\"software\""), "{nodeinfo}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_style_signed_gets_are_served() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");

    // `(request-target) host date accept`, rsa-sha256, no Digest.
    let resp = s.eve.get(&oslo).send(&s.b.client).await;
    let doc = json_body(resp, StatusCode::OK).await;
    assert_eq!(doc["id"], oslo.as_str(), "{doc}");
    assert_eq!(doc["type"], "Organization", "{doc}");

    // A JSON-only route, signed the same way.
    let outbox = s.b.url("/agencies/oslo/outbox");
    let doc = json_body(s.eve.get(&outbox).send(&s.b.client).await, StatusCode::OK).await;
    assert_eq!(doc["id"], outbox.as_str(), "{doc}");
    assert_eq!(doc["totalItems"], 1, "{doc}");

    // B fetched eve's actor to check her signature.
    assert!(
        s.peer.fetched().iter().any(|r| r.path == "/actors/eve"),
        "eve's actor was never fetched: {:?}",
        s.peer.fetched()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gotosocial_style_key_ids_are_understood() {
    let s = scene().await;
    let [_, k2] = fake_keys().await;
    // GoToSocial names its keys ACTOR/main-key. Nothing is served at that
    // URL here, so the request is only understood if the actor's URL is
    // derived from the key id.
    let mut gts = s.peer.actor("gts", k2);
    let mut doc = s.peer.doc("/actors/gts").expect("gts is served");
    gts.key_id = format!("{}/main-key", gts.id);
    doc["publicKey"]["id"] = json!(gts.key_id);
    s.peer.serve_doc("/actors/gts", doc);

    let oslo = s.b.actor_id("oslo");
    let resp = gts.get(&oslo).send(&s.b.client).await;
    let doc = json_body(resp, StatusCode::OK).await;
    assert_eq!(doc["id"], oslo.as_str(), "{doc}");
    assert!(
        s.peer.fetched().iter().any(|r| r.path == "/actors/gts"),
        "gts's actor was never fetched: {:?}",
        s.peer.fetched()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_signatures_on_gets_are_refused() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let followers = s.b.url("/agencies/oslo/followers");

    // A correct one first, so that what follows fails for its own fault
    // and not because eve is unknown.
    let resp = s.eve.get(&oslo).send(&s.b.client).await;
    assert_200(resp, "correctly signed").await;

    // The signature does not cover Host.
    let mut get = s.eve.get(&oslo);
    get.headers = vec!["(request-target)", "date", "accept"];
    assert_401(get.send(&s.b.client).await, "host not signed").await;

    // The signature does not cover the request target.
    let mut get = s.eve.get(&oslo);
    get.headers = vec!["host", "date", "accept"];
    assert_401(get.send(&s.b.client).await, "target not signed").await;

    // Neither Date nor (created) is signed.
    let mut get = s.eve.get(&oslo);
    get.headers = vec!["(request-target)", "host", "accept"];
    assert_401(get.send(&s.b.client).await, "date not signed").await;

    // Signed two hours ago.
    let mut get = s.eve.get(&oslo);
    get.date = Some(Utc::now() - ChronoDuration::hours(2));
    assert_401(get.send(&s.b.client).await, "two hours old").await;

    // The signature was changed.
    let get = s.eve.get(&oslo);
    let mut headers = get.signed_headers();
    tamper_signature(&mut headers);
    assert_401(send_get(&s.b.client, &oslo, &headers).await, "tampered").await;

    // Signed for one URL, sent to another.
    let headers = s.eve.get(&oslo).signed_headers();
    assert_401(
        send_get(&s.b.client, &followers, &headers).await,
        "replayed on another URL",
    )
    .await;

    // Signed with another key than eve publishes.
    let [_, other] = fake_keys().await;
    let mut get = s.eve.get(&followers);
    get.key = other;
    assert_401(get.send(&s.b.client).await, "wrong key").await;

    // The same request, correctly signed, is served.
    let resp = s.eve.get(&followers).send(&s.b.client).await;
    assert_200(resp, "followers, correctly signed").await;
}

/// The instance actor's key id and PEM, as `GET /actor` publishes them.
async fn instance_key(b: &Instance) -> (String, String) {
    let resp = b
        .client
        .get(b.url("/actor"))
        .header("Accept", AP)
        .send()
        .await
        .unwrap();
    let actor = json_body(resp, StatusCode::OK).await;
    let key = &actor["publicKey"];
    assert_eq!(key["owner"], actor["id"], "{actor}");
    (
        key["id"].as_str().expect("publicKey.id").to_owned(),
        key["publicKeyPem"]
            .as_str()
            .expect("publicKeyPem")
            .to_owned(),
    )
}

fn algorithm_ok(params: &std::collections::HashMap<String, String>) -> Result<(), String> {
    match params.get("algorithm").map(String::as_str) {
        Some("rsa-sha256" | "hs2019") => Ok(()),
        other => Err(format!("algorithm {other:?}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_fetches_and_deliveries_are_signed_as_mastodon_expects() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let oslo = b.actor_id("oslo");
    // A peer that verifies draft-cavage only (Mastodon before 4.5): the
    // Accept knocks with RFC 9421 first and comes again the cavage way.
    peer.accept_only_style(SignatureStyle::Cavage);

    let id = eve.activity_id("follow-signed-fetch");
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id, "type": "Follow", "actor": eve.id, "object": oslo,
    });
    let resp = eve.post(&b.shared_inbox(), &follow).send(&b.client).await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );

    // Checking the Follow's signature made B fetch eve's actor, signed by
    // B's instance actor.
    // The peer reads draft-cavage only: each fetch knocked with RFC 9421,
    // was refused, and came again signed the cavage way; only the first
    // fetch knocked twice, the host's answer being remembered.
    let all: Vec<Received> = peer.fetched();
    let styles: Vec<SignatureStyle> = all.iter().map(Received::signature_style).collect();
    assert_eq!(
        styles.first(),
        Some(&SignatureStyle::Rfc9421),
        "B's fetches: {all:?}"
    );
    assert_eq!(
        styles
            .iter()
            .filter(|s| **s == SignatureStyle::Rfc9421)
            .count(),
        1,
        "B's fetches: {all:?}"
    );
    let fetches: Vec<Received> = all
        .into_iter()
        .filter(|r| r.signature_style() == SignatureStyle::Cavage)
        .collect();
    let of_eve: Vec<&Received> = fetches.iter().filter(|r| r.path == "/actors/eve").collect();
    assert!(
        !of_eve.is_empty(),
        "eve's actor was not fetched: {fetches:?}"
    );
    let (key_id, pem) = instance_key(&b).await;
    assert_eq!(key_id, format!("{}#main-key", b.url("/actor")));
    for r in &fetches {
        let params = verify_request(
            r,
            "GET",
            &key_id,
            &pem,
            &["(request-target)", "host", "date"],
        )
        .unwrap_or_else(|e| panic!("B's GET {}: {e}; headers {:?}", r.path, r.headers));
        algorithm_ok(&params).unwrap_or_else(|e| panic!("B's GET {}: {e}", r.path));
        assert!(
            r.headers
                .get("accept")
                .is_some_and(|a| a.contains("activity+json") || a.contains("ld+json")),
            "B's GET {} asks for {:?}",
            r.path,
            r.headers.get("accept")
        );
    }
    // A key that is not the instance actor's does not verify them.
    let agency = b.store.get_agency_by_slug("oslo").await.unwrap().unwrap();
    assert!(
        verify_request(of_eve[0], "GET", &key_id, &agency.public_key_pem, &[]).is_err(),
        "the verifier accepts any key"
    );

    // The Accept is signed over (request-target) host date digest by oslo.
    let accept = eventually("B's Accept at eve's inbox", async || {
        peer.received_of("Accept")
            .into_iter()
            .find(|r| {
                r.json()["object"]["id"] == id.as_str()
                    && r.signature_style() == SignatureStyle::Cavage
            })
            .ok_or_else(|| format!("{:?}", peer.received()))
    })
    .await;
    let params = verify_request(
        &accept,
        "POST",
        &format!("{oslo}#main-key"),
        &agency.public_key_pem,
        &["(request-target)", "host", "date", "digest"],
    )
    .unwrap_or_else(|e| panic!("B's Accept: {e}; headers {:?}", accept.headers));
    algorithm_ok(&params).unwrap_or_else(|e| panic!("B's Accept: {e}"));
}

/// With signed fetch required, an actor of a suspended domain is refused
/// (403) although it is cached from before the suspension, and a signed GET
/// made for another server (its signed Host is not ours) is refused (401).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspended_domains_and_other_hosts_signatures_get_nothing() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    json_body(s.eve.get(&oslo).send(&s.b.client).await, StatusCode::OK).await;
    assert!(
        s.b.store
            .get_remote_actor_by_ap_id(&s.eve.id)
            .await
            .unwrap()
            .is_some(),
        "eve is cached"
    );

    let mut get = s.eve.get(&oslo);
    get.host = Some("deling.elsewhere.example".to_owned());
    assert_401(get.send(&s.b.client).await, "signed for another host").await;

    let admin = s.b.staff_token("admin", true, None).await;
    let resp =
        s.b.send_as(
            &admin,
            reqwest::Method::POST,
            "/api/v1/admin/domain-blocks",
            Some(&json!({"domain": s.peer.domain, "severity": "suspend"})),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::CREATED,
        "{}",
        resp.text().await.unwrap()
    );
    for url in [oslo.clone(), s.b.url(&format!("/items/{}", s.item))] {
        let resp = s.eve.get(&url).send(&s.b.client).await;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::FORBIDDEN, "{url}: {text}");
    }
}

/// Checking a signed GET may fetch the signer's key from anywhere its
/// `keyId` points, so signed GETs are limited per client address before
/// any of that, as deliveries are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_gets_are_limited_per_address() {
    let (b, peer) = tokio::join!(
        Instance::spawn_configured(|c| {
            c.federation.require_signed_fetch = true;
            c.limits.inbox_per_ip_per_minute = 3;
        }),
        FakePeer::spawn()
    );
    b.agency("oslo").await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let oslo = b.actor_id("oslo");
    for n in 0..3 {
        let resp = eve.get(&oslo).send(&b.client).await;
        assert_eq!(resp.status(), StatusCode::OK, "GET {n}");
    }
    let resp = eve.get(&oslo).send(&b.client).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    // HTML for browsers is not a signed fetch, and not limited.
    let resp = b.client.get(b.url("/agencies/oslo")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}
