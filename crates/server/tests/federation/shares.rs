//! Shares: an agency boosts a peer's item (and a neighbour agency's) to its
//! followers with a signed Announce, the item's owner counts it, and an
//! Undo takes it back everywhere.

use crate::{
    helpers::{Instance, eventually, json_body},
    peer::{FakePeer, fake_keys, verify_received},
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const AS: &str = "https://www.w3.org/ns/activitystreams";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_shares_a_peer_item_with_its_followers() {
    let (a, b, peer) = tokio::join!(Instance::spawn(), Instance::spawn(), FakePeer::spawn());
    let nav = a.agency("nav").await;
    a.agency("skatt").await;
    b.agency("oslo").await;
    let oslo = b.actor_id("oslo");
    let nav_id = a.actor_id("nav");

    // A citizen (on the fake peer) follows nav; nav follows oslo.
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    a.followed_by(&eve, "nav").await;
    a.follow("nav", &oslo).await;
    a.wait_accepted("nav", &oslo).await;

    let on_b = b.publish("oslo", "Veileder for byggesak", &[]).await;
    let object = b.url(&format!("/items/{on_b}"));
    let copy = a.wait_remote_item(&object).await;
    let on_a = copy["id"].as_i64().unwrap();
    let shares_path = format!("/api/v1/items/{on_a}/shares");

    // Refusals first: nothing is shared by them.
    let nobody = a.staff_token("nobody", false, None).await;
    let resp = a
        .send_as(
            &nobody,
            Method::POST,
            &shares_path,
            Some(&json!({"agency": "nav"})),
        )
        .await;
    json_body(resp, StatusCode::FORBIDDEN).await;
    for (body, status) in [
        (
            json!({"agency": "nav", "extra": 1}),
            StatusCode::BAD_REQUEST,
        ),
        (json!(["nav"]), StatusCode::BAD_REQUEST),
        (json!({"agency": "ukjent"}), StatusCode::NOT_FOUND),
    ] {
        let resp = a.send(Method::POST, &shares_path, Some(&body)).await;
        json_body(resp, status).await;
    }
    let resp = a
        .send(
            Method::POST,
            "/api/v1/items/999999/shares",
            Some(&json!({"agency": "nav"})),
        )
        .await;
    json_body(resp, StatusCode::NOT_FOUND).await;

    // nav shares oslo's item.
    let resp = a
        .send(Method::POST, &shares_path, Some(&json!({"agency": "nav"})))
        .await;
    let share = json_body(resp, StatusCode::CREATED).await;
    let announce_id = share["ap_id"].as_str().unwrap().to_owned();
    assert!(announce_id.starts_with(&a.base), "{share}");
    assert_eq!(share["agency"]["slug"], "nav");
    // Again: the same share, nothing new.
    let resp = a
        .send(Method::POST, &shares_path, Some(&json!({"agency": "nav"})))
        .await;
    let again = json_body(resp, StatusCode::OK).await;
    assert_eq!(again["ap_id"], announce_id.as_str());

    // The Announce is served at its id ...
    let doc: Value = a
        .client
        .get(&announce_id)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["type"], "Announce", "{doc}");
    assert_eq!(doc["actor"], nav_id.as_str());
    assert_eq!(doc["object"], object.as_str());
    assert!(
        doc["cc"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == oslo.as_str()),
        "the owner is addressed: {doc}"
    );

    // ... reaches nav's follower, signed by nav, once ...
    let received = eventually("eve to receive the Announce", async || {
        match peer.received_of("Announce").as_slice() {
            [one] => Ok(one.clone()),
            other => Err(format!("{} Announces", other.len())),
        }
    })
    .await;
    assert_eq!(received.json()["id"], announce_id.as_str());
    assert_eq!(received.json()["object"], object.as_str());
    verify_received(
        &received,
        &format!("{nav_id}#main-key"),
        &nav.public_key_pem,
    )
    .expect("signed by nav");

    // ... and oslo's server counts the boost, by nav.
    let counted = async |n: u64| {
        eventually(&format!("B to count {n} boost(s)"), async || {
            let c = b.get_json(&format!("/api/v1/items/{on_b}")).await["counts"]["shares"].clone();
            if c == n { Ok(()) } else { Err(c.to_string()) }
        })
        .await
    };
    counted(1).await;
    let reactions = json_body(
        b.send(
            Method::GET,
            &format!("/api/v1/items/{on_b}/reactions"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(reactions[0]["kind"], "announce", "{reactions}");
    assert_eq!(reactions[0]["actor"]["actor_id"], nav_id.as_str());

    // Undo: the follower gets it, the owner stops counting, the id is gone.
    let undo_path = format!("{shares_path}?agency=nav");
    let resp = a.send(Method::DELETE, &undo_path, None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let undo = eventually("eve to receive the Undo", async || {
        match peer.received_of("Undo").as_slice() {
            [one] => Ok(one.json()),
            other => Err(format!("{} Undos", other.len())),
        }
    })
    .await;
    assert_eq!(undo["object"]["id"], announce_id.as_str(), "{undo}");
    assert_eq!(undo["object"]["type"], "Announce");
    counted(0).await;
    let gone = a
        .client
        .get(&announce_id)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::GONE);
    let resp = a.send(Method::DELETE, &undo_path, None).await;
    json_body(resp, StatusCode::NOT_FOUND).await;

    // Taken back, it is no longer among nav's shares.
    assert_eq!(a.get_json("/api/v1/agencies/nav/shares").await, json!([]));

    // Sharing again is a new Announce (a new id, so not taken for a replay).
    let resp = a
        .send(Method::POST, &shares_path, Some(&json!({"agency": "nav"})))
        .await;
    let second = json_body(resp, StatusCode::CREATED).await;
    assert_ne!(second["ap_id"], announce_id.as_str());
    // nav's shares list it, with the item.
    let listed = a.get_json("/api/v1/agencies/nav/shares").await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["share"]["ap_id"], second["ap_id"]);
    assert_eq!(listed[0]["item"]["id"], on_a);
    assert_eq!(listed[0]["item"]["title"], "Veileder for byggesak");
    assert_eq!(
        a.get("/api/v1/agencies/ukjent/shares").await.status(),
        StatusCode::NOT_FOUND
    );
    counted(1).await;

    // A neighbour agency on the same server shares nav's own item: counted
    // here at once, listed as a local boost.
    let own = a.publish("nav", "Dagpenger forklart", &[]).await;
    let resp = a
        .send(
            Method::POST,
            &format!("/api/v1/items/{own}/shares"),
            Some(&json!({"agency": "skatt"})),
        )
        .await;
    json_body(resp, StatusCode::CREATED).await;
    let item = a.get_json(&format!("/api/v1/items/{own}")).await;
    assert_eq!(item["counts"]["shares"], 1, "{item}");
    let reactions = json_body(
        a.send(Method::GET, &format!("/api/v1/items/{own}/reactions"), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(reactions[0]["actor"]["origin"], "local", "{reactions}");
    assert_eq!(reactions[0]["actor"]["slug"], "skatt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boost_brings_a_peer_item_to_the_boosters_followers() {
    let (a, b, c) = tokio::join!(Instance::spawn(), Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    b.agency("oslo").await;
    c.agency("bergen").await;
    let nav = a.actor_id("nav");
    let oslo = b.actor_id("oslo");
    // bergen (on C) follows nav (on A), not oslo; nav follows oslo.
    a.follow("nav", &oslo).await;
    c.follow("bergen", &nav).await;
    a.wait_accepted("nav", &oslo).await;
    c.wait_accepted("bergen", &nav).await;

    let on_b = b
        .publish("oslo", "Veileder for byggesak", &["byggesak"])
        .await;
    let object = b.url(&format!("/items/{on_b}"));
    let copy = a.wait_remote_item(&object).await;
    assert!(
        c.remote_items().await.is_empty(),
        "C follows nobody on B yet holds its item"
    );

    // nav boosts it: C fetches the Page from B and catalogues it as oslo's.
    let resp = a
        .send(
            Method::POST,
            &format!("/api/v1/items/{}/shares", copy["id"]),
            Some(&json!({"agency": "nav"})),
        )
        .await;
    json_body(resp, StatusCode::CREATED).await;
    let held = c.wait_remote_item(&object).await;
    assert_eq!(held["title"], "Veileder for byggesak", "{held}");
    assert_eq!(held["tags"], json!(["byggesak"]), "{held}");
    assert_eq!(held["agency"]["actor_id"], oslo.as_str(), "{held}");
    assert_eq!(held["agency"]["origin"], "remote", "{held}");

    // A boost by an actor no agency on C follows brings nothing.
    let peer = FakePeer::spawn().await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let other = b.publish("oslo", "Ikke fulgt", &[]).await;
    let boost = json!({"@context": AS, "id": eve.activity_id("boost-other"), "type": "Announce",
        "actor": eve.id, "object": b.url(&format!("/items/{other}"))});
    let resp = eve.post(&c.shared_inbox(), &boost).send(&c.client).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    eventually("C to process eve's boost", async || {
        match c
            .store
            .get_inbox_activity(boost["id"].as_str().unwrap())
            .await
            .unwrap()
        {
            Some(r) if r.status != "pending" => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    let titles: Vec<Value> = c
        .remote_items()
        .await
        .iter()
        .map(|i| i["title"].clone())
        .collect();
    assert_eq!(titles, [json!("Veileder for byggesak")]);
}

/// An item withdrawn takes its shares with it: the followers of an agency
/// that shared it got it by that Announce, and hear of the withdrawal by
/// its Undo (they do not follow the item's own agency).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_item_takes_its_shares_back() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    b.agency("bergen").await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    b.followed_by(&eve, "bergen").await;
    let item = b.publish("oslo", "Veileder for byggesak", &[]).await;
    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/items/{item}/shares"),
            Some(&json!({"agency": "bergen"})),
        )
        .await;
    assert!(resp.status().is_success(), "{}", resp.status());
    let announce = eventually("eve to receive bergen's Announce", async || {
        peer.received_of("Announce")
            .first()
            .map(|r| r.json())
            .ok_or_else(|| "none yet".to_owned())
    })
    .await;

    let resp = b
        .send(Method::DELETE, &format!("/api/v1/items/{item}"), None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let undo = eventually("eve to receive the Undo", async || {
        match peer.received_of("Undo").as_slice() {
            [one] => Ok(one.json()),
            other => Err(format!("{} Undos", other.len())),
        }
    })
    .await;
    assert_eq!(undo["object"]["id"], announce["id"], "{undo}");
    assert_eq!(undo["actor"], b.actor_id("bergen").as_str(), "{undo}");
    assert_eq!(
        b.get_json("/api/v1/agencies/bergen/shares").await,
        json!([])
    );
}

/// A server that holds an item only through a local agency's boost hears
/// of the item's edits and of its withdrawal from the item's owner, even
/// after the boost was taken back: the owner's Update and Delete go to the
/// followers of every agency here that ever shared it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boosted_items_edits_and_withdrawal_reach_the_boosters_followers() {
    let (b, c) = tokio::join!(Instance::spawn(), Instance::spawn());
    b.agency("oslo").await;
    b.agency("bergen").await;
    c.agency("stavanger").await;
    // stavanger (on C) follows bergen, not oslo.
    let bergen = b.actor_id("bergen");
    c.follow("stavanger", &bergen).await;
    c.wait_accepted("stavanger", &bergen).await;

    let item = b.publish("oslo", "Veileder for byggesak", &[]).await;
    let object = b.url(&format!("/items/{item}"));
    let shares = format!("/api/v1/items/{item}/shares");
    let resp = b
        .send(Method::POST, &shares, Some(&json!({"agency": "bergen"})))
        .await;
    json_body(resp, StatusCode::CREATED).await;
    c.wait_remote_item(&object).await;
    // bergen takes its boost back: C keeps the item (its owner has not
    // withdrawn it), and its owner's word still reaches C.
    let resp = b
        .send(Method::DELETE, &format!("{shares}?agency=bergen"), None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    b.deliveries_drained().await;
    crate::helpers::wait::inbox_drained(&c.store).await;
    assert_eq!(
        c.wait_remote_item(&object).await["title"],
        "Veileder for byggesak"
    );

    // The owner edits it: C shows the new title.
    let resp = b
        .send(
            Method::PATCH,
            &format!("/api/v1/items/{item}"),
            Some(&json!({"title": "Veileder for byggesak, 2. utgave"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    eventually("C to show the edit", async || {
        let held = c.wait_remote_item(&object).await;
        if held["title"] == "Veileder for byggesak, 2. utgave" {
            Ok(())
        } else {
            Err(held["title"].to_string())
        }
    })
    .await;

    // The owner withdraws it: C drops it.
    let resp = b
        .send(Method::DELETE, &format!("/api/v1/items/{item}"), None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    eventually("C to drop the withdrawn item", async || {
        let items = c.remote_items().await;
        if items.is_empty() {
            Ok(())
        } else {
            Err(format!("{items:?}"))
        }
    })
    .await;
}
