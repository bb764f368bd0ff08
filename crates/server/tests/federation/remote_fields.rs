//! A followed peer's `Page` is held to the rules of local input: a field
//! that fails them (a `javascript:` URL, an oversized license, a NUL, a
//! direction override) is dropped and the item kept; an item whose name is
//! unusable is not catalogued at all, and one its owner narrows to its
//! followers leaves the catalogue.

use crate::{
    helpers::{Instance, eventually},
    ordering::{activity, followed_peer, followed_peer_on, send},
};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_fields_of_a_remote_page_are_dropped_and_the_item_kept() {
    hostile_fields(Instance::spawn().await).await;
}

/// The same on PostgreSQL, where a NUL that reached a query failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_fields_of_a_remote_page_are_dropped_on_postgres() {
    if let Some(a) = Instance::spawn_postgres().await {
        hostile_fields(a).await;
    }
}

async fn hostile_fields(a: Instance) {
    let (a, peer, eve) = followed_peer_on(a).await;
    let id = peer.url("/pages/hostile");
    let long_license = vec!["MIT"; 100_000].join(" OR ");
    let page = json!({
        "id": id,
        "type": "Page",
        "attributedTo": eve.id,
        "name": "Veileder",
        "summary": "\u{200B}\u{200D}",
        "content": "<p>Innhold</p>",
        "url": "javascript:alert(document.cookie)",
        "isBasedOn": "javascript:alert(1)",
        "license": "javascript:alert(2)",
        "itemMetadata": {"license": long_license, "metadata": {"audience": "a\u{0}b"}},
        "tag": [
            {"type": "Hashtag", "name": "#byggesak"},
            {"type": "Hashtag", "name": "#___"},
            {"type": "Hashtag", "name": "#a\u{202E}b"},
        ],
        "attachment": [
            {"type": "Link", "href": "javascript:alert(3)", "name": "Klikk"},
            {"type": "Link", "href": "data:text/html,<script>x</script>"},
            {"type": "Document", "url": "https://files.example/a.pdf",
             "mediaType": "pdf\u{0}", "name": "abc\u{202E}fdp.exe"},
        ],
        "source": {"mediaType": "text/markdown", "content": "tekst\u{0}"},
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    });
    send(&a, &eve, &activity(&eve, "Create", "create-hostile", page)).await;
    let item = a.wait_remote_item(&id).await;
    assert_eq!(item["title"], "Veileder");
    // The public page falls back to the id when `url` is dropped.
    assert_eq!(item["url"], id, "{item}");
    assert_eq!(item["based_on"], serde_json::Value::Null, "{item}");
    assert_eq!(item["license"], serde_json::Value::Null, "{item}");
    assert_eq!(item["summary"], "", "{item}");
    assert_eq!(item["body"], "", "{item}");
    assert_eq!(item["metadata"], json!({}), "{item}");
    assert_eq!(item["tags"], json!(["byggesak"]), "{item}");
    assert_eq!(
        item["links"],
        json!([{"href": "https://files.example/a.pdf"}]),
        "{item}"
    );
    let text = item.to_string();
    for bad in ["javascript", "\\u0000", "\u{202E}", "MIT OR MIT"] {
        assert!(!text.contains(bad), "{bad:?} was kept: {item}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_page_without_a_usable_name_is_not_catalogued() {
    let (a, peer, eve) = followed_peer().await;
    for (n, name) in ["\u{200B}\u{200C}", "abc\u{202E}txt.exe"]
        .iter()
        .enumerate()
    {
        let id = peer.url(&format!("/pages/nameless-{n}"));
        let page = json!({
            "id": id, "type": "Page", "attributedTo": eve.id, "name": name,
            "content": "<p>x</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"],
        });
        send(
            &a,
            &eve,
            &activity(&eve, "Create", &format!("create-nameless-{n}"), page),
        )
        .await;
    }
    // A good one after them shows the inbox went on working.
    let good = peer.url("/pages/good");
    let page = json!({
        "id": good, "type": "Page", "attributedTo": eve.id, "name": "God",
        "content": "<p>x</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"],
    });
    send(&a, &eve, &activity(&eve, "Create", "create-good", page)).await;
    a.wait_remote_item(&good).await;
    let items = eventually("the catalogue", async || {
        Ok::<_, String>(a.remote_items().await)
    })
    .await;
    assert_eq!(
        items
            .iter()
            .map(|i| i["title"].as_str().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["God"],
        "{items:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogued_page_narrowed_by_its_owner_is_withdrawn() {
    let (a, peer, eve) = followed_peer().await;
    let id = peer.url("/pages/narrowed");
    let page = |to: &str, updated: &str| {
        json!({
            "id": id, "type": "Page", "attributedTo": eve.id, "name": "Snart privat",
            "content": "<p>x</p>", "to": [to], "published": "2026-12-01T10:00:00Z",
            "updated": updated,
        })
    };
    let public = "https://www.w3.org/ns/activitystreams#Public";
    send(
        &a,
        &eve,
        &activity(
            &eve,
            "Create",
            "create-narrowed",
            page(public, "2026-12-01T10:00:00Z"),
        ),
    )
    .await;
    a.wait_remote_item(&id).await;
    let followers = format!("{}/followers", eve.id);
    send(
        &a,
        &eve,
        &activity(
            &eve,
            "Update",
            "update-narrowed",
            page(&followers, "2026-12-02T10:00:00Z"),
        ),
    )
    .await;
    eventually("the narrowed item to leave the catalogue", async || {
        let items = a.remote_items().await;
        if items.is_empty() {
            Ok(())
        } else {
            Err(format!("{items:?}"))
        }
    })
    .await;
}

/// A peer's clock (or wish) cannot put its item on top of every list, or
/// its comment after every later one: a date in the future is taken as
/// the time it arrived.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_in_the_future_are_taken_as_now() {
    let (a, peer, eve) = followed_peer().await;
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let future = "9999-12-31T23:59:59Z";
    let id = peer.url("/pages/future");
    let page = json!({"id": id, "type": "Page", "attributedTo": eve.id,
        "name": "Alltid øverst", "content": "<p>x</p>", "to": [public],
        "published": future});
    send(&a, &eve, &activity(&eve, "Create", "future-page", page)).await;
    let item = a.wait_remote_item(&id).await;
    let published: chrono::DateTime<chrono::Utc> =
        item["published"].as_str().unwrap().parse().unwrap();
    assert!(published <= chrono::Utc::now(), "{item}");

    let local = a.publish("nav", "Høring", &["horing"]).await;
    let note = peer.url("/notes/future");
    let reply = json!({"id": note, "type": "Note", "attributedTo": eve.id,
        "inReplyTo": a.url(&format!("/items/{local}")), "content": "<p>Sist</p>",
        "to": [public], "published": future});
    send(&a, &eve, &activity(&eve, "Create", "future-note", reply)).await;
    let comments = a.comments(local).await;
    let published: chrono::DateTime<chrono::Utc> =
        comments[0]["published"].as_str().unwrap().parse().unwrap();
    assert!(published <= chrono::Utc::now(), "{comments:?}");
}
