//! Replies reach whom they answer; follow targets are checked before
//! anything is stored; a Follow processed twice is accepted once.

use crate::{
    helpers::{Instance, content_type, eventually, id_of, json_body},
    peer::{FakeActor, FakePeer, fake_keys, verify_received},
};
use chrono::Utc;
use deling_store::queries::inbox::{INBOX_DONE, INBOX_PENDING};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// B with agency oslo and one item, and a fake peer with actor eve (who
/// follows nobody on B).
struct Scene {
    b: Instance,
    peer: FakePeer,
    eve: FakeActor,
    item: i64,
}

async fn scene() -> Scene {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Svar meg", &["svar"]).await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    Scene { b, peer, eve, item }
}

/// Waits until the stored activity `id` has been processed; its status.
async fn processed(b: &Instance, id: &str) -> String {
    eventually(&format!("{id} processed"), async || {
        match b.store.get_inbox_activity(id).await.unwrap() {
            Some(row) if row.status != INBOX_PENDING => Ok(row.status),
            other => Err(format!("{other:?}")),
        }
    })
    .await
}

/// Waits until B has no delivery left to attempt.
async fn deliveries_done(b: &Instance) {
    b.deliveries_drained().await;
}

fn has_mention(tags: &Value, href: &str) -> bool {
    tags.as_array().is_some_and(|t| {
        t.iter()
            .any(|m| m["type"] == "Mention" && m["href"] == href)
    })
}

fn contains(list: &Value, id: &str) -> bool {
    match list {
        Value::String(s) => s == id,
        Value::Array(a) => a.iter().any(|v| v == id),
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_reaches_and_mentions_the_remote_author_answered() {
    let s = scene().await;
    let item_url = s.b.url(&format!("/items/{}", s.item));

    // eve comments on oslo's item.
    let create_id = s.eve.activity_id("create-note-1");
    let note_id = s.peer.url("/notes/1");
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": create_id, "type": "Create", "actor": s.eve.id, "to": [PUBLIC],
        "object": {
            "id": note_id, "type": "Note", "attributedTo": s.eve.id,
            "inReplyTo": item_url, "content": "<p>Hvem kan jeg spørre?</p>",
            "to": [PUBLIC], "published": Utc::now(),
        },
    });
    let resp = s
        .eve
        .post(&s.b.shared_inbox(), &create)
        .send(&s.b.client)
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );
    assert_eq!(processed(&s.b, &create_id).await, INBOX_DONE);
    let theirs =
        s.b.comments(s.item)
            .await
            .into_iter()
            .find(|c| c["ap_id"] == note_id.as_str())
            .expect("eve's comment is listed");
    assert!(s.b.follower_ids("oslo").await.is_empty());

    // oslo answers it.
    let resp =
        s.b.send(
            Method::POST,
            &format!("/api/v1/items/{}/comments", s.item),
            Some(
                &json!({"agency": "oslo", "body": "Spør **oss**.", "in_reply_to": id_of(&theirs)}),
            ),
        )
        .await;
    let reply = json_body(resp, StatusCode::CREATED).await;
    let reply_ap = reply["ap_id"].as_str().expect("ap_id").to_owned();

    // eve gets the reply although she follows nobody here.
    let got = eventually("oslo's reply at eve's server", async || {
        s.peer
            .received_of("Create")
            .into_iter()
            .find(|r| r.json()["object"]["id"] == reply_ap.as_str())
            .ok_or_else(|| format!("{:?}", s.peer.received()))
    })
    .await;
    assert!(
        got.path == "/inbox" || got.path == "/actors/eve/inbox",
        "delivered to {}",
        got.path
    );
    let oslo = s.b.actor_id("oslo");
    let agency = s.b.store.get_agency_by_slug("oslo").await.unwrap().unwrap();
    verify_received(&got, &format!("{oslo}#main-key"), &agency.public_key_pem)
        .unwrap_or_else(|e| panic!("oslo's reply: {e}"));
    let activity = got.json();
    assert_eq!(activity["actor"], oslo.as_str(), "{activity}");
    let note = &activity["object"];
    assert_eq!(note["type"], "Note", "{note}");
    assert_eq!(note["inReplyTo"], note_id.as_str(), "{note}");
    assert_eq!(note["attributedTo"], oslo.as_str(), "{note}");
    assert!(
        has_mention(&note["tag"], &s.eve.id),
        "no Mention of eve: {note}"
    );
    assert!(
        contains(&activity["cc"], &s.eve.id),
        "eve not in cc: {activity}"
    );
    assert!(
        contains(&note["cc"], &s.eve.id),
        "eve not in the Note's cc: {note}"
    );
    // Delivered once, although eve is both mentioned and the author answered.
    deliveries_done(&s.b).await;
    let copies = s
        .peer
        .received_of("Create")
        .into_iter()
        .filter(|r| r.json()["object"]["id"] == reply_ap.as_str())
        .count();
    assert_eq!(copies, 1, "the reply was delivered {copies} times");

    // The Note as B serves it says the same.
    let local_id = id_of(&reply);
    let resp =
        s.b.client
            .get(s.b.url(&format!("/comments/{local_id}")))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap();
    let served = json_body(resp, StatusCode::OK).await;
    assert_eq!(served["id"], reply_ap.as_str(), "{served}");
    assert_eq!(served["inReplyTo"], note_id.as_str(), "{served}");
    assert!(has_mention(&served["tag"], &s.eve.id), "{served}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_follow_targets_are_refused_before_anything_is_stored() {
    let b = Instance::spawn().await;
    b.agency("oslo").await;
    let path = "/api/v1/agencies/oslo/following";

    for target in [
        "nohandle",
        "@u@host:bad",
        "@@",
        "u@",
        "@u@-host",
        "ftp://x.example/u",
    ] {
        let resp = b
            .send(Method::POST, path, Some(&json!({ "target": target })))
            .await;
        let ct = content_type(&resp);
        let problem = json_body(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(ct.starts_with("application/problem+json"), "{target}: {ct}");
        let errors = problem["errors"].as_array().cloned().unwrap_or_default();
        assert!(
            errors.iter().any(|e| e["field"] == "target"),
            "{target}: the problem does not name target: {problem}"
        );
    }

    // Not an object at all.
    let resp = b.send(Method::POST, path, Some(&json!(["x"]))).await;
    let ct = content_type(&resp);
    let problem = json_body(resp, StatusCode::BAD_REQUEST).await;
    assert!(
        ct.starts_with("application/problem+json"),
        "{ct}: {problem}"
    );

    let following = b.get_json(path).await;
    assert_eq!(following, json!([]), "{following}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_processed_twice_is_accepted_once() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let id = s.eve.activity_id("follow-twice");
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id, "type": "Follow", "actor": s.eve.id, "object": oslo,
    });
    let resp = s
        .eve
        .post(&s.b.shared_inbox(), &follow)
        .send(&s.b.client)
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );
    let accepts_of = || {
        s.peer
            .received_of("Accept")
            .into_iter()
            .filter(|r| r.json()["object"]["id"] == id.as_str())
            .collect::<Vec<_>>()
    };
    let accept = eventually("B's Accept at eve's inbox", async || {
        accepts_of()
            .into_iter()
            .next()
            .ok_or_else(|| format!("{:?}", s.peer.received()))
    })
    .await;
    let accept_id = accept.json()["id"].as_str().expect("Accept id").to_owned();
    assert!(accept_id.starts_with(&s.b.base), "{accept_id}");
    assert_eq!(processed(&s.b, &id).await, INBOX_DONE);

    // The worker dies after processing the Follow but before marking it
    // done: the row is still pending as it was claimed, and it is
    // processed again.
    let row = s.b.store.get_inbox_activity(&id).await.unwrap().unwrap();
    let first_done = row.processed_at.expect("processed once");
    s.b.store
        .execute_unprepared(&format!(
            "UPDATE inbox_activity SET status = 'pending', attempts = 0, \
             processed_at = NULL WHERE id = {}",
            row.id
        ))
        .await
        .unwrap();
    // Something sent later is processed after it (rows go in arrival
    // order), and wakes the worker.
    let marker = s.eve.activity_id("like-after-follow");
    let like = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": marker,
        "type": "Like", "actor": s.eve.id, "object": s.b.url(&format!("/items/{}", s.item))});
    let resp = s
        .eve
        .post(&s.b.shared_inbox(), &like)
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    processed(&s.b, &marker).await;
    let again = processed(&s.b, &id).await;
    let row = s.b.store.get_inbox_activity(&id).await.unwrap().unwrap();
    assert!(
        row.attempts >= 1 && row.processed_at.is_some_and(|t| t > first_done),
        "the Follow was not processed again: {row:?}"
    );
    assert_eq!(
        again, INBOX_DONE,
        "processing the Follow again failed: {row:?}"
    );
    deliveries_done(&s.b).await;

    // One follower, one Accept queued and received.
    assert_eq!(s.b.follower_ids("oslo").await, vec![s.eve.id.clone()]);
    let queued = s.b.store.list_deliveries_of(&accept_id).await.unwrap();
    assert_eq!(queued.len(), 1, "{queued:?}");
    let accepts = accepts_of();
    assert_eq!(accepts.len(), 1, "Accepts of {id}: {accepts:?}");
    assert_eq!(accepts[0].json()["id"], accept_id.as_str());
}

/// A Create that names its Note only by id: Deling fetches it (signed) from
/// the author's server and stores it as the comment. An id on another
/// server, or a document that claims another id, is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_by_reference_is_fetched() {
    let s = scene().await;
    let item_url = s.b.url(&format!("/items/{}", s.item));
    let note_id = s.peer.url("/notes/1");
    s.peer.serve(
        "/notes/1",
        json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Note",
               "id": note_id, "attributedTo": s.eve.id, "inReplyTo": item_url,
               "content": "<p>Hentet etter id</p>", "to": [PUBLIC]}),
    );
    let create = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": s.eve.activity_id("create-by-ref"), "type": "Create", "actor": s.eve.id,
        "object": note_id, "to": [PUBLIC]});
    let resp = s
        .eve
        .post(&s.b.shared_inbox(), &create)
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(
        processed(&s.b, create["id"].as_str().unwrap()).await,
        INBOX_DONE
    );
    let comments = s.b.comments(s.item).await;
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert_eq!(comments[0]["ap_id"], note_id.as_str());
    assert!(
        comments[0]["content_html"]
            .as_str()
            .unwrap()
            .contains("Hentet etter id")
    );
    // The fetch was signed by B's instance actor.
    let fetches: Vec<_> = s
        .peer
        .fetched()
        .into_iter()
        .filter(|r| r.path == "/notes/1")
        .collect();
    assert_eq!(fetches.len(), 1);
    assert!(
        fetches[0].headers.contains_key("signature"),
        "{:?}",
        fetches[0].headers
    );

    // A document that says it is another object (which exists too) is not
    // taken: the id named is what must be stored.
    let liar = s.peer.url("/notes/2");
    let other = json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Note",
           "id": s.peer.url("/notes/3"), "attributedTo": s.eve.id, "inReplyTo": item_url,
           "content": "<p>Feil id</p>"});
    s.peer.serve("/notes/2", other.clone());
    s.peer.serve("/notes/3", other);
    // An id on another server is refused before any fetch.
    let elsewhere = FakePeer::spawn().await;
    elsewhere.serve(
        "/notes/9",
        json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Note",
               "id": elsewhere.url("/notes/9"), "attributedTo": s.eve.id,
               "inReplyTo": item_url, "content": "<p>Annen tjener</p>"}),
    );
    for (name, object) in [("liar", liar), ("foreign", elsewhere.url("/notes/9"))] {
        let create = json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": s.eve.activity_id(&format!("create-{name}")), "type": "Create",
            "actor": s.eve.id, "object": object});
        let resp = s
            .eve
            .post(&s.b.shared_inbox(), &create)
            .send(&s.b.client)
            .await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        let status = processed(&s.b, create["id"].as_str().unwrap()).await;
        assert_ne!(status, INBOX_DONE, "{name} was taken");
    }
    assert_eq!(s.b.comments(s.item).await.len(), 1);
    assert!(
        elsewhere.fetched().is_empty(),
        "the foreign id was fetched: {:?}",
        elsewhere
            .fetched()
            .iter()
            .map(|r| &r.path)
            .collect::<Vec<_>>()
    );
}

/// What has become of the comment an agency answered.
#[derive(Debug, Clone, Copy)]
enum ParentFate {
    /// Its author deleted it.
    Deleted,
    /// The agency's moderators hid it.
    Hidden,
    /// Its author narrowed it to her followers.
    Narrowed,
}

/// An agency's reply still answers the comment it answered when that
/// comment has been deleted, hidden or narrowed since: the edit and the
/// Delete of the reply go to the parent's author, as its Create did, and
/// keep `inReplyTo`; nothing of a narrowed parent is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replys_edit_and_delete_still_reach_the_author_of_a_gone_parent() {
    let s = scene().await;
    let item_url = s.b.url(&format!("/items/{}", s.item));
    for (n, fate) in [
        ParentFate::Deleted,
        ParentFate::Hidden,
        ParentFate::Narrowed,
    ]
    .into_iter()
    .enumerate()
    {
        // eve comments; oslo answers her; the answer reaches her.
        let note_id = s.peer.url(&format!("/notes/fate-{n}"));
        let text = format!("<p>Hemmelig {n}</p>");
        let note = |to: Value| {
            json!({"id": note_id, "type": "Note", "attributedTo": s.eve.id,
                "inReplyTo": item_url, "content": text, "to": to, "published": Utc::now()})
        };
        let create_id = s.eve.activity_id(&format!("create-fate-{n}"));
        let create = json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": create_id, "type": "Create", "actor": s.eve.id, "to": [PUBLIC],
            "object": note(json!([PUBLIC]))});
        let resp = s
            .eve
            .post(&s.b.shared_inbox(), &create)
            .send(&s.b.client)
            .await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        assert_eq!(processed(&s.b, &create_id).await, INBOX_DONE);
        let theirs =
            s.b.store
                .get_comment_by_ap_id(&note_id)
                .await
                .unwrap()
                .expect("held");
        let resp =
            s.b.send(
                Method::POST,
                &format!("/api/v1/items/{}/comments", s.item),
                Some(&json!({"agency": "oslo", "body": "Svar", "in_reply_to": theirs.id})),
            )
            .await;
        let reply = json_body(resp, StatusCode::CREATED).await;
        let reply_ap = reply["ap_id"].as_str().unwrap().to_owned();
        let reply_path = format!("/api/v1/comments/{}", id_of(&reply));
        let at_eve = async |kind: &str| {
            eventually(
                &format!("the reply's {kind} at eve's ({fate:?})"),
                async || {
                    s.peer
                        .received_of(kind)
                        .into_iter()
                        .map(|r| r.json())
                        .find(|a| {
                            a["object"]["id"] == reply_ap.as_str()
                                || a["object"] == reply_ap.as_str()
                        })
                        .ok_or_else(|| "not yet".to_owned())
                },
            )
            .await
        };
        at_eve("Create").await;

        // The parent's fate.
        match fate {
            ParentFate::Deleted => {
                let id = s.eve.activity_id(&format!("delete-fate-{n}"));
                let delete = json!({"@context": "https://www.w3.org/ns/activitystreams",
                    "id": id, "type": "Delete", "actor": s.eve.id, "to": [PUBLIC],
                    "object": {"id": note_id, "type": "Tombstone"}});
                let resp = s
                    .eve
                    .post(&s.b.shared_inbox(), &delete)
                    .send(&s.b.client)
                    .await;
                assert_eq!(resp.status(), StatusCode::ACCEPTED);
                assert_eq!(processed(&s.b, &id).await, INBOX_DONE);
            }
            ParentFate::Hidden => {
                let resp =
                    s.b.send(
                        Method::POST,
                        &format!("/api/v1/comments/{}/hide", theirs.id),
                        None,
                    )
                    .await;
                assert_eq!(resp.status(), StatusCode::NO_CONTENT);
            }
            ParentFate::Narrowed => {
                let id = s.eve.activity_id(&format!("narrow-fate-{n}"));
                let followers = format!("{}/followers", s.eve.id);
                let update = json!({"@context": "https://www.w3.org/ns/activitystreams",
                    "id": id, "type": "Update", "actor": s.eve.id, "to": [followers],
                    "object": note(json!([followers]))});
                let resp = s
                    .eve
                    .post(&s.b.shared_inbox(), &update)
                    .send(&s.b.client)
                    .await;
                assert_eq!(resp.status(), StatusCode::ACCEPTED);
                assert_eq!(processed(&s.b, &id).await, INBOX_DONE);
            }
        }
        assert!(
            s.b.comments(s.item)
                .await
                .iter()
                .all(|c| c["ap_id"] != note_id.as_str()),
            "the parent is still shown ({fate:?})"
        );

        // oslo edits its reply: eve gets the Update, still answering her.
        let resp =
            s.b.send(
                Method::PATCH,
                &reply_path,
                Some(&json!({"body": "Rettet svar"})),
            )
            .await;
        json_body(resp, StatusCode::OK).await;
        let update = at_eve("Update").await;
        let edited = &update["object"];
        assert_eq!(edited["inReplyTo"], note_id.as_str(), "{fate:?}: {update}");
        assert!(has_mention(&edited["tag"], &s.eve.id), "{fate:?}: {update}");
        assert!(contains(&update["cc"], &s.eve.id), "{fate:?}: {update}");
        assert!(
            !update.to_string().contains("Hemmelig"),
            "the parent's content was sent ({fate:?}): {update}"
        );
        // oslo deletes it: eve gets the Delete.
        let resp = s.b.send(Method::DELETE, &reply_path, None).await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        let delete = at_eve("Delete").await;
        assert!(contains(&delete["cc"], &s.eve.id), "{fate:?}: {delete}");
    }
}
