//! Likes and boosts from the fediverse, as the API shows them: counts on
//! the item (single and listed) for everyone, and who gave them for the
//! agency's staff.

use crate::{
    helpers::{Instance, eventually, json_body},
    peer::{FakePeer, fake_keys},
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const AS: &str = "https://www.w3.org/ns/activitystreams";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_who_liked_and_boosted_an_item() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Veileder for byggesak", &[]).await;
    let quiet = b.publish("oslo", "Ingen reagerer", &[]).await;
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let ola = peer.actor("ola", k2);
    let object = b.url(&format!("/items/{item}"));

    let counts = async |id: i64| -> Value {
        b.get_json(&format!("/api/v1/items/{id}")).await["counts"].clone()
    };
    assert_eq!(
        counts(item).await,
        json!({"likes": 0, "shares": 0, "comments": 0})
    );

    let like = json!({"@context": AS, "id": eve.activity_id("like-1"), "type": "Like",
        "actor": eve.id, "object": object});
    let again = json!({"@context": AS, "id": eve.activity_id("like-2"), "type": "Like",
        "actor": eve.id, "object": object});
    let boost = json!({"@context": AS, "id": ola.activity_id("boost-1"), "type": "Announce",
        "actor": ola.id, "object": object, "to": [format!("{AS}#Public")]});
    let boost_eve = json!({"@context": AS, "id": eve.activity_id("boost-2"), "type": "Announce",
        "actor": eve.id, "object": object});
    for (who, activity) in [
        (&eve, &like),
        (&eve, &again),
        (&ola, &boost),
        (&eve, &boost_eve),
    ] {
        let resp = who.post(&b.shared_inbox(), activity).send(&b.client).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "{activity}");
    }

    // A second Like by the same actor counts once.
    eventually("the reactions to be counted", async || {
        let c = counts(item).await;
        if c == json!({"likes": 1, "shares": 2, "comments": 0}) {
            Ok(())
        } else {
            Err(c.to_string())
        }
    })
    .await;

    // The list of items carries the same counts (counted for the page at
    // once), and zeros for an item nobody reacted to.
    let page = b.get_json("/api/v1/items?agency=oslo").await;
    let listed: Vec<(i64, Value)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_i64().unwrap(), i["counts"].clone()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (quiet, json!({"likes": 0, "shares": 0, "comments": 0})),
            (item, json!({"likes": 1, "shares": 2, "comments": 0})),
        ]
    );

    // Who: newest first, with the actors' ids.
    let reactions = json_body(
        b.send(
            Method::GET,
            &format!("/api/v1/items/{item}/reactions"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let who: Vec<(&str, &str)> = reactions
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap(),
                r["actor"]["actor_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        who,
        [
            ("announce", eve.id.as_str()),
            ("announce", ola.id.as_str()),
            ("like", eve.id.as_str()),
        ]
    );
    assert_eq!(reactions[0]["actor"]["origin"], "remote");

    // Undo of the Like: gone from both.
    let undo = json!({"@context": AS, "id": eve.activity_id("undo-like-1"), "type": "Undo",
        "actor": eve.id, "object": like});
    let resp = eve.post(&b.shared_inbox(), &undo).send(&b.client).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    eventually("the Like to be taken back", async || {
        let c = counts(item).await;
        if c["likes"] == 0 {
            Ok(())
        } else {
            Err(c.to_string())
        }
    })
    .await;
    let reactions = json_body(
        b.send(
            Method::GET,
            &format!("/api/v1/items/{item}/reactions"),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        reactions
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["kind"] == "announce"),
        "{reactions}"
    );

    // Who reacted is for the agency's staff: not without a token, not for
    // others; counts stay public.
    let path = format!("/api/v1/items/{item}/reactions");
    assert_eq!(b.get(&path).await.status(), StatusCode::UNAUTHORIZED);
    let stranger = b.staff_token("stranger", false, None).await;
    let resp = b.send_as(&stranger, Method::GET, &path, None).await;
    json_body(resp, StatusCode::FORBIDDEN).await;

    // Unknown and withdrawn items.
    let resp = b
        .send(Method::GET, "/api/v1/items/999999/reactions", None)
        .await;
    json_body(resp, StatusCode::NOT_FOUND).await;
    let resp = b
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/items/{quiet}"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = b
        .send(
            Method::GET,
            &format!("/api/v1/items/{quiet}/reactions"),
            None,
        )
        .await;
    json_body(resp, StatusCode::GONE).await;
}

/// Those who boosted, liked or answered an item hold a copy of it: its
/// edits and its withdrawal reach them though they do not follow the
/// agency, as Mastodon sends a status's Update and Delete to them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_and_withdrawal_reach_whoever_the_item_reached() {
    let (b, likers, commenters) =
        tokio::join!(Instance::spawn(), FakePeer::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Veileder for byggesak", &[]).await;
    let object = b.url(&format!("/items/{item}"));
    let [k1, k2] = fake_keys().await;
    let eve = likers.actor("eve", k1);
    let ola = commenters.actor("ola", k2);
    let like = json!({"@context": AS, "id": eve.activity_id("like"), "type": "Like",
        "actor": eve.id, "object": object});
    let reply = json!({"@context": AS, "id": ola.activity_id("reply"), "type": "Create",
        "actor": ola.id, "object": {"id": commenters.url("/notes/1"), "type": "Note",
            "attributedTo": ola.id, "inReplyTo": object, "to": [format!("{AS}#Public")],
            "content": "<p>Takk!</p>"}});
    for (who, activity) in [(&eve, &like), (&ola, &reply)] {
        let resp = who.post(&b.shared_inbox(), activity).send(&b.client).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "{activity}");
    }
    eventually("the like and the comment", async || {
        let c = b.get_json(&format!("/api/v1/items/{item}")).await["counts"].clone();
        if c["likes"] == 1 && c["comments"] == 1 {
            Ok(())
        } else {
            Err(c.to_string())
        }
    })
    .await;

    let resp = b
        .send(
            Method::PATCH,
            &format!("/api/v1/items/{item}"),
            Some(&json!({"title": "Veileder for byggesak, rettet"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = b
        .send(Method::DELETE, &format!("/api/v1/items/{item}"), None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    for (name, peer) in [("eve's server", &likers), ("ola's server", &commenters)] {
        let update = eventually(&format!("the Update at {name}"), async || {
            peer.received_of("Update")
                .into_iter()
                .map(|r| r.json())
                .find(|u| u["object"]["id"] == object.as_str())
                .ok_or_else(|| format!("{:?}", peer.received()))
        })
        .await;
        // Neither speaks Deling: the Note, which Mastodon lets be edited.
        assert_eq!(update["object"]["type"], "Note", "{update}");
        eventually(&format!("the Delete at {name}"), async || {
            peer.received_of("Delete")
                .into_iter()
                .map(|r| r.json())
                .find(|d| d["object"]["id"] == object.as_str())
                .map(|_| ())
                .ok_or_else(|| format!("{:?}", peer.received()))
        })
        .await;
    }
}
