//! Hostile deliveries that verify: a relayed Delete naming an actor, an id
//! sent first by someone else than its actor, activities of types nothing
//! acts on, a report naming too many objects, and a draft-cavage signature
//! whose `(created)` is far ahead. Each is sent by fake peers, signed, over
//! HTTP to a running instance.

use crate::{
    helpers::{Instance, eventually},
    peer::{FakeActor, FakePeer, digest_header, fake_keys, send_raw},
};
use chrono::{Duration as ChronoDuration, Utc};
use deling_federation::{cavage, crypto::SigningKey};
use deling_store::queries::inbox::{INBOX_DONE, INBOX_FAILED, INBOX_PENDING, InboxActivity};
use reqwest::StatusCode;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::{Value, json};

const AS: &str = "https://www.w3.org/ns/activitystreams";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const METRICS_TOKEN: &str = "hostile-inbox-metrics-token";

/// B with agency oslo and one item; a fake peer with eve and mallory (each
/// with its own key); another server with an actor, relay, that forwards.
struct Scene {
    b: Instance,
    peer: FakePeer,
    eve: FakeActor,
    mallory: FakeActor,
    _relay_server: FakePeer,
    relay: FakeActor,
    item: i64,
}

async fn scene_on(b: Instance) -> Scene {
    let (peer, relay_server) = tokio::join!(FakePeer::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Kommenter meg", &["innspill"]).await;
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let mallory = peer.actor("mallory", k2);
    let relay = relay_server.actor("relay", k2);
    Scene {
        b,
        peer,
        eve,
        mallory,
        _relay_server: relay_server,
        relay,
        item,
    }
}

async fn scene() -> Scene {
    scene_on(Instance::spawn().await).await
}

impl Scene {
    fn item_url(&self) -> String {
        self.b.url(&format!("/items/{}", self.item))
    }

    /// Posts `activity` signed by `signer`; asserts 202.
    async fn deliver(&self, signer: &FakeActor, activity: &Value) {
        let resp = signer
            .post(&self.b.shared_inbox(), activity)
            .send(&self.b.client)
            .await;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::ACCEPTED, "{activity}: {text}");
    }

    /// `author` comments on the item with Note `/notes/{name}`, served by
    /// the peer; waits until it is listed. The Note's id.
    async fn comment(&self, author: &FakeActor, name: &str) -> String {
        let note_id = self.peer.url(&format!("/notes/{name}"));
        let note = json!({"@context": AS, "id": note_id, "type": "Note",
            "attributedTo": author.id, "inReplyTo": self.item_url(),
            "content": format!("<p>{name}</p>"), "to": [PUBLIC], "published": Utc::now()});
        self.peer.serve_doc(&format!("/notes/{name}"), note.clone());
        let id = author.activity_id(&format!("create-{name}"));
        let create = json!({"@context": AS, "id": id, "type": "Create",
            "actor": author.id, "to": [PUBLIC], "object": note});
        self.deliver(author, &create).await;
        assert_eq!(self.b.processed(&id).await.status, INBOX_DONE);
        assert!(self.commented(&note_id).await, "{note_id} not listed");
        note_id
    }

    /// Whether the comment `note_id` is listed on the item.
    async fn commented(&self, note_id: &str) -> bool {
        self.b
            .comments(self.item)
            .await
            .iter()
            .any(|c| c["ap_id"] == note_id)
    }

    async fn actor_stored(&self, actor: &FakeActor) -> bool {
        self.b
            .store
            .get_remote_actor_by_ap_id(&actor.id)
            .await
            .unwrap()
            .is_some()
    }

    /// Waits until the activity `id` as `signer` sent it is processed.
    async fn processed_from(&self, id: &str, signer: &FakeActor) -> InboxActivity {
        eventually(&format!("{id} from {} processed", signer.id), async || {
            let rows = self.b.store.list_inbox_activities(id).await.unwrap();
            match rows.into_iter().find(|r| r.signer == signer.id) {
                Some(row) if row.status != INBOX_PENDING => Ok(row),
                other => Err(format!("{other:?}")),
            }
        })
        .await
    }
}

fn delete(actor: &FakeActor, id: &str, object: &str) -> Value {
    json!({"@context": AS, "id": id, "type": "Delete", "actor": actor.id,
        "to": [PUBLIC], "object": object})
}

fn tombstone(id: &str) -> Value {
    json!({"@context": AS, "id": id, "type": "Tombstone"})
}

/// A Delete of an actor relayed by another server deletes nothing while
/// the actor's own server still serves it; once that server answers with a
/// Tombstone it does. The actor's own Delete of itself needs no such check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_delete_of_an_actor_is_verified_at_its_origin() {
    let s = scene().await;
    let eves = s.comment(&s.eve, "eve-1").await;
    let mallorys = s.comment(&s.mallory, "mallory-1").await;

    // evil relays "eve deletes eve" while eve is alive and well.
    let id = s.eve.activity_id("delete-eve-relayed");
    s.deliver(&s.relay, &delete(&s.eve, &id, &s.eve.id)).await;
    assert_eq!(s.b.processed(&id).await.status, INBOX_FAILED);
    assert!(
        s.actor_stored(&s.eve).await,
        "eve was deleted on a relay's word"
    );
    assert!(s.commented(&eves).await, "eve's comment went with her");

    // mallory is gone at her server: a relayed Delete of her counts.
    s.peer
        .serve_doc("/actors/mallory", tombstone(&s.mallory.id));
    let id = s.mallory.activity_id("delete-mallory-relayed");
    s.deliver(&s.relay, &delete(&s.mallory, &id, &s.mallory.id))
        .await;
    assert_eq!(s.b.processed(&id).await.status, INBOX_DONE);
    assert!(!s.actor_stored(&s.mallory).await);
    assert!(!s.commented(&mallorys).await);

    // eve deletes herself, signed by herself: taken at once, as before.
    let id = s.eve.activity_id("delete-eve");
    s.deliver(&s.eve, &delete(&s.eve, &id, &s.eve.id)).await;
    assert_eq!(s.b.processed(&id).await.status, INBOX_DONE);
    assert!(!s.actor_stored(&s.eve).await);
    assert!(!s.commented(&eves).await);
}

/// A relay's Delete of a comment counts only when the comment's own
/// address answers 410: not when that address redirects to another one
/// that does (an open redirect on the author's server would otherwise
/// confirm any Delete).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_410_reached_through_a_redirect_confirms_no_relayed_delete() {
    let s = scene().await;
    let note = s.comment(&s.eve, "eve-redirected").await;
    let path = "/notes/eve-redirected";
    s.peer.answer_get("/elsewhere", 410, None);
    s.peer
        .answer_get(path, 302, Some(&s.peer.url("/elsewhere")));
    let id = s.eve.activity_id("delete-redirected");
    s.deliver(&s.relay, &delete(&s.eve, &id, &note)).await;
    assert_eq!(s.b.processed(&id).await.status, INBOX_FAILED);
    assert!(
        s.peer.fetched().iter().any(|f| f.path == "/elsewhere"),
        "the redirect was not followed, so it proved nothing"
    );
    assert!(
        s.commented(&note).await,
        "a redirected 410 deleted the comment"
    );

    // Gone at its own address: the relayed Delete counts.
    s.peer.answer_get(path, 410, None);
    let id = s.eve.activity_id("delete-gone");
    s.deliver(&s.relay, &delete(&s.eve, &id, &note)).await;
    assert_eq!(s.b.processed(&id).await.status, INBOX_DONE);
    assert!(!s.commented(&note).await);
}

/// An activity id is its sender's: another account on the actor's server,
/// or a relay, sending the actor's next Delete id first does not make the
/// real Delete a "duplicate". A repeat by the same sender still is one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activity_id_sent_first_by_another_does_not_stop_its_actors() {
    let s = scene().await;
    let note = s.comment(&s.eve, "eve-2").await;
    // eve's next activity id, guessed.
    let id = s.eve.activity_id("delete-eve-2");

    // mallory, on eve's server, takes it for a Like of her own...
    let like = json!({"@context": AS, "id": id, "type": "Like",
        "actor": s.mallory.id, "object": s.item_url()});
    s.deliver(&s.mallory, &like).await;
    assert_eq!(s.processed_from(&id, &s.mallory).await.status, INBOX_DONE);
    // ...and a relay sends it for eve, as a Delete her server denies.
    s.deliver(&s.relay, &delete(&s.eve, &id, &note)).await;
    assert_eq!(s.processed_from(&id, &s.relay).await.status, INBOX_FAILED);
    assert!(s.commented(&note).await);

    // eve's real Delete, with that id, is taken and deletes the comment.
    let real = delete(&s.eve, &id, &note);
    let post = s.eve.post(&s.b.shared_inbox(), &real);
    let headers = post.signed_headers();
    let resp = send_raw(&s.b.client, &post.inbox, &headers, &post.body).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let first = s.processed_from(&id, &s.eve).await;
    assert_eq!(first.status, INBOX_DONE, "{first:?}");
    assert!(!s.commented(&note).await, "eve's Delete was dropped");

    // The same request again: acknowledged, and a duplicate.
    let resp = send_raw(&s.b.client, &post.inbox, &headers, &post.body).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let rows = s.b.store.list_inbox_activities(&id).await.unwrap();
    let signers: Vec<&str> = rows.iter().map(|r| r.signer.as_str()).collect();
    assert_eq!(
        signers,
        [
            s.mallory.id.as_str(),
            s.relay.id.as_str(),
            s.eve.id.as_str()
        ]
    );
    assert_eq!(
        (rows[2].id, rows[2].received_at),
        (first.id, first.received_at)
    );
}

/// `deling_inbox_requests_total` for `result`, as `/metrics` says.
async fn inbox_requests(b: &Instance, result: &str) -> u64 {
    let resp = b
        .client
        .get(b.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.unwrap();
    let prefix = format!("deling_inbox_requests_total{{result=\"{result}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |n| n.trim().parse().unwrap())
}

/// Activities of a type nothing here acts on are acknowledged, counted as
/// "ignored" and not stored; a type acted on still is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activities_of_types_not_acted_on_are_not_stored() {
    let b = Instance::spawn_configured(|c| c.metrics.token = METRICS_TOKEN.into()).await;
    let s = scene_on(b).await;
    let padding = "x".repeat(100_000);
    let mut ignored = Vec::new();
    for kind in ["Read", "EmojiReact", "Add"] {
        let id = s.eve.activity_id(&format!("{kind}-1"));
        let activity = json!({"@context": AS, "id": id, "type": kind,
            "actor": s.eve.id, "object": s.item_url(), "content": padding});
        s.deliver(&s.eve, &activity).await;
        ignored.push(id);
    }
    for id in &ignored {
        let row = s.b.store.get_inbox_activity(id).await.unwrap();
        assert!(row.is_none(), "{id} was stored");
    }
    assert_eq!(inbox_requests(&s.b, "ignored").await, 3);

    let id = s.eve.activity_id("like-1");
    let like = json!({"@context": AS, "id": id, "type": "Like",
        "actor": s.eve.id, "object": s.item_url()});
    s.deliver(&s.eve, &like).await;
    assert_eq!(s.b.processed(&id).await.status, INBOX_DONE);
    assert_eq!(inbox_requests(&s.b, "accepted").await, 1);
    assert_eq!(inbox_requests(&s.b, "ignored").await, 3);
}

/// A report naming 150 objects is kept with the first 100.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_keeps_at_most_a_hundred_objects() {
    let s = scene().await;
    let mut objects = vec![s.b.actor_id("oslo"), s.item_url()];
    objects.extend((0..148).map(|n| s.b.url(&format!("/items/{}", 1000 + n))));
    let id = s.eve.activity_id("flag-many");
    let flag = json!({"@context": AS, "id": id, "type": "Flag", "actor": s.eve.id,
        "object": objects, "content": "Spam"});
    s.deliver(&s.eve, &flag).await;
    assert_eq!(s.b.processed(&id).await.status, INBOX_DONE);
    let reports = s.b.store.list_reports(true, None, 1000).await.unwrap();
    let report = reports
        .iter()
        .find(|r| r.ap_id == id)
        .expect("the report is stored");
    let kept: Vec<&str> = report
        .objects
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(kept.len(), 100, "objects kept");
    assert!(kept.iter().zip(&objects).all(|(k, o)| k == o), "{kept:?}");
}

/// A draft-cavage POST signed over `(created)` (and `(expires)` when
/// given) instead of Date, as draft 12 allows: the test builds the header
/// and signing string itself (the fake peer signs Date only), and signs it
/// with the actor's key.
fn signed_with_created(
    actor: &FakeActor,
    inbox: &str,
    body: &[u8],
    created: i64,
    expires: Option<i64>,
) -> Vec<(String, String)> {
    let url = url::Url::parse(inbox).unwrap();
    let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let digest = digest_header(body);
    let mut covered = vec!["(request-target)", "host", "(created)"];
    let mut lines = vec![
        format!("(request-target): post {}", url.path()),
        format!("host: {host}"),
        format!("(created): {created}"),
    ];
    let mut params = format!("created=\"{created}\"");
    if let Some(expires) = expires {
        covered.push("(expires)");
        lines.push(format!("(expires): {expires}"));
        params = format!("{params},expires=\"{expires}\"");
    }
    covered.push("digest");
    lines.push(format!("digest: {digest}"));
    let pem = actor.key.to_pkcs8_pem(LineEnding::LF).unwrap();
    let key = SigningKey::from_pem(&pem).unwrap();
    let signature = cavage::sign(&key, &lines.join("\n")).unwrap();
    vec![
        (
            "content-type".to_owned(),
            "application/activity+json".to_owned(),
        ),
        ("digest".to_owned(), digest),
        (
            "signature".to_owned(),
            format!(
                "keyId=\"{}\",algorithm=\"hs2019\",{params},headers=\"{}\",signature=\"{signature}\"",
                actor.key_id,
                covered.join(" ")
            ),
        ),
    ]
}

/// A signature over `(created)` without Date is held to the window a Date
/// is: at most 15 minutes ahead (and not past its `expires`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_created_far_ahead_is_refused() {
    let s = scene().await;
    let inbox = s.b.shared_inbox();
    let now = Utc::now().timestamp();
    let hours = |h: i64| ChronoDuration::hours(h).num_seconds();
    let cases = [
        ("created-two-hours-ahead", now + hours(2), None, 401),
        ("created-a-year-ahead", now + hours(24 * 365), None, 401),
        ("created-now-expired", now - 120, Some(now - 60), 401),
        ("created-now", now, None, 202),
        ("created-now-expires-later", now, Some(now + hours(1)), 202),
    ];
    for (name, created, expires, status) in cases {
        let id = s.eve.activity_id(name);
        let like = json!({"@context": AS, "id": id, "type": "Like",
            "actor": s.eve.id, "object": s.item_url()});
        let body = serde_json::to_vec(&like).unwrap();
        let headers = signed_with_created(&s.eve, &inbox, &body, created, expires);
        let resp = send_raw(&s.b.client, &inbox, &headers, &body).await;
        let got = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        assert_eq!(got, status, "{name}: {text}");
        let stored = s.b.store.get_inbox_activity(&id).await.unwrap().is_some();
        assert_eq!(stored, status == 202, "{name}: stored {stored}");
    }
}
