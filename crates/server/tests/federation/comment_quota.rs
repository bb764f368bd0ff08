//! One remote author's public comments beyond the hourly quota are kept
//! hidden for a moderator, counted by when they arrived here (not by the
//! `published` the sender claims), while other authors on the same
//! server are not held back.

use crate::{
    helpers::{Instance, eventually},
    peer::{FakeActor, FakePeer, fake_keys},
};
use deling_federation::inbox::note::COMMENTS_PER_HOUR;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A public Create of a Note by `actor` answering `item`, claiming to be
/// from 2001; the Note's id.
fn reply(actor: &FakeActor, n: u64, item: &str) -> (Value, String) {
    let note = format!("{}/notes/{n}", actor.id);
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.activity_id(&format!("reply-{n}")),
        "type": "Create",
        "actor": actor.id,
        "to": [public],
        "object": {
            "id": note,
            "type": "Note",
            "attributedTo": actor.id,
            "inReplyTo": item,
            "content": format!("<p>Innlegg {n}</p>"),
            "to": [public],
            "published": "2001-01-01T00:00:00Z",
        },
    });
    (activity, note)
}

async fn deliver(i: &Instance, actor: &FakeActor, activity: &Value) {
    let resp = actor
        .post(&i.shared_inbox(), activity)
        .send(&i.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", activity["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authors_comments_past_the_hourly_quota_wait_hidden() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Høring", &["horing"]).await;
    let item_ap = b.url(&format!("/items/{item}"));
    let [key, other_key] = fake_keys().await;
    let eve = peer.actor("eve", key);
    let ola = peer.actor("ola", other_key);

    let sent = COMMENTS_PER_HOUR + 2;
    let mut notes = Vec::new();
    for n in 0..sent {
        let (activity, note) = reply(&eve, n, &item_ap);
        deliver(&b, &eve, &activity).await;
        notes.push(note);
    }
    let (activity, ola_note) = reply(&ola, 0, &item_ap);
    deliver(&b, &ola, &activity).await;

    let hidden = eventually("eve's last two comments held hidden", async || {
        let hidden = b.store.list_hidden_comments(item).await.unwrap();
        let public = b.comments(item).await;
        if hidden.len() + public.len() == (sent + 1) as usize {
            Ok(hidden)
        } else {
            Err(format!("{} hidden, {} public", hidden.len(), public.len()))
        }
    })
    .await;
    // Processed in the order sent: the first ones are public, the rest wait.
    let mut held: Vec<&str> = hidden.iter().filter_map(|c| c.ap_id.as_deref()).collect();
    held.sort_unstable();
    let mut last: Vec<&str> = notes[COMMENTS_PER_HOUR as usize..]
        .iter()
        .map(String::as_str)
        .collect();
    last.sort_unstable();
    assert_eq!(held, last, "{hidden:?}");
    let public = b.comments(item).await;
    assert!(
        public.iter().any(|c| c["ap_id"] == ola_note.as_str()),
        "another author on the same server is not held back: {public:?}"
    );
    assert_eq!(public.len(), COMMENTS_PER_HOUR as usize + 1);

    // An edit of a public one stays public; an edit of a held one stays held.
    for n in [0, sent - 1] {
        let (mut update, _) = reply(&eve, n, &item_ap);
        update["type"] = json!("Update");
        update["id"] = json!(eve.activity_id(&format!("edit-{n}")));
        update["object"]["content"] = json!(format!("<p>Rettet {n}</p>"));
        deliver(&b, &eve, &update).await;
    }
    eventually("both edits applied", async || {
        let public = b.comments(item).await;
        let hidden = b.store.list_hidden_comments(item).await.unwrap();
        let edited_public = public.iter().any(|c| {
            c["content_html"]
                .as_str()
                .is_some_and(|h| h.contains("Rettet 0"))
        });
        let edited_hidden = hidden
            .iter()
            .any(|c| c.content_html.contains(&format!("Rettet {}", sent - 1)));
        if edited_public && edited_hidden && hidden.len() == 2 {
            Ok(())
        } else {
            Err(format!("{public:?} / {hidden:?}"))
        }
    })
    .await;
}

/// A direct Create of a Note by `actor` to `agency`; the Note's id.
fn direct(actor: &FakeActor, n: u64, agency: &str, text: &str) -> (Value, String) {
    let note = format!("{}/notes/dm-{n}", actor.id);
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.activity_id(&format!("dm-{n}-{}", text.len())),
        "type": "Create",
        "actor": actor.id,
        "to": [agency],
        "object": {
            "id": note,
            "type": "Note",
            "attributedTo": actor.id,
            "content": format!("<p>{text}</p>"),
            "to": [agency],
            "tag": [{"type": "Mention", "href": agency}],
        },
    });
    (activity, note)
}

/// Messages have no hidden state to wait in: one author's new messages
/// past the hourly quota are refused, so that a script cannot push what
/// people wrote out of the staff inbox; an edit of one held is not new,
/// and another author is not held back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authors_messages_past_the_hourly_quota_are_refused() {
    use deling_federation::inbox::note::MESSAGES_PER_HOUR;
    use deling_store::queries::inbox::{INBOX_DONE, INBOX_FAILED};
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    let oslo = b.agency("oslo").await;
    let oslo_ap = b.actor_id("oslo");
    let [key, other_key] = fake_keys().await;
    let eve = peer.actor("eve", key);
    let ola = peer.actor("ola", other_key);

    let mut ids = Vec::new();
    for n in 0..=MESSAGES_PER_HOUR {
        let (activity, _) = direct(&eve, n, &oslo_ap, &format!("Melding {n}"));
        deliver(&b, &eve, &activity).await;
        ids.push(activity["id"].as_str().unwrap().to_owned());
    }
    // Processed in the order sent: the last one is over the quota.
    for (n, id) in ids.iter().enumerate() {
        let want = if n < MESSAGES_PER_HOUR as usize {
            INBOX_DONE
        } else {
            INBOX_FAILED
        };
        assert_eq!(b.processed(id).await.status, want, "message {n}");
    }
    // An edit of a held message still goes through; another author too.
    let (mut edit, _) = direct(&eve, 0, &oslo_ap, "Melding 0, rettet");
    edit["type"] = json!("Update");
    deliver(&b, &eve, &edit).await;
    assert_eq!(
        b.processed(edit["id"].as_str().unwrap()).await.status,
        INBOX_DONE
    );
    let (activity, _) = direct(&ola, 0, &oslo_ap, "Fra Ola");
    deliver(&b, &ola, &activity).await;
    assert_eq!(
        b.processed(activity["id"].as_str().unwrap()).await.status,
        INBOX_DONE
    );
    let held = b
        .store
        .list_messages(oslo.id, None, 100)
        .await
        .expect("messages");
    assert_eq!(held.len(), MESSAGES_PER_HOUR as usize + 1);
    assert!(
        held.iter()
            .any(|m| m.content_html.contains("Melding 0, rettet")),
        "the edit was not taken"
    );
}
