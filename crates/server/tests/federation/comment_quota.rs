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
