//! Ids named by someone else than their owner. Ids are predictable
//! (Mastodon's `…/statuses/1`) and any account on a server can name any id
//! on it, so one account's word about an id must not decide for another:
//! eve's Delete of alice's status stops neither alice's Create of it nor
//! the Update by which alice narrows it, while alice's own Delete still
//! stops her late Create; a Like or report whose id eve used first is not
//! taken for a repeat; and a boosted Page's author that redirects to
//! another server's actor files nothing under that actor.

use crate::{
    helpers::Instance,
    ordering::{followed_peer, send},
    peer::{FakeActor, FakePeer, fake_keys, public_pem},
};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use deling_store::queries::inbox::{INBOX_DONE, INBOX_FAILED};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{collections::HashMap, sync::Arc};

const AS: &str = "https://www.w3.org/ns/activitystreams";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// B with agency oslo and one item; a fake server with alice (whose actor
/// document names her followers) and eve.
struct Scene {
    b: Instance,
    _peer: FakePeer,
    alice: FakeActor,
    alice_followers: String,
    eve: FakeActor,
    item: i64,
}

async fn scene() -> Scene {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Kommenter meg", &["innspill"]).await;
    let [k1, k2] = fake_keys().await;
    let alice = peer.actor("alice", k1);
    let eve = peer.actor("eve", k2);
    // Her followers collection, named in her actor document: how her
    // narrowing to followers-only is told from a direct post.
    let alice_followers = format!("{}/followers", alice.id);
    peer.serve(
        "/actors/alice",
        json!({
            "@context": [AS, "https://w3id.org/security/v1"],
            "type": "Person", "id": alice.id, "preferredUsername": "alice",
            "inbox": format!("{}/inbox", alice.id), "followers": alice_followers,
            "endpoints": {"sharedInbox": peer.url("/inbox")},
            "publicKey": {"id": alice.key_id, "owner": alice.id, "publicKeyPem": public_pem(k1)},
        }),
    );
    Scene {
        b,
        _peer: peer,
        alice,
        alice_followers,
        eve,
        item,
    }
}

impl Scene {
    fn item_url(&self) -> String {
        self.b.url(&format!("/items/{}", self.item))
    }

    /// alice's status `n`: an id anyone on her server can guess.
    fn status(&self, n: u32) -> String {
        format!("{}/statuses/{n}", self.alice.id)
    }

    /// alice's Note `id` answering the item, addressed `to`.
    fn reply(&self, id: &str, to: Value) -> Value {
        json!({"id": id, "type": "Note", "attributedTo": self.alice.id,
            "inReplyTo": self.item_url(), "to": to,
            "content": "<p>Et innspill fra Alice.</p>"})
    }

    /// Sends `activity` signed by `from`; waits until it is processed and
    /// returns its status.
    async fn send(&self, from: &FakeActor, activity: &Value) -> String {
        let resp = from
            .post(&self.b.shared_inbox(), activity)
            .send(&self.b.client)
            .await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "{activity}");
        let id = activity["id"].as_str().expect("an id");
        self.b.processed(id).await.status
    }

    /// Whether the comment `note` is listed on the item, as the public
    /// sees it.
    async fn commented(&self, note: &str) -> bool {
        self.b
            .comments(self.item)
            .await
            .iter()
            .any(|c| c["ap_id"] == note)
    }
}

/// An activity `kind` by `actor`, its id `name` on the actor's server.
fn activity(actor: &FakeActor, kind: &str, name: &str, object: Value) -> Value {
    json!({"@context": AS, "id": actor.activity_id(name), "type": kind,
        "actor": actor.id, "object": object})
}

/// A Delete by `actor` of `object`, embedded as a Tombstone.
fn delete(actor: &FakeActor, name: &str, object: &str) -> Value {
    activity(
        actor,
        "Delete",
        name,
        json!({"type": "Tombstone", "id": object}),
    )
}

/// eve deletes alice's next status before alice has sent it: alice's
/// public reply, when it comes, is still a comment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_by_another_account_does_not_stop_the_authors_reply() {
    let s = scene().await;
    let note = s.status(1);
    let squat = delete(&s.eve, "eve-deletes-1", &note);
    assert_eq!(s.send(&s.eve, &squat).await, INBOX_DONE);

    let create = activity(
        &s.alice,
        "Create",
        "create-1",
        s.reply(&note, json!([PUBLIC])),
    );
    assert_eq!(s.send(&s.alice, &create).await, INBOX_DONE);
    assert!(
        s.commented(&note).await,
        "alice's reply was dropped for eve's Delete"
    );
}

/// eve deletes alice's public comment: nothing happens to it (it is not
/// hers), and alice's Update narrowing it to her followers still takes it
/// down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_by_another_account_does_not_keep_a_narrowed_comment_public() {
    let s = scene().await;
    let note = s.status(2);
    let create = activity(
        &s.alice,
        "Create",
        "create-2",
        s.reply(&note, json!([PUBLIC])),
    );
    assert_eq!(s.send(&s.alice, &create).await, INBOX_DONE);
    assert!(s.commented(&note).await);

    let squat = delete(&s.eve, "eve-deletes-2", &note);
    assert_eq!(s.send(&s.eve, &squat).await, INBOX_DONE);
    assert!(s.commented(&note).await, "eve deleted alice's comment");

    let narrowed = activity(
        &s.alice,
        "Update",
        "update-2",
        s.reply(&note, json!([s.alice_followers])),
    );
    assert_eq!(s.send(&s.alice, &narrowed).await, INBOX_DONE);
    assert!(
        !s.commented(&note).await,
        "alice narrowed her comment, and it is still public"
    );
    let item = s.b.get_json(&format!("/api/v1/items/{}", s.item)).await;
    assert_eq!(item["counts"]["comments"], 0, "{item}");
}

/// alice deletes her status before its Create arrives (deliveries are not
/// ordered), after eve named it in a Delete of her own: alice's late
/// Create and Update are still dropped. Her next status is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authors_own_delete_still_stops_its_late_create() {
    let s = scene().await;
    let note = s.status(3);
    let squat = delete(&s.eve, "eve-deletes-3", &note);
    assert_eq!(s.send(&s.eve, &squat).await, INBOX_DONE);
    let own = delete(&s.alice, "delete-3", &note);
    assert_eq!(s.send(&s.alice, &own).await, INBOX_DONE);

    let late = activity(
        &s.alice,
        "Create",
        "create-3",
        s.reply(&note, json!([PUBLIC])),
    );
    assert_eq!(s.send(&s.alice, &late).await, INBOX_DONE);
    let later = activity(
        &s.alice,
        "Update",
        "update-3",
        s.reply(&note, json!([PUBLIC])),
    );
    assert_eq!(s.send(&s.alice, &later).await, INBOX_DONE);
    assert!(
        !s.commented(&note).await,
        "a Create alice deleted came back"
    );

    let next = s.status(4);
    let create = activity(
        &s.alice,
        "Create",
        "create-4",
        s.reply(&next, json!([PUBLIC])),
    );
    assert_eq!(s.send(&s.alice, &create).await, INBOX_DONE);
    assert!(s.commented(&next).await);
}

/// eve likes the item first with the id of alice's next Like: alice's
/// Like, with that id, counts as well.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_like_whose_id_another_account_used_first_still_counts() {
    let s = scene().await;
    let id = s.alice.activity_id("like-1");
    let eves = json!({"@context": AS, "id": id, "type": "Like",
        "actor": s.eve.id, "object": s.item_url()});
    assert_eq!(s.send(&s.eve, &eves).await, INBOX_DONE);
    let alices = json!({"@context": AS, "id": id, "type": "Like",
        "actor": s.alice.id, "object": s.item_url()});
    let resp = s
        .alice
        .post(&s.b.shared_inbox(), &alices)
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let row = crate::helpers::eventually("alice's Like processed", async || {
        let rows = s.b.store.list_inbox_activities(&id).await.unwrap();
        match rows.into_iter().find(|r| r.signer == s.alice.id) {
            Some(r) if r.status != "pending" => Ok(r),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    assert_eq!(row.status, INBOX_DONE, "{row:?}");

    let mut by: Vec<String> =
        s.b.store
            .list_reactions(s.item)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.actor.ap_id)
            .collect();
    by.sort();
    assert_eq!(by, [s.alice.id.clone(), s.eve.id.clone()]);
}

/// eve files a report with the id of alice's next report: alice's report
/// is refused with the reason (the id cannot hold both), not taken for
/// one already queued; eve's stays as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_whose_id_another_account_used_first_is_not_a_repeat() {
    let s = scene().await;
    let id = s.alice.activity_id("flag-1");
    let flag = |actor: &FakeActor, content: &str| {
        json!({"@context": AS, "id": id, "type": "Flag", "actor": actor.id,
            "object": [s.item_url()], "content": content})
    };
    assert_eq!(s.send(&s.eve, &flag(&s.eve, "Eve sier")).await, INBOX_DONE);
    let resp = s
        .alice
        .post(&s.b.shared_inbox(), &flag(&s.alice, "Alice sier"))
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let row = crate::helpers::eventually("alice's Flag processed", async || {
        let rows = s.b.store.list_inbox_activities(&id).await.unwrap();
        match rows.into_iter().find(|r| r.signer == s.alice.id) {
            Some(r) if r.status != "pending" => Ok(r),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    assert_eq!(row.status, INBOX_FAILED, "{row:?}");
    let why = row.last_error.unwrap_or_default();
    assert!(why.contains("another reporter"), "{why}");

    let reports = s.b.store.list_reports(false, None, 10).await.unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0].reporter, s.eve.id);
    assert_eq!(reports[0].content, "Eve sier");
}

/// A server of its own for the redirect FakePeer cannot make: each path
/// answers a document, or `302` to a URL.
struct Server {
    domain: String,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// What the server answers at a path.
enum Answer {
    Doc(Value),
    Redirect(String),
}

async fn answer(answers: web::Data<HashMap<String, Answer>>, req: HttpRequest) -> HttpResponse {
    match answers.get(req.path()) {
        Some(Answer::Doc(doc)) => HttpResponse::Ok()
            .content_type("application/activity+json")
            .body(doc.to_string()),
        Some(Answer::Redirect(to)) => HttpResponse::Found()
            .insert_header(("Location", to.as_str()))
            .finish(),
        None => HttpResponse::NotFound().finish(),
    }
}

impl Server {
    /// Starts on a free port; `answers` gets the server's base URL.
    fn spawn(answers: impl FnOnce(&str) -> HashMap<String, Answer>) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let domain = format!(
            "localhost:{}",
            listener.local_addr().expect("address").port()
        );
        let answers = web::Data::from(Arc::new(answers(&format!("http://{domain}"))));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(answers.clone())
                .default_service(web::to(answer))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        Self {
            domain,
            server: tokio::spawn(server),
        }
    }
}

/// A public Page at `id` by `author`.
fn page(id: &str, author: &str, name: &str) -> Value {
    json!({"@context": AS, "id": id, "type": "Page", "attributedTo": author,
        "name": name, "summary": "Fra en annen tjener.", "content": "<p>Innhold</p>",
        "to": [PUBLIC]})
}

/// eve, whom nav follows, boosts two Pages of another server: one by its
/// own actor y, catalogued under y; and one by x, whose actor URL answers
/// `302` to carol on eve's server. That one is not catalogued, under carol
/// or anyone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boosted_pages_author_that_redirects_to_another_actor_is_refused() {
    let (a, peer, eve) = followed_peer().await;
    let [_, k2] = fake_keys().await;
    let carol = peer.actor("carol", k2);
    let to_carol = carol.id.clone();
    let pem = public_pem(k2);
    let evil = Server::spawn(|base| {
        let y = format!("{base}/u/y");
        HashMap::from([
            (
                "/pages/stolen".to_owned(),
                Answer::Doc(page(
                    &format!("{base}/pages/stolen"),
                    &format!("{base}/u/x"),
                    "Under falskt navn",
                )),
            ),
            ("/u/x".to_owned(), Answer::Redirect(to_carol)),
            (
                "/pages/honest".to_owned(),
                Answer::Doc(page(&format!("{base}/pages/honest"), &y, "Ærlig side")),
            ),
            (
                "/u/y".to_owned(),
                Answer::Doc(json!({
                    "@context": [AS, "https://w3id.org/security/v1"],
                    "type": "Person", "id": y, "preferredUsername": "y",
                    "inbox": format!("{y}/inbox"),
                    "publicKey": {"id": format!("{y}#main-key"), "owner": y, "publicKeyPem": pem},
                })),
            ),
        ])
    });
    let url = |path: &str| format!("http://{}{path}", evil.domain);
    let boost = |name: &str, object: &str| {
        json!({"@context": AS, "id": eve.activity_id(name), "type": "Announce",
            "actor": eve.id, "object": object, "to": [PUBLIC]})
    };

    let stolen = url("/pages/stolen");
    send(&a, &eve, &boost("boost-stolen", &stolen)).await;
    // The same server's honest page goes in: the boost of the other was
    // not refused for anything else.
    let honest = url("/pages/honest");
    send(&a, &eve, &boost("boost-honest", &honest)).await;
    let item = a.wait_remote_item(&honest).await;
    assert_eq!(
        item["agency"]["handle"],
        format!("@y@{}", evil.domain),
        "{item}"
    );

    let items = a.remote_items().await;
    assert!(
        !items.iter().any(|i| i["ap_id"] == stolen.as_str()),
        "a page was catalogued under the actor its author redirected to: {items:?}"
    );
    let carols = format!("@carol@{}", peer.domain);
    assert!(
        !items
            .iter()
            .any(|i| i["agency"]["handle"] == carols.as_str()),
        "{items:?}"
    );
}
