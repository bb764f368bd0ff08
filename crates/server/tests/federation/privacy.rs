//! What a person sends an agency privately stays with the agency's staff:
//! direct and followers-only posts are never comments, never in the
//! replies collection or the counts, and the agency's answer goes only to
//! whom the message's visibility allows. Content warnings are kept.

use crate::{
    helpers::{Instance, eventually, json_body},
    peer::{FakeActor, FakePeer, fake_keys, public_pem, verify_received},
};
use chrono::Utc;
use deling_store::queries::inbox::{INBOX_DONE, INBOX_PENDING};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// B with agency oslo (one item), a fake server with eve (whose actor
/// document names her followers collection), and a second fake server
/// with frank, who follows oslo.
struct Scene {
    b: Instance,
    peer: FakePeer,
    eve: FakeActor,
    eve_followers: String,
    follower_peer: FakePeer,
    item: i64,
}

async fn scene() -> Scene {
    scene_on(Instance::spawn().await).await
}

async fn scene_on(b: Instance) -> Scene {
    let (peer, follower_peer) = tokio::join!(FakePeer::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Byggesak", &["byggesak"]).await;
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let eve_followers = format!("{}/followers", eve.id);
    // Mastodon's actor document names the followers collection; that is
    // how a followers-only post is told from a direct one.
    peer.serve(
        "/actors/eve",
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "type": "Person", "id": eve.id, "preferredUsername": "eve", "name": "Eve",
            "inbox": format!("{}/inbox", eve.id), "followers": eve_followers,
            "endpoints": {"sharedInbox": peer.url("/inbox")},
            "publicKey": {"id": eve.key_id, "owner": eve.id, "publicKeyPem": public_pem(k1)},
        }),
    );
    let frank = follower_peer.actor("frank", k2);
    b.followed_by(&frank, "oslo").await;
    Scene {
        b,
        peer,
        eve,
        eve_followers,
        follower_peer,
        item,
    }
}

impl Scene {
    fn item_url(&self) -> String {
        self.b.url(&format!("/items/{}", self.item))
    }

    /// eve's `Note` `id` answering the item, addressed `to`.
    fn reply(&self, id: &str, to: Value, content: &str) -> Value {
        json!({"id": id, "type": "Note", "attributedTo": self.eve.id,
            "inReplyTo": self.item_url(), "to": to, "content": content})
    }

    /// eve sends `Create` (or `Update`) of `note`; waits until B has
    /// processed it and returns its stored status.
    async fn send(&self, kind: &str, name: &str, note: Value) -> String {
        let id = self.eve.activity_id(name);
        let activity = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": id, "type": kind, "actor": self.eve.id, "object": note,
        });
        let resp = self
            .eve
            .post(&self.b.shared_inbox(), &activity)
            .send(&self.b.client)
            .await;
        assert_eq!(
            resp.status(),
            StatusCode::ACCEPTED,
            "{}",
            resp.text().await.unwrap()
        );
        eventually(&format!("{id} processed"), async || {
            match self.b.store.get_inbox_activity(&id).await.unwrap() {
                Some(row) if row.status != INBOX_PENDING => Ok(row.status),
                other => Err(format!("{other:?}")),
            }
        })
        .await
    }

    /// oslo's staff inbox, as its editor sees it.
    async fn messages(&self) -> Vec<Value> {
        let resp = self
            .b
            .send(Method::GET, "/api/v1/agencies/oslo/messages", None)
            .await;
        json_body(resp, StatusCode::OK).await["messages"]
            .as_array()
            .expect("messages")
            .clone()
    }

    /// Everything the public and peers can see of the item: its comments,
    /// its counts, the replies collection (fetched signed, by eve), and its
    /// web page.
    async fn public_view(&self) -> String {
        let comments = self.b.comments(self.item).await;
        let item = self
            .b
            .get_json(&format!("/api/v1/items/{}", self.item))
            .await;
        let replies = self
            .eve
            .get(&format!("{}/replies", self.item_url()))
            .send(&self.b.client)
            .await;
        assert_eq!(replies.status(), StatusCode::OK);
        let replies: Value = replies.json().await.unwrap();
        assert_eq!(item["counts"]["comments"], comments.len(), "{item}");
        assert_eq!(replies["totalItems"], comments.len(), "{replies}");
        // The ids are on the collection's pages.
        let first = replies["first"].as_str().expect("a first page");
        let first = self.eve.get(first).send(&self.b.client).await;
        assert_eq!(first.status(), StatusCode::OK);
        let first: Value = first.json().await.unwrap();
        assert_eq!(
            first["orderedItems"].as_array().map(Vec::len),
            Some(comments.len()),
            "{first}"
        );
        let replies = format!("{replies} {first}");
        let page = self
            .b
            .client
            .get(self.item_url())
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        format!("{comments:?} {item} {replies} {page}")
    }

    async fn deliveries_done(&self) {
        self.b.deliveries_drained().await;
    }

    /// Answers message `id` as oslo; the answer as the API returns it.
    async fn answer(&self, id: &Value, body: &str) -> Value {
        let resp = self
            .b
            .send(
                Method::POST,
                &format!("/api/v1/agencies/oslo/messages/{id}/replies"),
                Some(&json!({ "body": body })),
            )
            .await;
        json_body(resp, StatusCode::CREATED).await
    }

    /// The Create of `note_id` as eve's server received it, verified as
    /// signed by oslo.
    async fn received_create(&self, note_id: &str) -> Value {
        let got = eventually("oslo's answer at eve's server", async || {
            self.peer
                .received_of("Create")
                .into_iter()
                .find(|r| r.json()["object"]["id"] == note_id)
                .ok_or_else(|| format!("{:?}", self.peer.received()))
        })
        .await;
        let agency = self
            .b
            .store
            .get_agency_by_slug("oslo")
            .await
            .unwrap()
            .unwrap();
        let oslo = self.b.actor_id("oslo");
        verify_received(&got, &format!("{oslo}#main-key"), &agency.public_key_pem)
            .unwrap_or_else(|e| panic!("oslo's answer: {e}"));
        got.json()
    }
}

fn mention(href: &str) -> Value {
    json!([{"type": "Mention", "href": href, "name": "@oslo"}])
}

fn names_public(activity: &Value) -> bool {
    let s = activity.to_string();
    s.contains(PUBLIC) || s.contains("as:Public")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_message_stays_with_the_agency_staff() {
    direct_message(scene().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_message_stays_with_the_agency_staff_on_postgres() {
    if let Some(b) = Instance::spawn_postgres().await {
        direct_message(scene_on(b).await).await;
    }
}

async fn direct_message(s: Scene) {
    let oslo = s.b.actor_id("oslo");
    let note_id = s.peer.url("/notes/dm-1");
    let status = s
        .send(
            "Create",
            "dm-1",
            json!({
                "id": note_id, "type": "Note", "attributedTo": s.eve.id,
                "inReplyTo": s.item_url(), "to": [oslo], "cc": [],
                "tag": mention(&oslo), "published": Utc::now(),
                "content": "<p>Mitt nummer er 987 65 432, ring meg om søknaden.</p>",
            }),
        )
        .await;
    assert_eq!(status, INBOX_DONE);

    // Nowhere public: not a comment, not counted, not in `replies`.
    let public = s.public_view().await;
    assert!(!public.contains("987 65 432"), "{public}");
    assert!(!public.contains(&note_id), "{public}");

    // In oslo's staff inbox, marked direct.
    let messages = s.messages().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m["ap_id"], note_id.as_str());
    assert_eq!(m["visibility"], "direct");
    assert_eq!(m["direction"], "in");
    assert_eq!(m["item_id"], s.item);
    assert_eq!(m["author"]["actor_id"], s.eve.id.as_str());
    assert!(m["content_html"].as_str().unwrap().contains("987 65 432"));
    let one =
        s.b.send(
            Method::GET,
            &format!("/api/v1/agencies/oslo/messages/{}", m["id"]),
            None,
        )
        .await;
    assert_eq!(
        json_body(one, StatusCode::OK).await["ap_id"],
        note_id.as_str()
    );

    // No one else reads it: not anonymously, not another agency's staff,
    // not an instance admin who is not on oslo's staff.
    let anonymous = s.b.get("/api/v1/agencies/oslo/messages").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let bergen = s.b.agency("bergen").await;
    let bergen_editor =
        s.b.staff_token("bergen_editor", false, Some(bergen.id))
            .await;
    let admin = s.b.staff_token("operator", true, None).await;
    for (who, token) in [
        ("bergen's editor", &bergen_editor),
        ("instance admin", &admin),
    ] {
        for path in [
            "/api/v1/agencies/oslo/messages".to_owned(),
            format!("/api/v1/agencies/oslo/messages/{}", m["id"]),
        ] {
            let resp = s.b.send_as(token, Method::GET, &path, None).await;
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{who} {path}");
        }
    }
    // bergen's own inbox does not hold oslo's message.
    let resp =
        s.b.send_as(
            &bergen_editor,
            Method::GET,
            &format!("/api/v1/agencies/bergen/messages/{}", m["id"]),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    // oslo answers: directly to eve, to no one else.
    let answer = s.answer(&m["id"], "Vi ringer deg i morgen.").await;
    assert_eq!(answer["direction"], "out");
    assert_eq!(answer["visibility"], "direct");
    let answer_id = answer["ap_id"].as_str().unwrap().to_owned();
    let create = s.received_create(&answer_id).await;
    assert!(!names_public(&create), "{create}");
    assert_eq!(create["to"], json!([s.eve.id]), "{create}");
    assert_eq!(create["object"]["to"], json!([s.eve.id]), "{create}");
    assert_eq!(create["object"]["inReplyTo"], note_id.as_str());
    assert_eq!(create["object"]["tag"][0]["href"], s.eve.id.as_str());
    s.deliveries_done().await;
    // (The item's own Create may reach frank, who followed just after it
    // was published: only the answer must not.)
    let leaked: Vec<Value> = s
        .follower_peer
        .received()
        .iter()
        .map(|r| r.json())
        .filter(|a| a.to_string().contains(&answer_id) || a.to_string().contains("ringer deg"))
        .collect();
    assert!(
        leaked.is_empty(),
        "oslo's follower got the direct answer: {leaked:?}"
    );
    // The answer is not served to anyone either.
    let resp = s.b.get(&format!("/messages/{}", answer["id"])).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // It is in the staff inbox, threaded under the message.
    let messages = s.messages().await;
    assert_eq!(messages[0]["in_reply_to_message_id"], m["id"]);
    assert!(!s.public_view().await.contains("ringer deg"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followers_only_reply_is_answered_directly() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let note_id = s.peer.url("/notes/private-1");
    s.send(
        "Create",
        "private-1",
        json!({
            "id": note_id, "type": "Note", "attributedTo": s.eve.id,
            "inReplyTo": s.item_url(), "to": [s.eve_followers], "cc": [oslo],
            "tag": mention(&oslo), "content": "<p>Bare for følgerne mine.</p>",
        }),
    )
    .await;
    assert!(!s.public_view().await.contains(&note_id));
    let messages = s.messages().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["visibility"], "followers");
    assert_eq!(messages[0]["to"], json!([s.eve_followers]));

    // eve's followers saw it, oslo's did not: the answer is eve's alone.
    let answer = s.answer(&messages[0]["id"], "Takk, Eve!").await;
    assert_eq!(answer["visibility"], "direct");
    let answer_id = answer["ap_id"].as_str().unwrap().to_owned();
    let create = s.received_create(&answer_id).await;
    assert!(!names_public(&create), "{create}");
    assert!(!create.to_string().contains("/followers"), "{create}");
    assert_eq!(create["object"]["to"], json!([s.eve.id]), "{create}");
    s.deliveries_done().await;
    let leaked: Vec<Value> = s
        .follower_peer
        .received()
        .iter()
        .map(|r| r.json())
        .filter(|a| a.to_string().contains(&answer_id) || a.to_string().contains("Takk, Eve"))
        .collect();
    assert!(
        leaked.is_empty(),
        "oslo's follower got the answer: {leaked:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_reply_reaches_only_the_agencies_it_names() {
    let s = scene().await;
    let bergen = s.b.agency("bergen").await;
    let bergen_editor =
        s.b.staff_token("bergen_editor", false, Some(bergen.id))
            .await;
    let bergen_id = s.b.actor_id("bergen");
    let bergen_messages = async || {
        let resp =
            s.b.send_as(
                &bergen_editor,
                Method::GET,
                "/api/v1/agencies/bergen/messages",
                None,
            )
            .await;
        json_body(resp, StatusCode::OK).await["messages"]
            .as_array()
            .expect("messages")
            .clone()
    };

    // A direct reply to oslo's item that names only bergen is bergen's.
    s.send(
        "Create",
        "dm-bergen",
        json!({
            "id": s.peer.url("/notes/dm-bergen"), "type": "Note", "attributedTo": s.eve.id,
            "inReplyTo": s.item_url(), "to": [bergen_id], "tag": mention(&bergen_id),
            "content": "<p>Bare til Bergen: 123 45 678.</p>",
        }),
    )
    .await;
    assert!(s.messages().await.is_empty(), "oslo got bergen's message");
    let got = bergen_messages().await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0]["content_html"]
            .as_str()
            .unwrap()
            .contains("123 45 678")
    );

    // A followers-only reply to oslo's item that does not name oslo: oslo
    // is not among eve's followers, so no one here may read it.
    let status = s
        .send(
            "Create",
            "followers-only",
            json!({
                "id": s.peer.url("/notes/followers-only"), "type": "Note",
                "attributedTo": s.eve.id, "inReplyTo": s.item_url(),
                "to": [s.eve_followers], "content": "<p>Til følgerne: 876 54 321.</p>",
            }),
        )
        .await;
    assert_eq!(status, INBOX_DONE);
    assert!(s.messages().await.is_empty());
    assert!(!s.public_view().await.contains("876 54 321"));

    // Once oslo follows eve, it is among those her followers-only posts
    // are for.
    let oslo = s.b.store.get_agency_by_slug("oslo").await.unwrap().unwrap();
    let eve =
        s.b.store
            .get_remote_actor_by_ap_id(&s.eve.id)
            .await
            .unwrap()
            .unwrap();
    let follow_id = format!("{}/follows/eve", s.b.actor_id("oslo"));
    s.b.store
        .put_following(oslo.id, eve.id, &follow_id)
        .await
        .unwrap();
    s.b.store
        .set_following_state(oslo.id, eve.id, Some(&follow_id), "accepted")
        .await
        .unwrap();
    s.send(
        "Create",
        "followers-only-2",
        json!({
            "id": s.peer.url("/notes/followers-only-2"), "type": "Note",
            "attributedTo": s.eve.id, "inReplyTo": s.item_url(),
            "to": [s.eve_followers], "content": "<p>Til følgerne igjen.</p>",
        }),
    )
    .await;
    let messages = s.messages().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0]["content_html"]
            .as_str()
            .unwrap()
            .contains("igjen")
    );
    assert_eq!(bergen_messages().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_narrowed_by_its_author_is_answered_narrowly() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let id = s.peer.url("/notes/mention-narrowed");
    let note = |to: Value, cc: Value, content: &str| {
        json!({"id": id, "type": "Note", "attributedTo": s.eve.id,
            "to": to, "cc": cc, "tag": mention(&oslo), "content": content})
    };
    // A public mention outside a thread: a public message.
    s.send(
        "Create",
        "mention-narrowed",
        note(
            json!([PUBLIC]),
            json!([s.eve_followers, oslo]),
            "<p>@oslo hei</p>",
        ),
    )
    .await;
    assert_eq!(s.messages().await[0]["visibility"], "public");
    // Edited to oslo alone, with something personal in it.
    s.send(
        "Update",
        "mention-narrowed-update",
        note(
            json!([oslo]),
            json!([]),
            "<p>@oslo personnummeret mitt er 010101 12345</p>",
        ),
    )
    .await;
    let messages = s.messages().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["visibility"], "direct");
    assert_eq!(messages[0]["to"], json!([oslo]));
    // Widening again does not widen it.
    s.send(
        "Update",
        "mention-narrowed-widened",
        note(json!([PUBLIC]), json!([oslo]), "<p>@oslo hei igjen</p>"),
    )
    .await;
    assert_eq!(s.messages().await[0]["visibility"], "direct");

    let answer = s.answer(&messages[0]["id"], "Vi tar kontakt.").await;
    assert_eq!(answer["visibility"], "direct");
    let answer_id = answer["ap_id"].as_str().unwrap().to_owned();
    let create = s.received_create(&answer_id).await;
    assert!(!names_public(&create), "{create}");
    assert_eq!(create["object"]["to"], json!([s.eve.id]), "{create}");
    s.deliveries_done().await;
    assert!(
        !s.follower_peer
            .received()
            .iter()
            .any(|r| r.json().to_string().contains(&answer_id)),
        "oslo's follower got the answer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_narrowed_comment_goes_even_if_no_one_here_is_named() {
    let s = scene().await;
    let c = s.peer.url("/notes/public-3");
    let comment = |to: Value, content: &str| s.reply(&c, to, content);
    s.send(
        "Create",
        "public-3",
        comment(json!([PUBLIC]), "<p>Offentlig.</p>"),
    )
    .await;
    assert_eq!(s.b.comments(s.item).await.len(), 1);
    // Narrowed to eve's followers, naming no agency here (and oslo does
    // not follow eve): filed nowhere, and no longer public.
    s.send(
        "Update",
        "public-3-update",
        comment(json!([s.eve_followers]), "<p>Bare følgerne.</p>"),
    )
    .await;
    assert!(s.b.comments(s.item).await.is_empty());
    assert!(s.messages().await.is_empty());
    let view = s.public_view().await;
    assert!(
        !view.contains("Offentlig") && !view.contains("følgerne"),
        "{view}"
    );

    // Narrowed with an empty text: refused as a message, but the public
    // copy goes all the same.
    let d = s.peer.url("/notes/public-4");
    let comment = |to: Value, content: &str| s.reply(&d, to, content);
    s.send(
        "Create",
        "public-4",
        comment(json!([PUBLIC]), "<p>Synlig.</p>"),
    )
    .await;
    assert_eq!(s.b.comments(s.item).await.len(), 1);
    s.send(
        "Update",
        "public-4-update",
        comment(json!([s.b.actor_id("oslo")]), ""),
    )
    .await;
    assert!(s.b.comments(s.item).await.is_empty());
    // A later Update that widens it again cannot bring it back.
    s.send(
        "Update",
        "public-4-again",
        comment(json!([PUBLIC]), "<p>Igjen.</p>"),
    )
    .await;
    assert!(s.b.comments(s.item).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_received_post_carries_no_images() {
    let s = scene().await;
    s.send(
        "Create",
        "pixel",
        json!({
            "id": s.peer.url("/notes/pixel"), "type": "Note", "attributedTo": s.eve.id,
            "inReplyTo": s.item_url(), "to": [PUBLIC],
            "content": "<p>Hei<img src=\"https://tracker.example/p.gif\"></p>",
        }),
    )
    .await;
    let comments = s.b.comments(s.item).await;
    assert_eq!(comments.len(), 1, "{comments:?}");
    let html = comments[0]["content_html"].as_str().unwrap();
    assert!(
        html.contains("Hei") && !html.contains("tracker.example"),
        "{html}"
    );
    assert!(!s.public_view().await.contains("tracker.example"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_cannot_make_a_forwarded_reply_public() {
    let s = scene().await;
    let relay_server = FakePeer::spawn().await;
    let [_, k2] = fake_keys().await;
    let relay = relay_server.actor("relay", k2);
    // eve's server serves the reply with no audience of its own.
    let note_id = s.peer.url("/notes/unaddressed");
    s.peer.serve_doc(
        "/notes/unaddressed",
        json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": note_id, "type": "Note", "attributedTo": s.eve.id,
            "inReplyTo": s.item_url(), "content": "<p>Uadressert.</p>"}),
    );
    // The relay forwards it, saying it is public.
    let id = s.eve.activity_id("relayed-public");
    let activity = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": id, "type": "Create", "actor": s.eve.id, "to": [PUBLIC],
        "object": {"id": note_id, "type": "Note", "attributedTo": s.eve.id,
            "inReplyTo": s.item_url(), "content": "<p>Uadressert.</p>"}});
    let mut post = relay.post(&s.b.shared_inbox(), &activity);
    post.key_id = relay.key_id.clone();
    let resp = post.send(&s.b.client).await;
    assert_eq!(
        resp.status(),
        StatusCode::ACCEPTED,
        "{}",
        resp.text().await.unwrap()
    );
    crate::helpers::wait::processed(&s.b.store, &id).await;
    assert!(s.b.comments(s.item).await.is_empty());
    assert!(!s.public_view().await.contains("Uadressert"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_reply_keeps_its_content_warning() {
    let s = scene().await;
    let note_id = s.peer.url("/notes/cw-1");
    s.send(
        "Create",
        "cw-1",
        json!({
            "id": note_id, "type": "Note", "attributedTo": s.eve.id,
            "inReplyTo": s.item_url(), "to": [PUBLIC], "cc": [s.eve_followers],
            "summary": "Om <b>helse</b>", "sensitive": true,
            "content": "<p>Teksten bak advarselen.</p>",
        }),
    )
    .await;
    let comments = s.b.comments(s.item).await;
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert_eq!(comments[0]["content_warning"], "Om helse");
    assert_eq!(comments[0]["sensitive"], true);
    assert_eq!(comments[0]["visibility"], "public");
    assert!(s.messages().await.is_empty());

    // Unlisted (Public only in cc) is a public comment too.
    let unlisted = s.peer.url("/notes/unlisted-1");
    s.send(
        "Create",
        "unlisted-1",
        json!({
            "id": unlisted, "type": "Note", "attributedTo": s.eve.id,
            "inReplyTo": s.item_url(), "to": [s.eve_followers], "cc": [PUBLIC],
            "content": "<p>Ulistet.</p>",
        }),
    )
    .await;
    let comments = s.b.comments(s.item).await;
    assert_eq!(comments.len(), 2, "{comments:?}");
    assert_eq!(comments[1]["visibility"], "unlisted");
    assert_eq!(comments[1]["content_warning"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_outside_a_thread_reaches_the_staff_inbox() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");
    let note_id = s.peer.url("/notes/mention-1");
    s.send(
        "Create",
        "mention-1",
        json!({
            "id": note_id, "type": "Note", "attributedTo": s.eve.id,
            "to": [PUBLIC], "cc": [s.eve_followers, oslo], "tag": mention(&oslo),
            "content": "<p>@oslo hvor er veilederen for byggesak?</p>",
        }),
    )
    .await;
    let messages = s.messages().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["visibility"], "public");
    assert_eq!(messages[0]["item_id"], Value::Null);
    assert!(s.b.comments(s.item).await.is_empty());
    // A post that names no agency here is not kept at all.
    s.send(
        "Create",
        "elsewhere-1",
        json!({
            "id": s.peer.url("/notes/elsewhere-1"), "type": "Note",
            "attributedTo": s.eve.id, "to": [PUBLIC], "content": "<p>Hei verden.</p>",
        }),
    )
    .await;
    assert_eq!(s.messages().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_private_always_private() {
    let s = scene().await;
    let oslo = s.b.actor_id("oslo");

    // A direct message edited to be public stays a message.
    let dm = s.peer.url("/notes/dm-2");
    let note = |to: Value, content: &str| s.reply(&dm, to, content);
    s.send("Create", "dm-2", note(json!([oslo]), "<p>Privat.</p>"))
        .await;
    s.send(
        "Update",
        "dm-2-update",
        note(json!([PUBLIC]), "<p>Privat, rettet.</p>"),
    )
    .await;
    let view = s.public_view().await;
    assert!(!view.contains("Privat"), "{view}");
    let messages = s.messages().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["visibility"], "direct");
    assert!(
        messages[0]["content_html"]
            .as_str()
            .unwrap()
            .contains("rettet")
    );

    // A public comment whose author narrows its audience is taken down.
    let c = s.peer.url("/notes/public-2");
    let comment = |to: Value, content: &str| s.reply(&c, to, content);
    s.send(
        "Create",
        "public-2",
        comment(json!([PUBLIC]), "<p>Offentlig.</p>"),
    )
    .await;
    assert_eq!(s.b.comments(s.item).await.len(), 1);
    s.send(
        "Update",
        "public-2-update",
        comment(json!([oslo]), "<p>Nå privat.</p>"),
    )
    .await;
    let view = s.public_view().await;
    assert!(!view.contains("privat"), "{view}");
    assert!(s.b.comments(s.item).await.is_empty());
    assert_eq!(s.messages().await.len(), 2);

    // Its author deletes the message: gone from the staff inbox.
    let delete = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": s.eve.activity_id("delete-dm-2"), "type": "Delete", "actor": s.eve.id,
        "object": {"id": dm, "type": "Tombstone"}});
    let resp = s
        .eve
        .post(&s.b.shared_inbox(), &delete)
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    eventually("the message to go", async || {
        let left = s.messages().await;
        if left.iter().any(|m| m["ap_id"] == dm.as_str()) {
            Err(format!("{left:?}"))
        } else {
            Ok(())
        }
    })
    .await;
    // And a replay of its Create cannot bring it back.
    let status = s
        .send("Create", "dm-2-again", note(json!([oslo]), "<p>Igjen.</p>"))
        .await;
    assert_ne!(status, INBOX_PENDING);
    assert!(!s.messages().await.iter().any(|m| m["ap_id"] == dm.as_str()));
}

/// A public post to two agencies, edited to one of them alone: the other
/// agency's copy is narrowed too, and its answer goes to the author
/// alone, not to its followers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_narrowing_edit_reaches_every_agencys_copy() {
    let s = scene().await;
    s.b.agency("bergen").await;
    let [_, k2] = fake_keys().await;
    let gunn = s.follower_peer.actor("gunn", k2);
    s.b.followed_by(&gunn, "bergen").await;
    let (oslo, bergen) = (s.b.actor_id("oslo"), s.b.actor_id("bergen"));
    let id = s.peer.url("/notes/to-both");
    let note = |to: Value, cc: Value, tag: Value, content: &str| {
        json!({"id": id, "type": "Note", "attributedTo": s.eve.id,
            "to": to, "cc": cc, "tag": tag, "content": content})
    };
    let both = json!([
        {"type": "Mention", "href": oslo, "name": "@oslo"},
        {"type": "Mention", "href": bergen, "name": "@bergen"}
    ]);
    s.send(
        "Create",
        "to-both",
        note(
            json!([PUBLIC]),
            json!([s.eve_followers, oslo, bergen]),
            both,
            "<p>@oslo @bergen naboen min</p>",
        ),
    )
    .await;
    let bergen_messages = async || {
        let resp =
            s.b.send(Method::GET, "/api/v1/agencies/bergen/messages", None)
                .await;
        json_body(resp, StatusCode::OK).await["messages"]
            .as_array()
            .expect("messages")
            .clone()
    };
    assert_eq!(bergen_messages().await[0]["visibility"], "public");
    // Edited to oslo alone: bergen is no longer named.
    s.send(
        "Update",
        "to-both-narrowed",
        note(
            json!([oslo]),
            json!([]),
            mention(&oslo),
            "<p>@oslo naboen min heter ...</p>",
        ),
    )
    .await;
    assert_eq!(s.messages().await[0]["visibility"], "direct");
    let kept = bergen_messages().await;
    assert_eq!(kept[0]["visibility"], "direct", "{kept:?}");
    // bergen's copy keeps whom it was sent to: bergen does not learn whom
    // eve wrote to next.
    assert!(
        kept[0]["to"].to_string().contains(PUBLIC),
        "bergen's copy took the edit's addressees: {kept:?}"
    );

    let resp =
        s.b.send(
            Method::POST,
            &format!("/api/v1/agencies/bergen/messages/{}/replies", kept[0]["id"]),
            Some(&json!({"body": "Vi ser på det."})),
        )
        .await;
    let answer = json_body(resp, StatusCode::CREATED).await;
    assert_eq!(answer["visibility"], "direct", "{answer}");
    let answer_id = answer["ap_id"].as_str().unwrap().to_owned();
    s.deliveries_done().await;
    assert!(
        !s.follower_peer
            .received()
            .iter()
            .any(|r| r.json().to_string().contains(&answer_id)),
        "bergen's follower got the answer"
    );
}

/// The author narrows a reply before its public Create has arrived (that
/// one retried, say): the late public version is no comment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_version_arriving_after_the_narrowing_is_not_published() {
    let s = scene().await;
    let id = s.peer.url("/notes/late");
    // Followers-only, naming no agency: nothing here is kept of it.
    s.send(
        "Update",
        "late-narrowed",
        s.reply(&id, json!([s.eve_followers]), "<p>Bare for følgerne.</p>"),
    )
    .await;
    s.send(
        "Create",
        "late-public",
        s.reply(&id, json!([PUBLIC]), "<p>Først ute: kodeord ZX81.</p>"),
    )
    .await;
    let view = s.public_view().await;
    assert!(!view.contains("ZX81"), "{view}");
    assert!(s.b.comments(s.item).await.is_empty());
    assert!(s.messages().await.is_empty());
}

/// A message sent to an agency, then the same id sent as a public Page by
/// an actor the agency follows: not catalogued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_again_as_a_page_is_not_catalogued() {
    use crate::ordering::{activity, followed_peer, send};
    let (a, peer, eve) = followed_peer().await;
    let nav = a.actor_id("nav");
    let id = peer.url("/notes/then-page");
    let dm = json!({"id": id, "type": "Note", "attributedTo": eve.id, "to": [nav],
        "tag": mention(&nav), "content": "<p>@nav fødselsnummeret mitt</p>"});
    send(&a, &eve, &activity(&eve, "Create", "dm", dm)).await;
    let page = json!({"id": id, "type": "Page", "attributedTo": eve.id,
        "name": "fødselsnummeret mitt", "content": "<p>x</p>", "to": [PUBLIC]});
    send(&a, &eve, &activity(&eve, "Update", "as-page", page)).await;
    assert!(a.remote_items().await.is_empty());
}

/// An agency's answer threads what answers it only for someone it
/// reached: another account naming its address (easy to guess:
/// `/messages/{n}`) to a second agency learns nothing of the first
/// agency's conversation, neither that it exists nor which item it
/// concerns, and hangs nothing under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_threads_only_for_those_it_reached() {
    let s = scene().await;
    s.b.agency("bergen").await;
    let (oslo, bergen) = (s.b.actor_id("oslo"), s.b.actor_id("bergen"));
    // eve writes oslo privately about its item; oslo answers her.
    let mut dm = s.reply(
        &s.peer.url("/notes/private-q"),
        json!([oslo]),
        "<p>Privat spørsmål</p>",
    );
    dm["tag"] = mention(&oslo);
    s.send("Create", "private-q", dm).await;
    let asked = s.messages().await[0].clone();
    assert_eq!(asked["item_id"], s.item, "{asked}");
    let resp =
        s.b.send(
            Method::POST,
            &format!("/api/v1/agencies/oslo/messages/{}/replies", asked["id"]),
            Some(&json!({"body": "Svar til eve."})),
        )
        .await;
    let answer = json_body(resp, StatusCode::CREATED).await;
    let answer_id = answer["ap_id"].as_str().unwrap().to_owned();

    // frank names oslo's answer in a direct message to bergen.
    let [_, k2] = fake_keys().await;
    let frank = s.follower_peer.actor("frank", k2);
    let probe = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": frank.activity_id("probe"), "type": "Create", "actor": frank.id,
        "object": {"id": s.follower_peer.url("/notes/probe"), "type": "Note",
            "attributedTo": frank.id, "inReplyTo": answer_id, "to": [bergen],
            "tag": mention(&bergen), "content": "<p>Hei bergen</p>"}});
    let resp = frank
        .post(&s.b.shared_inbox(), &probe)
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    s.b.processed(probe["id"].as_str().unwrap()).await;
    let resp =
        s.b.send(Method::GET, "/api/v1/agencies/bergen/messages", None)
            .await;
    let at_bergen = json_body(resp, StatusCode::OK).await["messages"][0].clone();
    assert_eq!(
        at_bergen["content_html"], "<p>Hei bergen</p>",
        "{at_bergen}"
    );
    assert_eq!(
        at_bergen["item_id"],
        Value::Null,
        "bergen learnt the item: {at_bergen}"
    );
    assert_eq!(
        at_bergen["in_reply_to_message_id"],
        Value::Null,
        "{at_bergen}"
    );
    // Nor does frank's text hang under eve's conversation at oslo when he
    // names oslo: it is a message of its own.
    let hang = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": frank.activity_id("hang"), "type": "Create", "actor": frank.id,
        "object": {"id": s.follower_peer.url("/notes/hang"), "type": "Note",
            "attributedTo": frank.id, "inReplyTo": answer_id, "to": [PUBLIC],
            "cc": [oslo], "tag": mention(&oslo), "content": "<p>Hei oslo</p>"}});
    let resp = frank
        .post(&s.b.shared_inbox(), &hang)
        .send(&s.b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    s.b.processed(hang["id"].as_str().unwrap()).await;
    let at_oslo = s.messages().await[0].clone();
    assert_eq!(at_oslo["content_html"], "<p>Hei oslo</p>", "{at_oslo}");
    assert_eq!(at_oslo["in_reply_to_message_id"], Value::Null, "{at_oslo}");
    assert_eq!(at_oslo["item_id"], Value::Null, "{at_oslo}");

    // eve, whom the answer reached, answers it to bergen alone: bergen
    // gets her text, not which item her conversation with oslo concerns.
    let mut aside = s.reply(
        &s.peer.url("/notes/aside"),
        json!([bergen]),
        "<p>Til bergen</p>",
    );
    aside["inReplyTo"] = json!(answer_id);
    aside["tag"] = mention(&bergen);
    s.send("Create", "aside", aside).await;
    let resp =
        s.b.send(Method::GET, "/api/v1/agencies/bergen/messages", None)
            .await;
    let at_bergen = json_body(resp, StatusCode::OK).await["messages"][0].clone();
    assert_eq!(
        at_bergen["content_html"], "<p>Til bergen</p>",
        "{at_bergen}"
    );
    assert_eq!(at_bergen["item_id"], Value::Null, "{at_bergen}");

    // eve, whom the answer reached, answers it: threaded at oslo.
    let mut again = s.reply(
        &s.peer.url("/notes/private-q2"),
        json!([oslo]),
        "<p>Takk!</p>",
    );
    again["inReplyTo"] = json!(answer_id);
    again["tag"] = mention(&oslo);
    s.send("Create", "private-q2", again).await;
    let threaded = s.messages().await[0].clone();
    assert_eq!(threaded["content_html"], "<p>Takk!</p>", "{threaded}");
    assert_eq!(
        threaded["in_reply_to_message_id"], answer["id"],
        "{threaded}"
    );
    assert_eq!(threaded["item_id"], s.item, "{threaded}");
}

/// `activity` (a `kind` of `object`, its id `name` on `actor`'s server)
/// sent to B signed by `actor`; waits until B has processed it and
/// returns its stored status.
async fn send_as(b: &Instance, actor: &FakeActor, kind: &str, name: &str, object: Value) -> String {
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.activity_id(name), "type": kind, "actor": actor.id, "object": object,
    });
    let resp = actor
        .post(&b.shared_inbox(), &activity)
        .send(&b.client)
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{activity}");
    b.processed(activity["id"].as_str().unwrap()).await.status
}

/// Ola answers two comments publicly: Kari's (eve's), which she then
/// deletes, and bergen's, which oslo's staff then hide. What Ola's answers
/// replied to is gone, but they are still Ola's to edit and take back:
/// her edit that removes a phone number replaces the public text (also
/// when it names oslo, which must not file a second copy in oslo's staff
/// inbox), and her Delete takes each down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_whose_parent_is_gone_is_still_edited_and_deleted() {
    let s = scene().await;
    let [_, k2] = fake_keys().await;
    let ola = s.peer.actor("ola", k2);
    let oslo = s.b.actor_id("oslo");
    s.b.agency("bergen").await;
    // Kari's (eve's) comment, and bergen's.
    let kari_c = s.peer.url("/notes/kari-c");
    s.send(
        "Create",
        "kari-c",
        s.reply(&kari_c, json!([PUBLIC]), "<p>Kari spør.</p>"),
    )
    .await;
    let resp =
        s.b.send(
            Method::POST,
            &format!("/api/v1/items/{}/comments", s.item),
            Some(&json!({"agency": "bergen", "body": "Bergen svarer."})),
        )
        .await;
    let bergen_c = json_body(resp, StatusCode::CREATED).await;
    let bergen_c_ap = bergen_c["ap_id"].as_str().unwrap().to_owned();

    // Ola answers each, publicly, with her phone number; the first names
    // oslo.
    let r1 = s.peer.url("/notes/ola-r1");
    let r2 = s.peer.url("/notes/ola-r2");
    let answer = |id: &str, parent: &str, names_oslo: bool, content: &str| {
        let mut note = json!({"id": id, "type": "Note", "attributedTo": ola.id,
            "inReplyTo": parent, "to": [PUBLIC], "content": content});
        if names_oslo {
            note["cc"] = json!([oslo]);
            note["tag"] = mention(&oslo);
        }
        note
    };
    for (id, parent, names_oslo, name) in
        [(&r1, &kari_c, true, "r1"), (&r2, &bergen_c_ap, false, "r2")]
    {
        let status = send_as(
            &s.b,
            &ola,
            "Create",
            name,
            answer(id, parent, names_oslo, "<p>Ring meg på 111 22 333.</p>"),
        )
        .await;
        assert_eq!(status, INBOX_DONE);
    }
    let listed = |list: &[Value], id: &str| list.iter().find(|c| c["ap_id"] == id).cloned();
    let comments = s.b.comments(s.item).await;
    assert!(
        listed(&comments, &r1).is_some() && listed(&comments, &r2).is_some(),
        "{comments:?}"
    );

    // Kari deletes her comment; oslo's staff hide bergen's.
    let status = send_as(
        &s.b,
        &s.eve,
        "Delete",
        "kari-c-delete",
        json!({"type": "Tombstone", "id": kari_c}),
    )
    .await;
    assert_eq!(status, INBOX_DONE);
    let resp =
        s.b.send(
            Method::POST,
            &format!("/api/v1/comments/{}/hide", bergen_c["id"]),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);

    // Ola edits both to remove the number: the public text is the new one.
    for (id, parent, names_oslo, name) in [
        (&r1, &kari_c, true, "r1-edit"),
        (&r2, &bergen_c_ap, false, "r2-edit"),
    ] {
        let status = send_as(
            &s.b,
            &ola,
            "Update",
            name,
            answer(id, parent, names_oslo, "<p>Send meg en melding.</p>"),
        )
        .await;
        assert_eq!(status, INBOX_DONE);
    }
    let comments = s.b.comments(s.item).await;
    for id in [&r1, &r2] {
        let c = listed(&comments, id).unwrap_or_else(|| panic!("{id}: {comments:?}"));
        assert_eq!(c["content_html"], "<p>Send meg en melding.</p>", "{c}");
    }
    let view = s.public_view().await;
    assert!(!view.contains("111 22 333"), "{view}");
    assert!(view.contains("Send meg en melding"), "{view}");
    assert!(s.messages().await.is_empty(), "{:?}", s.messages().await);

    // Ola takes both back: gone from every public view.
    for (id, name) in [(&r1, "r1-delete"), (&r2, "r2-delete")] {
        let status = send_as(
            &s.b,
            &ola,
            "Delete",
            name,
            json!({"type": "Tombstone", "id": id}),
        )
        .await;
        assert_eq!(status, INBOX_DONE);
    }
    let comments = s.b.comments(s.item).await;
    assert!(
        listed(&comments, &r1).is_none() && listed(&comments, &r2).is_none(),
        "{comments:?}"
    );
    let view = s.public_view().await;
    assert!(!view.contains("Send meg en melding"), "{view}");
    assert!(s.messages().await.is_empty());
}

/// A comment whose id is also a message in a staff inbox (as one filed
/// before Deling revised such comments in place): its author's Delete
/// takes down both, not only the first found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_takes_down_every_copy_of_the_id() {
    let s = scene().await;
    let id = s.peer.url("/notes/both");
    s.send(
        "Create",
        "both",
        s.reply(&id, json!([PUBLIC]), "<p>Offentlig: 222 33 444.</p>"),
    )
    .await;
    assert_eq!(s.b.comments(s.item).await.len(), 1);
    let oslo = s.b.store.get_agency_by_slug("oslo").await.unwrap().unwrap();
    let eve =
        s.b.store
            .get_remote_actor_by_ap_id(&s.eve.id)
            .await
            .unwrap()
            .unwrap();
    s.b.store
        .put_remote_message(
            &[deling_store::queries::message::MessageCopy::unthreaded(
                oslo.id,
            )],
            deling_store::queries::message::RemoteMessageData {
                ap_id: id.clone(),
                author_remote_actor_id: eve.id,
                in_reply_to: None,
                visibility: deling_domain::audience::Visibility::Public,
                content_warning: None,
                sensitive: false,
                content_html: "<p>Offentlig: 222 33 444.</p>".into(),
                language: None,
                addressed: deling_store::queries::message::Addressed {
                    to: vec![PUBLIC.into()],
                    cc: vec![],
                },
                published_at: Utc::now(),
                held: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(s.messages().await.len(), 1);
    let status = s
        .send(
            "Delete",
            "both-delete",
            json!({"type": "Tombstone", "id": id}),
        )
        .await;
    assert_eq!(status, INBOX_DONE);
    assert!(s.b.comments(s.item).await.is_empty());
    assert!(!s.public_view().await.contains("222 33 444"));
    assert!(s.messages().await.is_empty(), "{:?}", s.messages().await);
}

/// A catalogued Page its owner narrows leaves the public catalogue (the
/// API's list and search) whatever form the narrowing version takes (a
/// `Note`, or a `Page` with `inReplyTo`, which are handled as posts), and
/// also once no agency here follows the owner any more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_narrowed_page_leaves_the_catalogue() {
    use crate::ordering::{activity, followed_peer, send};
    let (a, peer, eve) = followed_peer().await;
    let followers = format!("{}/followers", eve.id);
    let page = |id: &str, name: &str| {
        json!({"id": id, "type": "Page", "attributedTo": eve.id, "name": name,
            "summary": "Kontaktliste.", "content": "<p>Liste</p>", "to": [PUBLIC]})
    };
    let pages: Vec<(String, &str)> = ["as-note", "with-reply", "unfollowed"]
        .into_iter()
        .map(|n| (peer.url(&format!("/pages/{n}")), n))
        .collect();
    for (id, n) in &pages {
        let create = activity(
            &eve,
            "Create",
            &format!("{n}-create"),
            page(id, "Ansattliste"),
        );
        send(&a, &eve, &create).await;
        a.wait_remote_item(id).await;
    }
    let found = async || {
        let r = a.get_json("/api/v1/search?q=ansattliste").await;
        r["items"].as_array().expect("items").len()
    };
    assert_eq!(found().await, 3);
    let narrowed = |id: &str| {
        let mut p = page(id, "Ansattliste");
        p["to"] = json!([followers]);
        p
    };

    // Narrowed as a Note, and as a Page that answers something.
    let mut note = narrowed(&pages[0].0);
    note["type"] = json!("Note");
    send(
        &a,
        &eve,
        &activity(&eve, "Update", "as-note-narrowed", note),
    )
    .await;
    let mut reply = narrowed(&pages[1].0);
    reply["inReplyTo"] = json!(peer.url("/notes/elsewhere"));
    send(
        &a,
        &eve,
        &activity(&eve, "Update", "with-reply-narrowed", reply),
    )
    .await;
    let left: Vec<Value> = a.remote_items().await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["ap_id"], pages[2].0.as_str(), "{left:?}");

    // nav stops following eve; her catalogued Page stays until she
    // narrows it.
    let resp = a
        .send(
            Method::DELETE,
            &format!("/api/v1/agencies/nav/following?target={}", eve.id),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(a.remote_items().await.len(), 1);
    let update = activity(&eve, "Update", "unfollowed-narrowed", narrowed(&pages[2].0));
    send(&a, &eve, &update).await;
    assert!(a.remote_items().await.is_empty());
    assert_eq!(found().await, 0);
}

/// eve answers oslo's direct answer to her and also names bergen: oslo's
/// copy threads under its answer, with the item their conversation is
/// about; bergen's copy says nothing of that item.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_to_an_answer_tells_only_that_agency_the_item() {
    let s = scene().await;
    s.b.agency("bergen").await;
    let (oslo, bergen) = (s.b.actor_id("oslo"), s.b.actor_id("bergen"));
    let mut dm = s.reply(
        &s.peer.url("/notes/ask-oslo"),
        json!([oslo]),
        "<p>Privat spørsmål</p>",
    );
    dm["tag"] = mention(&oslo);
    s.send("Create", "ask-oslo", dm).await;
    let asked = s.messages().await[0].clone();
    assert_eq!(asked["item_id"], s.item, "{asked}");
    let answer = s.answer(&asked["id"], "Svar til eve.").await;

    let mut both = s.reply(
        &s.peer.url("/notes/to-both"),
        json!([oslo, bergen]),
        "<p>Til oslo og bergen</p>",
    );
    both["inReplyTo"] = answer["ap_id"].clone();
    both["tag"] = json!([
        {"type": "Mention", "href": oslo, "name": "@oslo"},
        {"type": "Mention", "href": bergen, "name": "@bergen"},
    ]);
    assert_eq!(s.send("Create", "to-both", both).await, INBOX_DONE);
    let at_oslo = s.messages().await[0].clone();
    assert_eq!(at_oslo["content_html"], "<p>Til oslo og bergen</p>");
    assert_eq!(at_oslo["in_reply_to_message_id"], answer["id"], "{at_oslo}");
    assert_eq!(at_oslo["item_id"], s.item, "{at_oslo}");
    let resp =
        s.b.send(Method::GET, "/api/v1/agencies/bergen/messages", None)
            .await;
    let at_bergen = json_body(resp, StatusCode::OK).await["messages"][0].clone();
    assert_eq!(at_bergen["content_html"], "<p>Til oslo og bergen</p>");
    assert_eq!(
        at_bergen["in_reply_to_message_id"],
        Value::Null,
        "{at_bergen}"
    );
    assert_eq!(
        at_bergen["item_id"],
        Value::Null,
        "bergen learnt the item of oslo's conversation: {at_bergen}"
    );
}
