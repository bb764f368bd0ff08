//! What a silenced host's actor sends an agency privately is held for
//! the agency's staff: not in the staff inbox's listing until released,
//! listed apart with `held=true`, not answered while held, and deleted
//! there if the staff want it gone. Edits keep each copy as its staff
//! left it; a reply to the agency's own answer is held all the same. A
//! host that is not silenced is not held back.

use crate::{
    helpers::{Instance, json_body},
    peer::{FakeActor, FakePeer, fake_keys},
    policy::{audit, audited},
};
use deling_store::queries::inbox::INBOX_DONE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const MESSAGES: &str = "/api/v1/agencies/oslo/messages";

/// A direct `kind` (Create or Update) of Note `note` by `actor` to oslo,
/// sent as activity `name`, answering `in_reply_to` if given; waits until
/// it is processed, and expects it taken.
async fn send_direct(
    b: &Instance,
    actor: &FakeActor,
    (kind, name): (&str, &str),
    note: &str,
    text: &str,
    in_reply_to: Option<&str>,
) {
    let to = b.actor_id("oslo");
    let to = to.as_str();
    let mut object = json!({
        "id": note, "type": "Note", "attributedTo": actor.id,
        "to": [to], "cc": [], "tag": [{"type": "Mention", "href": to}],
        "content": format!("<p>{text}</p>"),
    });
    if let Some(parent) = in_reply_to {
        object["inReplyTo"] = json!(parent);
    }
    let id = actor.activity_id(name);
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id, "type": kind, "actor": actor.id, "to": [to], "object": object,
    });
    let resp = actor
        .post(&b.shared_inbox(), &activity)
        .send(&b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{id}");
    assert_eq!(b.processed(&id).await.status, INBOX_DONE, "{id}");
}

/// oslo's inbox as its editor lists it (`held=true`: the held messages).
async fn listed(b: &Instance, held: bool) -> Vec<Value> {
    let path = if held {
        format!("{MESSAGES}?held=true")
    } else {
        MESSAGES.to_owned()
    };
    let resp = b.send(Method::GET, &path, None).await;
    json_body(resp, StatusCode::OK).await["messages"]
        .as_array()
        .expect("messages")
        .clone()
}

/// The message of ActivityPub id `note` among `messages`.
fn find<'a>(messages: &'a [Value], note: &str) -> Option<&'a Value> {
    messages.iter().find(|m| m["ap_id"] == note)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silenced_hosts_message_is_held_until_the_staff_release_it() {
    held_until_released(Instance::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silenced_hosts_message_is_held_until_the_staff_release_it_on_postgres() {
    if let Some(b) = Instance::spawn_postgres().await {
        held_until_released(b).await;
    }
}

async fn held_until_released(b: Instance) {
    let (loud, quiet) = tokio::join!(FakePeer::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let [k1, k2] = fake_keys().await;
    let eve = loud.actor("eve", k1);
    let ola = quiet.actor("ola", k2);
    // Only eve's server (host and port) is silenced: ola's, on the same
    // name with another port, is not.
    let admin = b.staff_token("admin", true, None).await;
    let resp = b
        .send_as(
            &admin,
            Method::POST,
            "/api/v1/admin/domain-blocks",
            Some(&json!({"domain": loud.domain, "severity": "silence"})),
        )
        .await;
    assert_eq!(
        json_body(resp, StatusCode::CREATED).await["severity"],
        "silence"
    );

    let eve_note = loud.url("/notes/held-1");
    send_direct(
        &b,
        &eve,
        ("Create", "held-1"),
        &eve_note,
        "Kjøp billig",
        None,
    )
    .await;
    let ola_note = quiet.url("/notes/open-1");
    send_direct(
        &b,
        &ola,
        ("Create", "open-1"),
        &ola_note,
        "Et spørsmål",
        None,
    )
    .await;

    // ola's message is in the inbox as ever; eve's only among the held.
    let inbox = listed(&b, false).await;
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert_eq!(find(&inbox, &ola_note).expect("ola's")["held"], false);
    let held = listed(&b, true).await;
    assert_eq!(held.len(), 1, "{held:?}");
    let m = find(&held, &eve_note).expect("eve's, held").clone();
    assert_eq!(m["held"], true);
    assert!(m["content_html"].as_str().unwrap().contains("Kjøp billig"));
    let path = format!("{MESSAGES}/{}", m["id"]);

    // Not answered while held: the staff release it first.
    let resp = b
        .send(
            Method::POST,
            &format!("{path}/replies"),
            Some(&json!({"body": "Nei takk."})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(loud.received_of("Create").is_empty());

    // Only oslo's staff release it: not another agency's editor, not an
    // instance admin off its staff.
    let bergen = b.agency("bergen").await;
    let bergen_editor = b.staff_token("bergen_editor", false, Some(bergen.id)).await;
    for token in [&bergen_editor, &admin] {
        let resp = b
            .send_as(token, Method::POST, &format!("{path}/release"), None)
            .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }

    // An edit of a held message stays held.
    send_direct(
        &b,
        &eve,
        ("Update", "held-1-edit"),
        &eve_note,
        "Kjøp billigere",
        None,
    )
    .await;
    let held = listed(&b, true).await;
    let edited = find(&held, &eve_note).expect("still held");
    assert!(
        edited["content_html"]
            .as_str()
            .unwrap()
            .contains("billigere")
    );
    assert!(find(&listed(&b, false).await, &eve_note).is_none());

    // Released: in the inbox, no longer held; a second release is refused.
    let resp = b.send(Method::POST, &format!("{path}/release"), None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let inbox = listed(&b, false).await;
    assert_eq!(find(&inbox, &eve_note).expect("released")["held"], false);
    assert!(listed(&b, true).await.is_empty());
    let resp = b.send(Method::POST, &format!("{path}/release"), None).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    audited(
        &audit(&b, &admin).await,
        "message.release",
        &format!("oslo/messages/{}", m["id"]),
        "editor",
    );

    // A released message edited stays released.
    send_direct(
        &b,
        &eve,
        ("Update", "held-1-edit-2"),
        &eve_note,
        "Siste tilbud",
        None,
    )
    .await;
    let inbox = listed(&b, false).await;
    let edited = find(&inbox, &eve_note).expect("still released");
    assert!(
        edited["content_html"]
            .as_str()
            .unwrap()
            .contains("Siste tilbud")
    );

    // Now it is answered; eve's reply to the answer is held again: the
    // host is silenced, whatever it answers.
    let resp = b
        .send(
            Method::POST,
            &format!("{path}/replies"),
            Some(&json!({"body": "Nei takk."})),
        )
        .await;
    let answer = json_body(resp, StatusCode::CREATED).await;
    let answer_ap = answer["ap_id"].as_str().unwrap().to_owned();
    let reply_note = loud.url("/notes/held-2");
    send_direct(
        &b,
        &eve,
        ("Create", "held-2"),
        &reply_note,
        "Men tenk over det",
        Some(&answer_ap),
    )
    .await;
    let held = listed(&b, true).await;
    let reply = find(&held, &reply_note).expect("the reply, held").clone();
    assert_eq!(reply["in_reply_to_message_id"], answer["id"]);
    assert!(find(&listed(&b, false).await, &reply_note).is_none());

    // Deleted by the staff: gone from both lists and by id, and an edit
    // does not bring it back.
    let reply_path = format!("{MESSAGES}/{}", reply["id"]);
    let resp = b.send(Method::DELETE, &reply_path, None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(listed(&b, true).await.is_empty());
    let resp = b.send(Method::GET, &reply_path, None).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    send_direct(
        &b,
        &eve,
        ("Update", "held-2-edit"),
        &reply_note,
        "Igjen",
        Some(&answer_ap),
    )
    .await;
    assert!(listed(&b, true).await.is_empty());
    assert!(find(&listed(&b, false).await, &reply_note).is_none());
    audited(
        &audit(&b, &admin).await,
        "message.delete",
        &format!("oslo/messages/{}", reply["id"]),
        "editor",
    );
    // The agency's own answer is not deleted this way.
    let resp = b
        .send(
            Method::DELETE,
            &format!("{MESSAGES}/{}", answer["id"]),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
}
