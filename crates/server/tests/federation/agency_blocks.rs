//! Blocks one agency keeps (`/api/v1/agencies/{slug}/blocks`, and an
//! editor's "block the author"): what a blocked actor sends that concerns
//! the agency is refused, while the other agencies on the same instance
//! still hear it; the block hides the actor's comments on the agency's
//! items and ends its follows both ways (telling its server with a
//! `Reject` and an `Undo`), a Move does not escape it, and only the
//! agency's editors (and instance admins) may set or lift it.

use super::{
    moving::{account, move_of, outcome},
    policy::{audit, create_note, deliver, follow, get_as, listed, status_text, wait_comment},
};
use crate::{
    helpers::{Instance, eventually, json_body},
    peer::{FakeActor, FakePeer, fake_keys, verify_received},
};
use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const AS: &str = "https://www.w3.org/ns/activitystreams";

/// Delivers `activity` from `actor`, accepted at the door, and waits
/// until `b` has processed it.
pub(super) async fn settle(b: &Instance, actor: &FakeActor, activity: &Value) {
    deliver(b, actor, activity, StatusCode::ACCEPTED).await;
    b.processed(activity["id"].as_str().expect("an id")).await;
}

/// Whether `actor` follows the agency `agency_id` on `b`.
pub(super) async fn follows(b: &Instance, agency_id: i64, actor: &FakeActor) -> bool {
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

/// The first activity of `kind` posted to the peer whose `object`
/// satisfies `pick`, waited for.
pub(super) async fn posted(
    peer: &FakePeer,
    kind: &str,
    pick: impl Fn(&Value) -> bool,
) -> crate::peer::Received {
    eventually(&format!("a {kind} at the peer"), async || {
        peer.received_of(kind)
            .into_iter()
            .find(|r| pick(&r.json()["object"]))
            .ok_or_else(|| {
                format!(
                    "{:?}",
                    peer.received().iter().map(|r| r.json()).collect::<Vec<_>>()
                )
            })
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_is_told_to_the_blocked_server_and_survives_a_move() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    let oslo = b.agency("oslo").await;
    let bergen = b.agency("bergen").await;
    let oslo_id = b.actor_id("oslo");
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    // eve's next account names the old one, as Mastodon's alias does.
    let eve2 = account(&peer, "eve2", k2, &[&eve.id]);

    // eve follows both agencies, and oslo follows eve (still pending).
    let first = follow(&eve, "f-oslo", &oslo_id);
    settle(&b, &eve, &first).await;
    settle(&b, &eve, &follow(&eve, "f-bergen", &b.actor_id("bergen"))).await;
    b.follow("oslo", &eve.id).await;
    let oslos_follow = posted(&peer, "Follow", |o| o == &json!(eve.id))
        .await
        .json();
    assert!(follows(&b, oslo.id, &eve).await);

    let resp = b
        .send(
            Method::POST,
            "/api/v1/agencies/oslo/blocks",
            Some(&json!({"actor": eve.id, "reason": "spam"})),
        )
        .await;
    let made = json_body(resp, StatusCode::CREATED).await;
    assert_eq!(made["follow_ended"], true, "{made}");
    assert_eq!(made["following_ended"], true, "{made}");

    // eve's server hears that she no longer follows oslo: a Reject of
    // her Follow, to her own inbox, signed by oslo, as Mastodon's "remove
    // follower" sends it.
    let reject = posted(&peer, "Reject", |o| o["id"] == first["id"]).await;
    assert_eq!(reject.path, "/actors/eve/inbox");
    let doc = reject.json();
    assert_eq!(doc["actor"], oslo_id.as_str(), "{doc}");
    assert_eq!(doc["object"]["type"], "Follow", "{doc}");
    assert_eq!(doc["object"]["actor"], eve.id.as_str(), "{doc}");
    assert_eq!(doc["object"]["object"], oslo_id.as_str(), "{doc}");
    verify_received(
        &reject,
        &format!("{oslo_id}#main-key"),
        &oslo.public_key_pem,
    )
    .unwrap_or_else(|e| panic!("oslo's Reject: {e}"));
    // And oslo's own follow of eve is taken back.
    let undo = posted(&peer, "Undo", |o| o["id"] == oslos_follow["id"])
        .await
        .json();
    assert_eq!(undo["actor"], oslo_id.as_str(), "{undo}");
    assert_eq!(undo["object"]["object"], eve.id.as_str(), "{undo}");
    assert_eq!(b.following_state("oslo", &eve.id).await, None);
    // bergen's follower is not touched, nor told anything.
    assert!(follows(&b, bergen.id, &eve).await);
    let bergen_id = b.actor_id("bergen");
    assert!(
        peer.received_of("Reject")
            .iter()
            .all(|r| r.json()["actor"] != bergen_id.as_str()),
        "bergen rejected eve"
    );

    // Following oslo again is answered with a Reject embedding that
    // Follow as sent, not left pending on eve's server.
    let again = follow(&eve, "f-oslo-2", &oslo_id);
    settle(&b, &eve, &again).await;
    let reject = posted(&peer, "Reject", |o| o["id"] == again["id"])
        .await
        .json();
    assert_eq!(reject["object"]["object"], oslo_id.as_str(), "{reject}");
    assert!(!follows(&b, oslo.id, &eve).await);

    // eve moves to eve2: oslo's block goes with her (bergen blocks
    // neither), written to oslo's audit log.
    let moved = move_of(&eve, &eve2, "move");
    settle(&b, &eve, &moved).await;
    let (status, error) = outcome(&b, moved["id"].as_str().unwrap()).await;
    assert_eq!(status, "done", "{error:?}");
    assert!(
        b.store
            .is_blocked_by_agency(oslo.id, &eve2.id)
            .await
            .unwrap()
    );
    assert!(
        !b.store
            .is_blocked_by_agency(bergen.id, &eve2.id)
            .await
            .unwrap()
    );
    let carried = b
        .store
        .list_blocks_of_actor(&eve2.id)
        .await
        .unwrap()
        .pop()
        .expect("the carried block");
    assert!(
        carried
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("spam")
            && carried
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains(&eve.id),
        "{carried:?}"
    );
    let admin = b.staff_token("admin", true, None).await;
    let log = get_as(&b, &admin, "/api/v1/agencies/oslo/audit").await;
    let entry = log
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|e| e["details"]["moved_from"] == eve.id.as_str())
                .cloned()
        })
        .unwrap_or_else(|| panic!("no audit entry for the carried block: {log}"));
    assert_eq!(entry["action"], "agency_block.put", "{entry}");
    assert_eq!(entry["target"], format!("oslo/{}", eve2.id), "{entry}");
    // What eve2 sends oslo is refused: her Follow gets a Reject.
    let third = follow(&eve2, "f-oslo-3", &oslo_id);
    settle(&b, &eve2, &third).await;
    posted(&peer, "Reject", |o| o["id"] == third["id"]).await;
    assert!(
        !follows(&b, oslo.id, &eve2).await,
        "a moved account follows the agency that blocked it"
    );
}
