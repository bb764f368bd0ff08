//! Blocks one agency keeps (`/api/v1/agencies/{slug}/blocks`, and an
//! editor's "block the author"): what a blocked actor sends that concerns
//! the agency is refused, while the other agencies on the same instance
//! still hear it; the block hides the actor's comments on the agency's
//! items and ends its follow, and only the agency's editors (and
//! instance admins) may set or lift it.

use super::policy::{
    audit, create_note, deliver, follow, get_as, listed, status_text, wait_comment,
};
use crate::{
    helpers::{Instance, eventually, json_body},
    peer::{FakeActor, FakePeer, fake_keys},
};
use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const AS: &str = "https://www.w3.org/ns/activitystreams";

/// Delivers `activity` from `actor`, accepted at the door, and waits
/// until `b` has processed it.
async fn settle(b: &Instance, actor: &FakeActor, activity: &Value) {
    deliver(b, actor, activity, StatusCode::ACCEPTED).await;
    b.processed(activity["id"].as_str().expect("an id")).await;
}

/// Whether `actor` follows the agency `agency_id` on `b`.
async fn follows(b: &Instance, agency_id: i64, actor: &FakeActor) -> bool {
    let remote = b
        .store
        .get_remote_actor_by_ap_id(&actor.id)
        .await
        .unwrap()
        .expect("the actor is known");
    b.store.is_follower(agency_id, remote.id).await.unwrap()
}

/// The likes counted on item `item`.
async fn likes(b: &Instance, item: i64) -> i64 {
    b.get_json(&format!("/api/v1/items/{item}")).await["counts"]["likes"]
        .as_i64()
        .unwrap_or_default()
}

/// How many messages `slug`'s staff inbox holds.
async fn messages(b: &Instance, slug: &str) -> usize {
    let path = format!("/api/v1/agencies/{slug}/messages");
    json_body(b.send(Method::GET, &path, None).await, StatusCode::OK).await["messages"]
        .as_array()
        .map_or(0, Vec::len)
}

fn blocks_path(slug: &str, actor: &str) -> String {
    let actor: String = url::form_urlencoded::byte_serialize(actor.as_bytes()).collect();
    format!("/api/v1/agencies/{slug}/blocks?actor={actor}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agencys_block_holds_for_that_agency_alone() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    let oslo = b.agency("oslo").await;
    let bergen = b.agency("bergen").await;
    let oslo_item = b.publish("oslo", "Oslos sak", &["sak"]).await;
    let bergen_item = b.publish("bergen", "Bergens sak", &["sak"]).await;
    let (oslo_ap, bergen_ap) = (
        b.url(&format!("/items/{oslo_item}")),
        b.url(&format!("/items/{bergen_item}")),
    );
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let ola = peer.actor("ola", k2);

    // eve follows both agencies and comments on both items.
    settle(&b, &eve, &follow(&eve, "f-oslo", &b.actor_id("oslo"))).await;
    settle(&b, &eve, &follow(&eve, "f-bergen", &b.actor_id("bergen"))).await;
    let (c, eve_on_oslo) = create_note(&eve, "n-oslo", &oslo_ap, "<p>Søppel</p>");
    settle(&b, &eve, &c).await;
    let (c, eve_on_bergen) = create_note(&eve, "n-bergen", &bergen_ap, "<p>Hei</p>");
    settle(&b, &eve, &c).await;
    wait_comment(&b, oslo_item, &eve_on_oslo).await;
    wait_comment(&b, bergen_item, &eve_on_bergen).await;
    assert!(follows(&b, oslo.id, &eve).await && follows(&b, bergen.id, &eve).await);

    // Only oslo's editors (or an instance admin) keep oslo's list.
    let bergen_editor = b.staff_token("bergen-editor", false, Some(bergen.id)).await;
    let body = json!({"actor": eve.id, "reason": "spam"});
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/agencies/oslo/blocks".to_owned(),
            Some(&body),
        ),
        (Method::GET, "/api/v1/agencies/oslo/blocks".to_owned(), None),
        (Method::DELETE, blocks_path("oslo", &eve.id), None),
    ] {
        let (status, text) =
            status_text(b.send_as(&bergen_editor, method.clone(), &path, body).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {text}");
    }
    // Not an actor id, or an agency here: refused, nothing stored.
    for (actor, status) in [
        ("eve", StatusCode::UNPROCESSABLE_ENTITY),
        ("ftp://peer.example/eve", StatusCode::UNPROCESSABLE_ENTITY),
        (b.actor_id("bergen").as_str(), StatusCode::CONFLICT),
    ] {
        let resp = b
            .send(
                Method::POST,
                "/api/v1/agencies/oslo/blocks",
                Some(&json!({"actor": actor})),
            )
            .await;
        let (got, text) = status_text(resp).await;
        assert_eq!(got, status, "{actor}: {text}");
        assert!(text.contains("\"status\""), "not a problem body: {text}");
    }
    assert!(
        b.store
            .list_agency_blocks(&[oslo.id])
            .await
            .unwrap()
            .is_empty()
    );

    // oslo's editor blocks eve: eve's comment on oslo's item is hidden and
    // the follow of oslo ends; bergen keeps both.
    let resp = b
        .send(Method::POST, "/api/v1/agencies/oslo/blocks", Some(&body))
        .await;
    let made = json_body(resp, StatusCode::CREATED).await;
    assert_eq!(made["actor"], eve.id.as_str(), "{made}");
    assert_eq!(made["reason"], "spam", "{made}");
    assert_eq!(made["comments_hidden"], 1, "{made}");
    assert_eq!(made["follow_ended"], true, "{made}");
    assert!(!listed(&b, oslo_item, &eve_on_oslo).await);
    assert!(listed(&b, bergen_item, &eve_on_bergen).await);
    assert!(!follows(&b, oslo.id, &eve).await);
    assert!(follows(&b, bergen.id, &eve).await);
    let admin = b.staff_token("admin", true, None).await;
    assert_eq!(
        get_as(&b, &admin, "/api/v1/admin/actor-blocks").await,
        json!([])
    );
    let entry = audit(&b, &admin)
        .await
        .into_iter()
        .find(|e| e["action"] == "agency_block.put")
        .expect("an audit entry for the block");
    assert_eq!(entry["target"], format!("oslo/{}", eve.id), "{entry}");
    assert_eq!(entry["details"]["comments_hidden"], 1, "{entry}");

    // From now on oslo refuses eve: a follow, a comment, a like. bergen
    // still takes them, and oslo still takes ola's.
    settle(&b, &eve, &follow(&eve, "f-oslo-2", &b.actor_id("oslo"))).await;
    assert!(
        !follows(&b, oslo.id, &eve).await,
        "a blocked actor followed oslo"
    );
    let (c, again) = create_note(&eve, "n-oslo-2", &oslo_ap, "<p>Igjen</p>");
    settle(&b, &eve, &c).await;
    assert!(
        b.store
            .get_comment_by_ap_id(&again)
            .await
            .unwrap()
            .is_none()
    );
    let (c, ola_on_oslo) = create_note(&ola, "n-ola", &oslo_ap, "<p>Takk</p>");
    settle(&b, &ola, &c).await;
    wait_comment(&b, oslo_item, &ola_on_oslo).await;
    for (name, object) in [("like-oslo", &oslo_ap), ("like-bergen", &bergen_ap)] {
        let like = json!({"@context": AS, "id": eve.activity_id(name), "type": "Like",
            "actor": eve.id, "object": object});
        settle(&b, &eve, &like).await;
    }
    assert_eq!(
        likes(&b, oslo_item).await,
        0,
        "a blocked actor's like counted"
    );
    assert_eq!(likes(&b, bergen_item).await, 1);
    let boost = json!({"@context": AS, "id": eve.activity_id("boost-oslo"), "type": "Announce",
        "actor": eve.id, "object": oslo_ap, "to": [format!("{AS}#Public")]});
    settle(&b, &eve, &boost).await;
    let counts = b.get_json(&format!("/api/v1/items/{oslo_item}")).await["counts"].clone();
    assert_eq!(
        counts["shares"], 0,
        "a blocked actor's boost counted: {counts}"
    );

    // Nor can eve rewrite her hidden comment on oslo's item by naming
    // another item in an Update.
    let update = json!({"@context": AS, "id": eve.activity_id("u-oslo"), "type": "Update",
        "actor": eve.id, "to": [format!("{AS}#Public")],
        "object": {"id": eve_on_oslo, "type": "Note", "attributedTo": eve.id,
            "inReplyTo": bergen_ap, "to": [format!("{AS}#Public")],
            "content": "<p>Omskrevet</p>", "published": Utc::now()}});
    settle(&b, &eve, &update).await;
    let kept = b
        .store
        .get_comment_by_ap_id(&eve_on_oslo)
        .await
        .unwrap()
        .expect("the hidden comment is kept");
    assert!(
        kept.content_html.contains("Søppel"),
        "rewritten: {}",
        kept.content_html
    );

    // A message to both agencies reaches bergen's staff alone.
    let (oslo_actor, bergen_actor) = (b.actor_id("oslo"), b.actor_id("bergen"));
    let dm = json!({"@context": AS, "id": eve.activity_id("dm"), "type": "Create",
        "actor": eve.id, "to": [oslo_actor, bergen_actor], "cc": [],
        "object": {"id": peer.url("/notes/dm"), "type": "Note", "attributedTo": eve.id,
            "to": [oslo_actor, bergen_actor], "cc": [], "published": Utc::now(),
            "tag": [{"type": "Mention", "href": oslo_actor}, {"type": "Mention", "href": bergen_actor}],
            "content": "<p>Til dere begge</p>"}});
    settle(&b, &eve, &dm).await;
    assert_eq!(messages(&b, "bergen").await, 1);
    assert_eq!(
        messages(&b, "oslo").await,
        0,
        "oslo got a blocked actor's message"
    );

    // Listed for oslo's editors; lifted once, then unknown.
    let resp = b
        .send(Method::GET, "/api/v1/agencies/oslo/blocks", None)
        .await;
    let list = json_body(resp, StatusCode::OK).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["actor"], eve.id.as_str(), "{list}");
    let path = blocks_path("oslo", &eve.id);
    let resp = b.send(Method::DELETE, &path, None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = b.send(Method::DELETE, &path, None).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(
        audit(&b, &admin)
            .await
            .iter()
            .any(|e| e["action"] == "agency_block.delete"),
        "no audit entry for lifting the block"
    );
    // The hidden comment stays hidden; eve may follow oslo again.
    assert!(!listed(&b, oslo_item, &eve_on_oslo).await);
    settle(&b, &eve, &follow(&eve, "f-oslo-3", &b.actor_id("oslo"))).await;
    eventually("eve follows oslo again", async || {
        if follows(&b, oslo.id, &eve).await {
            Ok(())
        } else {
            Err("not yet".to_owned())
        }
    })
    .await;
}
