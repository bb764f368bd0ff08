//! Reporting a remote comment: a `Flag` from this server's instance actor
//! reaches the author's server, in Mastodon's shape, signed; a comment
//! written here or a report without a reason is refused and nothing is
//! queued.

use crate::{
    helpers::{Instance, eventually, id_of, json_body},
    peer::{FakePeer, fake_keys, verify_received},
};
use chrono::Utc;
use deling_store::queries::inbox::INBOX_PENDING;
use reqwest::{Method, StatusCode};
use serde_json::json;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reported_comment_reaches_its_authors_server_as_a_flag() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Meld fra", &[]).await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);

    // eve comments on oslo's item.
    let create_id = eve.activity_id("create-note-1");
    let note_id = peer.url("/notes/1");
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": create_id, "type": "Create", "actor": eve.id, "to": [PUBLIC],
        "object": {
            "id": note_id, "type": "Note", "attributedTo": eve.id,
            "inReplyTo": b.url(&format!("/items/{item}")),
            "content": "<p>Kjøp billige klokker her!</p>",
            "to": [PUBLIC], "published": Utc::now(),
        },
    });
    let resp = eve.post(&b.shared_inbox(), &create).send(&b.client).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    eventually("eve's comment processed", async || {
        match b.store.get_inbox_activity(&create_id).await.unwrap() {
            Some(row) if row.status != INBOX_PENDING => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    let theirs = b
        .comments(item)
        .await
        .into_iter()
        .find(|c| c["ap_id"] == note_id.as_str())
        .expect("eve's comment is listed");
    let comment = id_of(&theirs);

    // A report needs a reason.
    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/comments/{comment}/report"),
            Some(&json!({"reason": "   "})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // oslo's own comment has no other server to be reported to.
    let own = b
        .send(
            Method::POST,
            &format!("/api/v1/items/{item}/comments"),
            Some(&json!({"agency": "oslo", "body": "Takk for innspill."})),
        )
        .await;
    let own = json_body(own, StatusCode::CREATED).await;
    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/comments/{}/report", id_of(&own)),
            Some(&json!({"reason": "Feil"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);

    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/comments/{comment}/report"),
            Some(&json!({"reason": "Reklame for klokker"})),
        )
        .await;
    let accepted = json_body(resp, StatusCode::ACCEPTED).await;
    let flag_id = accepted["flag"].as_str().expect("flag id").to_owned();

    // The Flag reaches eve's server: from B's instance actor, naming eve
    // and her comment, as Mastodon sends and reads one.
    let got = eventually("the Flag at eve's server", async || {
        peer.received_of("Flag")
            .into_iter()
            .next()
            .ok_or_else(|| format!("{:?}", peer.received()))
    })
    .await;
    let flag = got.json();
    let instance_actor = b.url("/actor");
    assert_eq!(flag["id"], flag_id.as_str());
    assert_eq!(flag["actor"], instance_actor.as_str());
    assert_eq!(flag["object"], json!([eve.id, note_id]));
    assert_eq!(flag["content"], "Reklame for klokker");
    assert_eq!(flag["to"], json!([eve.id]));
    let instance = b.store.get_instance().await.unwrap().unwrap();
    verify_received(
        &got,
        &format!("{instance_actor}#main-key"),
        &instance.public_key_pem,
    )
    .unwrap_or_else(|e| panic!("the Flag's signature: {e}"));
    assert_eq!(
        peer.received_of("Flag").len(),
        1,
        "the refused reports sent nothing"
    );

    // The report is in the audit log.
    let audit = b.store.list_audit(10, 0).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "comment.report" && e.target == comment.to_string()),
        "{audit:?}"
    );
}

/// A server with [`OPEN_REPORTS_PER_HOST`] reports waiting has its next
/// refused (whichever of its actors sends it), so that a flood does not
/// bury other servers' reports; resolving one makes room again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_a_full_share_of_open_reports_files_no_more() {
    use deling_federation::inbox::activities::flag::OPEN_REPORTS_PER_HOST;
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let oslo = b.actor_id("oslo");
    let [k1, k2] = fake_keys().await;
    let (eve, ola) = (peer.actor("eve", k1), peer.actor("ola", k2));
    // Its share, filed by many of its accounts; one report of another
    // server's sits among them and is not counted.
    for n in 0..OPEN_REPORTS_PER_HOST {
        b.store
            .put_report(
                &peer.url(&format!("/flags/{n}")),
                &peer.url(&format!("/users/u{n}")),
                "flood",
                vec![oslo.clone()],
            )
            .await
            .unwrap();
    }
    b.store
        .put_report(
            "https://other.example/flags/1",
            "https://other.example/actor",
            "real",
            vec![oslo.clone()],
        )
        .await
        .unwrap();
    let flag = |who: &crate::peer::FakeActor, name: &str| {
        json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": who.activity_id(name), "type": "Flag", "actor": who.id,
            "object": [oslo], "content": "again"})
    };
    let send = async |who: &crate::peer::FakeActor, name: &str| {
        let activity = flag(who, name);
        let resp = who.post(&b.shared_inbox(), &activity).send(&b.client).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        b.processed(&who.activity_id(name)).await;
        b.store
            .list_reports(true, None, 1000)
            .await
            .unwrap()
            .iter()
            .any(|r| r.ap_id == who.activity_id(name))
    };
    assert!(
        !send(&eve, "over-1").await,
        "a report past the share was filed"
    );
    assert!(
        !send(&ola, "over-2").await,
        "another account of the server filed one"
    );

    // One resolved: room for one more.
    let first = b
        .store
        .list_reports(true, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.reporter.starts_with(&peer.url("/users/")))
        .unwrap();
    assert!(b.store.resolve_report(first.id).await.unwrap());
    assert!(
        send(&eve, "room").await,
        "no room after a report was resolved"
    );
    assert!(!send(&ola, "over-3").await);
}
