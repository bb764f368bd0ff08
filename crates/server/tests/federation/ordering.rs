//! Activities that arrive out of order. Deliveries to one inbox are sent
//! concurrently and retried independently, so a peer's Delete can overtake
//! its Create, and an older Update can land after a newer one. A fake peer
//! that A follows sends them in exactly that order.

use crate::{
    helpers::{Instance, eventually, titles},
    peer::{FakeActor, FakePeer, fake_keys},
};
use chrono::{Duration as ChronoDuration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A, whose nav follows the fake peer's eve (accepted).
pub(crate) async fn followed_peer() -> (Instance, FakePeer, FakeActor) {
    followed_peer_on(Instance::spawn().await).await
}

/// [`followed_peer`] with the instance given (on PostgreSQL, say).
pub(crate) async fn followed_peer_on(a: Instance) -> (Instance, FakePeer, FakeActor) {
    let peer = FakePeer::spawn().await;
    a.agency("nav").await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    a.follow("nav", &eve.id).await;
    let follow = eventually("nav's Follow at eve's inbox", async || {
        peer.received_of("Follow")
            .into_iter()
            .next()
            .ok_or_else(|| format!("{:?}", peer.received()))
    })
    .await
    .json();
    let accept = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": eve.activity_id("accept"),
        "type": "Accept",
        "actor": eve.id,
        "object": follow,
    });
    send(&a, &eve, &accept).await;
    a.wait_accepted("nav", &eve.id).await;
    (a, peer, eve)
}

/// Posts `activity` signed by `actor` to A's shared inbox and waits until
/// A has processed it.
pub(crate) async fn send(a: &Instance, actor: &FakeActor, activity: &Value) {
    let resp = actor
        .post(&a.shared_inbox(), activity)
        .send(&a.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{activity}");
    let id = activity["id"].as_str().unwrap();
    a.processed(id).await;
}

fn page(eve: &FakeActor, id: &str, name: &str, updated: chrono::DateTime<Utc>) -> Value {
    json!({
        "id": id,
        "type": "Page",
        "attributedTo": eve.id,
        "name": name,
        "summary": "Fra en annen tjener.",
        "content": "<p>Innhold</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "published": Utc::now() - ChronoDuration::hours(3),
        "updated": updated,
    })
}

pub(crate) fn activity(eve: &FakeActor, kind: &str, name: &str, object: Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": eve.activity_id(name),
        "type": kind,
        "actor": eve.id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": object,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_from_a_followed_peer_are_taken_in_order() {
    let (a, peer, eve) = followed_peer().await;
    let id = peer.url("/pages/1");
    let t = Utc::now();
    send(
        &a,
        &eve,
        &activity(&eve, "Create", "create-1", page(&eve, &id, "Versjon 1", t)),
    )
    .await;
    let item = a.wait_remote_item(&id).await;
    assert_eq!(item["title"], "Versjon 1");
    assert_eq!(item["agency"]["handle"], format!("@eve@{}", peer.domain));
    send(
        &a,
        &eve,
        &activity(
            &eve,
            "Update",
            "update-1",
            page(&eve, &id, "Versjon 2", t + ChronoDuration::minutes(1)),
        ),
    )
    .await;
    assert_eq!(a.wait_remote_item(&id).await["title"], "Versjon 2");
    send(
        &a,
        &eve,
        &activity(
            &eve,
            "Delete",
            "delete-1",
            json!({"type": "Tombstone", "id": id}),
        ),
    )
    .await;
    assert!(a.remote_items().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_create_does_not_bring_a_deleted_item_back() {
    let (a, peer, eve) = followed_peer().await;
    let id = peer.url("/pages/2");
    send(
        &a,
        &eve,
        &activity(
            &eve,
            "Delete",
            "delete-2",
            json!({"type": "Tombstone", "id": id}),
        ),
    )
    .await;
    send(
        &a,
        &eve,
        &activity(
            &eve,
            "Create",
            "create-2",
            page(&eve, &id, "Trukket tilbake", Utc::now()),
        ),
    )
    .await;
    let items = a.remote_items().await;
    assert!(
        items.is_empty(),
        "withdrawn item listed: {:?}",
        titles(&items)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_update_does_not_overwrite_a_newer_one() {
    let (a, peer, eve) = followed_peer().await;
    let id = peer.url("/pages/3");
    let t = Utc::now();
    send(
        &a,
        &eve,
        &activity(&eve, "Create", "create-3", page(&eve, &id, "Versjon 1", t)),
    )
    .await;
    send(
        &a,
        &eve,
        &activity(
            &eve,
            "Update",
            "update-3b",
            page(&eve, &id, "Versjon 3", t + ChronoDuration::minutes(2)),
        ),
    )
    .await;
    send(
        &a,
        &eve,
        &activity(
            &eve,
            "Update",
            "update-3a",
            page(&eve, &id, "Versjon 2", t + ChronoDuration::minutes(1)),
        ),
    )
    .await;
    assert_eq!(a.wait_remote_item(&id).await["title"], "Versjon 3");
}

/// What a boost by a followed actor may bring into the catalogue: a Page
/// at exactly the boosted id, by an author who is not blocked. Everything
/// else is left out, and a boost whose object cannot be fetched is done
/// with, not retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boosts_bring_only_what_they_name() {
    let (a, peer, eve) = followed_peer().await;
    let [_, k2] = fake_keys().await;
    let mallory = peer.actor("mallory", k2);
    let troll = peer.actor("troll", k2);
    a.store
        .put_actor_block(&troll.id, Some("test"), None)
        .await
        .unwrap();
    let doc = |id: &str, kind: &str, author: &FakeActor, name: &str| {
        json!({"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": kind,
               "attributedTo": author.id, "name": name, "content": "<p>x</p>",
               "to": ["https://www.w3.org/ns/activitystreams#Public"]})
    };
    let good = peer.url("/pages/good");
    peer.serve("/pages/good", doc(&good, "Page", &mallory, "God side"));
    // Served at one address while claiming another (which exists too).
    let alias = peer.url("/pages/alias");
    let real = peer.url("/pages/real");
    peer.serve("/pages/alias", doc(&real, "Page", &mallory, "Alias"));
    peer.serve("/pages/real", doc(&real, "Page", &mallory, "Alias"));
    let blocked = peer.url("/pages/blocked");
    peer.serve("/pages/blocked", doc(&blocked, "Page", &troll, "Blokkert"));
    let note = peer.url("/notes/n");
    peer.serve("/notes/n", doc(&note, "Note", &mallory, "Notat"));
    let missing = peer.url("/pages/missing");

    for (n, object) in [&good, &alias, &blocked, &note, &missing]
        .iter()
        .enumerate()
    {
        let boost = json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": eve.activity_id(&format!("boost-{n}")), "type": "Announce",
            "actor": eve.id, "object": object,
            "to": ["https://www.w3.org/ns/activitystreams#Public"]});
        send(&a, &eve, &boost).await;
        let row = a
            .store
            .get_inbox_activity(boost["id"].as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, "done", "boost of {object}: {row:?}");
    }
    let items = a.get_json("/api/v1/items?origin=remote&per_page=100").await;
    assert_eq!(titles(items["items"].as_array().unwrap()), ["God side"]);
    assert_eq!(items["items"][0]["agency"]["actor_id"], mallory.id.as_str());
    // The blocked author was not even fetched.
    assert!(
        !peer.fetched().iter().any(|r| r.path == "/actors/troll"),
        "the blocked author was fetched"
    );
}

/// Once the only agency following a peer is withdrawn, the peer's new items
/// are no longer taken in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_agencys_follows_no_longer_count() {
    let (a, peer, eve) = followed_peer().await;
    let first = peer.url("/pages/before");
    send(
        &a,
        &eve,
        &activity(
            &eve,
            "Create",
            "create-before",
            page(&eve, &first, "Før", Utc::now()),
        ),
    )
    .await;
    a.wait_remote_item(&first).await;
    let admin = a.staff_token("operator", true, None).await;
    let resp = a
        .send_as(
            &admin,
            reqwest::Method::DELETE,
            "/api/v1/agencies/nav",
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let later = peer.url("/pages/after");
    send(
        &a,
        &eve,
        &activity(
            &eve,
            "Create",
            "create-after",
            page(&eve, &later, "Etter", Utc::now()),
        ),
    )
    .await;
    assert_eq!(
        titles(&a.remote_items().await),
        ["Før"],
        "an item arrived for a withdrawn agency's follow"
    );
}
