//! Pinned items: the agency's `featured` collection, kept in step with its
//! followers by `Add` and `Remove`, as Mastodon pins posts.

use crate::{
    helpers::{Instance, eventually, json_body},
    peer::{FakePeer, fake_keys},
};
use reqwest::{Method, StatusCode};
use serde_json::Value;

async fn featured(b: &Instance) -> Value {
    b.client
        .get(b.url("/agencies/oslo/featured"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The titles of the items a featured collection lists, read through
/// their ids (as Mastodon does: it fetches each id).
async fn names(b: &Instance, collection: &Value) -> Vec<String> {
    let mut names = Vec::new();
    for id in collection["orderedItems"].as_array().unwrap() {
        let id = id.as_str().expect("featured lists ids as strings");
        let page: Value = b
            .client
            .get(id)
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        names.push(page["name"].as_str().unwrap().to_owned());
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pinned_items_are_featured_and_followers_told() {
    let (a, b, peer) = tokio::join!(Instance::spawn(), Instance::spawn(), FakePeer::spawn());
    a.agency("nav").await;
    b.agency("oslo").await;
    let oslo = b.actor_id("oslo");
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    b.followed_by(&eve, "oslo").await;
    a.follow("nav", &oslo).await;
    a.wait_accepted("nav", &oslo).await;

    let mut items = Vec::new();
    for n in 1..=6 {
        items.push(b.publish("oslo", &format!("Veileder {n}"), &[]).await);
    }
    assert_eq!(featured(&b).await["totalItems"], 0);

    // Pin the first: featured, marked, and an Add reaches the follower.
    let pin = |id: i64| format!("/api/v1/items/{id}/pin");
    let resp = b.send(Method::POST, &pin(items[0]), None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let f = featured(&b).await;
    assert_eq!(f["totalItems"], 1, "{f}");
    assert_eq!(
        f["orderedItems"][0],
        b.url(&format!("/items/{}", items[0])).as_str(),
        "{f}"
    );
    assert_eq!(names(&b, &f).await, ["Veileder 1"]);
    assert_eq!(
        b.get_json(&format!("/api/v1/items/{}", items[0])).await["pinned"],
        true
    );
    assert_eq!(
        b.get_json(&format!("/api/v1/items/{}", items[1])).await["pinned"],
        false
    );
    let add = eventually("eve to receive the Add", async || {
        match peer.received_of("Add").as_slice() {
            [one] => Ok(one.json()),
            other => Err(format!("{} Adds", other.len())),
        }
    })
    .await;
    assert_eq!(add["actor"], oslo.as_str());
    assert_eq!(
        add["object"],
        b.url(&format!("/items/{}", items[0])).as_str()
    );
    assert_eq!(add["target"], b.url("/agencies/oslo/featured").as_str());
    // Again: nothing new is sent.
    let resp = b.send(Method::POST, &pin(items[0]), None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);

    // Five at most.
    for id in &items[1..5] {
        let resp = b.send(Method::POST, &pin(*id), None).await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    }
    let resp = b.send(Method::POST, &pin(items[5]), None).await;
    let problem = json_body(resp, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("at most 5"),
        "{problem}"
    );
    assert_eq!(featured(&b).await["totalItems"], 5);
    // The profile page lists them in its "Pinned" section.
    let html = b
        .client
        .get(&oslo)
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pinned = html.split("id=\"pinned-h\"").nth(1).unwrap_or_default();
    let pinned = pinned.split("</section>").next().unwrap_or_default();
    assert!(
        pinned.contains("Veileder 1")
            && pinned.contains("Veileder 5")
            && !pinned.contains("Veileder 6"),
        "{html}"
    );

    // Unpin: a Remove follows; a withdrawn item leaves the collection.
    let resp = b.send(Method::DELETE, &pin(items[0]), None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let remove = eventually("eve to receive the Remove", async || {
        match peer.received_of("Remove").as_slice() {
            [one] => Ok(one.json()),
            other => Err(format!("{} Removes", other.len())),
        }
    })
    .await;
    assert_eq!(remove["object"], add["object"]);
    let resp = b
        .send(Method::DELETE, &format!("/api/v1/items/{}", items[1]), None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        names(&b, &featured(&b).await).await,
        ["Veileder 5", "Veileder 4", "Veileder 3"]
    );
    // Unpinning what is not pinned is harmless.
    let resp = b.send(Method::DELETE, &pin(items[0]), None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    b.deliveries_drained().await;
    assert_eq!(peer.received_of("Add").len(), 5);
    assert_eq!(peer.received_of("Remove").len(), 1);

    // Only the agency's staff pin its items, and only local ones.
    let stranger = b.staff_token("stranger", false, None).await;
    let resp = b
        .send_as(&stranger, Method::POST, &pin(items[5]), None)
        .await;
    json_body(resp, StatusCode::FORBIDDEN).await;
    let copy = a
        .wait_remote_item(&b.url(&format!("/items/{}", items[5])))
        .await;
    let resp = a
        .send(Method::POST, &pin(copy["id"].as_i64().unwrap()), None)
        .await;
    json_body(resp, StatusCode::FORBIDDEN).await;
}
