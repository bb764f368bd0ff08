//! Withdrawing an agency: its items and addresses answer 410 here, and its
//! followers, and every other server that holds anything of it, drop it
//! (and what they hold of it) on one Delete of the actor.

use crate::{
    helpers::{Instance, eventually, json_body},
    peer::{FakePeer, fake_keys},
};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_agency_disappears_here_and_at_its_followers() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    b.agency("oslo").await;
    b.agency("bergen").await;
    let oslo = b.actor_id("oslo");
    let bergen = b.actor_id("bergen");
    a.follow("nav", &oslo).await;
    a.follow("nav", &bergen).await;
    a.wait_accepted("nav", &oslo).await;
    a.wait_accepted("nav", &bergen).await;
    let item = b.publish("oslo", "Byggesak digitalt", &["byggesak"]).await;
    let kept = b.publish("bergen", "Bergens veileder", &[]).await;
    // oslo follows someone elsewhere (who does not follow it back) and
    // comments on bergen's item.
    let peer = FakePeer::spawn().await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    b.follow("oslo", &eve.id).await;
    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/items/{kept}/comments"),
            Some(&json!({"agency": "oslo", "body": "Godt skrevet"})),
        )
        .await;
    let comment = json_body(resp, StatusCode::CREATED).await;
    a.wait_remote_item(&b.url(&format!("/items/{item}"))).await;
    a.wait_remote_item(&b.url(&format!("/items/{kept}"))).await;

    // Only an instance admin may withdraw; an editor of the agency gets 403.
    let resp = b.send(Method::DELETE, "/api/v1/agencies/oslo", None).await;
    json_body(resp, StatusCode::FORBIDDEN).await;
    let admin = b.staff_token("operator", true, None).await;
    let resp = b
        .send_as(&admin, Method::DELETE, "/api/v1/agencies/oslo", None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);

    // Here: everything of oslo's answers 410, bergen is untouched.
    let gone = |path: String| {
        let b = &b;
        async move {
            let resp = b.get(&path).await;
            assert_eq!(resp.status(), StatusCode::GONE, "GET {path}");
        }
    };
    gone("/api/v1/agencies/oslo".into()).await;
    gone(format!("/api/v1/items/{item}")).await;
    gone(format!(
        "/.well-known/webfinger?resource=acct:oslo@{}",
        b.domain
    ))
    .await;
    let actor = b
        .client
        .get(&oslo)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(actor.status(), StatusCode::GONE);
    let tombstone: serde_json::Value = actor.json().await.unwrap();
    assert_eq!(tombstone["type"], "Tombstone", "{tombstone}");
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/agencies/oslo/items",
            Some(json!({"kind": "guide", "title": "t", "language": "nb"})),
        ),
        (
            Method::PATCH,
            "/api/v1/agencies/oslo",
            Some(json!({"name": "Oslo igjen"})),
        ),
        (Method::DELETE, "/api/v1/agencies/oslo", None),
    ] {
        let resp = b.send_as(&admin, method.clone(), path, body.as_ref()).await;
        assert_eq!(resp.status(), StatusCode::GONE, "{method} {path}");
    }
    let agencies = b.get_json("/api/v1/agencies").await;
    let slugs: Vec<&str> = agencies
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["bergen"]);
    assert_eq!(
        b.get_json(&format!("/api/v1/items/{kept}")).await["title"],
        "Bergens veileder"
    );
    // Its comment is gone with it; its staff have no role there any more.
    assert!(b.comments(kept).await.is_empty());
    assert_eq!(
        b.client
            .get(comment["ap_id"].as_str().unwrap())
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::GONE
    );
    let staff = b
        .store
        .list_agency_members(
            b.store
                .get_agency_by_slug("oslo")
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    assert!(staff.is_empty(), "{staff:?}");
    // The actor oslo followed hears of the Delete too.
    let delete = eventually("eve to receive oslo's Delete", async || {
        match peer.received_of("Delete").as_slice() {
            [one] => Ok(one.json()),
            other => Err(format!("{} Deletes", other.len())),
        }
    })
    .await;
    assert_eq!(delete["object"], oslo.as_str(), "{delete}");
    let audit = b.store.list_audit(10, 0).await.unwrap();
    assert_eq!(
        (audit[0].action.as_str(), audit[0].target.as_str()),
        ("agency.withdraw", "oslo")
    );
    assert_eq!(audit[0].details, json!({"items_withdrawn": 1}));

    // At the follower: the Delete of the actor removes the follow and
    // oslo's item; bergen's stay.
    eventually("A to drop oslo", async || {
        let held = a
            .store
            .get_remote_actor_by_ap_id(&oslo)
            .await
            .map_err(|e| e.to_string())?;
        let items = a.remote_items().await;
        if held.is_none() && items.len() == 1 {
            Ok(())
        } else {
            Err(format!(
                "oslo held: {}, remote items: {}",
                held.is_some(),
                items.len()
            ))
        }
    })
    .await;
    assert_eq!(a.following_state("nav", &oslo).await, None);
    assert_eq!(
        a.following_state("nav", &bergen).await.as_deref(),
        Some("accepted")
    );
    assert_eq!(a.remote_items().await[0]["title"], "Bergens veileder");
}

/// A withdrawn agency's Delete reaches every server that holds anything of
/// it, not only its followers: one that liked an item, one that answered
/// it, and a Deling server that catalogued it from a neighbour's boost.
/// The Delete of an item, queued before the withdrawal and still being
/// retried, still goes out, signed by the withdrawn agency.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_agencys_delete_reaches_whoever_holds_its_items() {
    const AS: &str = "https://www.w3.org/ns/activitystreams";
    let public = format!("{AS}#Public");
    let (b, c, likes, answers) = tokio::join!(
        Instance::spawn(),
        Instance::spawn(),
        FakePeer::spawn(),
        FakePeer::spawn()
    );
    b.agency("oslo").await;
    b.agency("bergen").await;
    c.agency("stavanger").await;
    let oslo = b.actor_id("oslo");
    let bergen = b.actor_id("bergen");
    // stavanger (on C) follows bergen, not oslo: nobody follows oslo.
    c.follow("stavanger", &bergen).await;
    c.wait_accepted("stavanger", &bergen).await;
    let item = b.publish("oslo", "Byggesak digitalt", &[]).await;
    let old = b.publish("oslo", "Gammel veileder", &[]).await;
    let object = b.url(&format!("/items/{item}"));
    let old_object = b.url(&format!("/items/{old}"));
    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/items/{item}/shares"),
            Some(&json!({"agency": "bergen"})),
        )
        .await;
    json_body(resp, StatusCode::CREATED).await;
    c.wait_remote_item(&object).await;

    // eve likes both items; carl answers one.
    let [k1, k2] = fake_keys().await;
    let eve = likes.actor("eve", k1);
    let carl = answers.actor("carl", k2);
    for (n, target) in [(1, &object), (2, &old_object)] {
        let like = json!({"@context": AS, "id": eve.activity_id(&format!("like-{n}")),
            "type": "Like", "actor": eve.id, "object": target});
        let resp = eve.post(&b.shared_inbox(), &like).send(&b.client).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
    }
    let note = json!({"@context": AS, "id": carl.activity_id("answer"), "type": "Create",
        "actor": carl.id, "to": [public],
        "object": {"id": answers.url("/notes/1"), "type": "Note", "attributedTo": carl.id,
            "inReplyTo": object, "to": [public], "content": "<p>Takk for veilederen</p>",
            "published": chrono::Utc::now()}});
    let resp = carl.post(&b.shared_inbox(), &note).send(&b.client).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    eventually("B to count the like and the answer", async || {
        let counts = (
            b.get_json(&format!("/api/v1/items/{item}")).await["counts"].clone(),
            b.get_json(&format!("/api/v1/items/{old}")).await["counts"]["likes"].clone(),
        );
        if counts == (json!({"likes": 1, "shares": 1, "comments": 1}), json!(1)) {
            Ok(())
        } else {
            Err(format!("{counts:?}"))
        }
    })
    .await;

    // eve's server is down while oslo withdraws the old item: its Delete
    // is being retried when oslo itself is withdrawn.
    likes.answer_posts_with(503);
    let resp = b
        .send(Method::DELETE, &format!("/api/v1/items/{old}"), None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    eventually("the old item's Delete to be refused once", async || {
        if likes.received_of("Delete").is_empty() {
            Err("not tried yet".to_owned())
        } else {
            Ok(())
        }
    })
    .await;
    let admin = b.staff_token("operator", true, None).await;
    let resp = b
        .send_as(&admin, Method::DELETE, "/api/v1/agencies/oslo", None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    likes.answer_posts_with(202);

    // eve's server takes the old item's Delete, then oslo's, once each.
    let taken = |peer: &FakePeer, object: &str| {
        peer.posts()
            .into_iter()
            .filter(|p| p.accepted() && p.body["type"] == "Delete")
            .filter(|p| p.body["object"] == object || p.body["object"]["id"] == object)
            .count()
    };
    eventually("eve's server to take both Deletes", async || {
        match (taken(&likes, &old_object), taken(&likes, &oslo)) {
            (1, 1) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    // carl's server takes oslo's Delete.
    eventually(
        "carl's server to take oslo's Delete",
        async || match taken(&answers, &oslo) {
            1 => Ok(()),
            n => Err(format!("{n} Deletes")),
        },
    )
    .await;
    // C, which had oslo's item only through bergen's boost, drops oslo and
    // the item.
    eventually("C to drop oslo and its item", async || {
        let held = c
            .store
            .get_remote_actor_by_ap_id(&oslo)
            .await
            .map_err(|e| e.to_string())?;
        let items = c.remote_items().await;
        if held.is_none() && items.is_empty() {
            Ok(())
        } else {
            Err(format!("oslo held: {}, items: {items:?}", held.is_some()))
        }
    })
    .await;
    b.deliveries_drained().await;
    assert_eq!(taken(&likes, &oslo), 1, "one Delete of oslo per server");
    assert_eq!(taken(&answers, &oslo), 1, "one Delete of oslo per server");
}
