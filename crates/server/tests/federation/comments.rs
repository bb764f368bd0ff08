//! Comments across servers: a follower comments on a peer's item, the
//! peer's reply comes back to the follower, and a comment taken back is
//! deleted at the peer too.

use crate::helpers::{Instance, eventually, id_of, json_body};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_travel_both_ways() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    b.agency("oslo").await;
    a.follow("nav", &b.handle("oslo")).await;
    a.wait_accepted("nav", &b.actor_id("oslo")).await;
    let on_b = b.publish("oslo", "Spør oss", &["sporsmal"]).await;
    let on_a = id_of(&a.wait_remote_item(&b.url(&format!("/items/{on_b}"))).await);

    // A comments on its copy of B's item.
    let resp = a
        .send(
            Method::POST,
            &format!("/api/v1/items/{on_a}/comments"),
            Some(&json!({"agency": "nav", "body": "Markdown *x* <script>alert(1)</script>"})),
        )
        .await;
    let mine = json_body(resp, StatusCode::CREATED).await;
    let mine_ap = mine["ap_id"].as_str().unwrap().to_owned();
    assert!(mine_ap.starts_with(&a.url("/comments/")), "{mine}");
    assert_eq!(mine["author"]["handle"], a.handle("nav").as_str(), "{mine}");

    // It reaches B, attributed to nav, with sanitised HTML.
    let theirs = eventually("A's comment on B", async || {
        let list = b.comments(on_b).await;
        list.iter()
            .find(|c| c["ap_id"] == mine_ap.as_str())
            .cloned()
            .ok_or_else(|| format!("{list:?}"))
    })
    .await;
    assert_eq!(theirs["author"]["origin"], "remote", "{theirs}");
    assert_eq!(
        theirs["author"]["handle"],
        a.handle("nav").as_str(),
        "{theirs}"
    );
    assert_eq!(
        theirs["author"]["actor_id"],
        a.actor_id("nav").as_str(),
        "{theirs}"
    );
    let html = theirs["content_html"].as_str().unwrap();
    assert!(html.contains("Markdown <em>x</em>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains('*'), "{html}");
    assert_eq!(theirs["in_reply_to_id"], serde_json::Value::Null);

    // B's oslo answers nav's comment; oslo's followers (A) get the reply.
    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/items/{on_b}/comments"),
            Some(
                &json!({"agency": "oslo", "body": "Takk, **nav**!", "in_reply_to": id_of(&theirs)}),
            ),
        )
        .await;
    let reply = json_body(resp, StatusCode::CREATED).await;
    let reply_ap = reply["ap_id"].as_str().unwrap().to_owned();
    assert!(reply_ap.starts_with(&b.url("/comments/")), "{reply}");
    let back = eventually("B's reply on A", async || {
        let list = a.comments(on_a).await;
        list.iter()
            .find(|c| c["ap_id"] == reply_ap.as_str())
            .cloned()
            .ok_or_else(|| format!("{list:?}"))
    })
    .await;
    assert_eq!(
        back["author"]["handle"],
        b.handle("oslo").as_str(),
        "{back}"
    );
    assert_eq!(back["in_reply_to_id"], mine["id"], "{back}");
    assert!(
        back["content_html"]
            .as_str()
            .unwrap()
            .contains("<strong>nav</strong>"),
        "{back}"
    );
    // Each side lists both comments, once each.
    assert_eq!(a.comments(on_a).await.len(), 2);
    assert_eq!(b.comments(on_b).await.len(), 2);

    // nav edits its comment: only nav's staff may; the Update reaches B.
    let mine_path = format!("/api/v1/comments/{}", id_of(&mine));
    let outsider = a.staff_token("outsider", false, None).await;
    let resp = a
        .send_as(
            &outsider,
            Method::PATCH,
            &mine_path,
            Some(&json!({"body": "Nope"})),
        )
        .await;
    json_body(resp, StatusCode::FORBIDDEN).await;
    for (body, status) in [
        (json!({"body": ""}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"body": "x", "agency": "nav"}),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let resp = a.send(Method::PATCH, &mine_path, Some(&body)).await;
        json_body(resp, status).await;
    }
    let resp = a
        .send(
            Method::PATCH,
            &mine_path,
            Some(&json!({"body": "Rettet: **viktig** tillegg"})),
        )
        .await;
    let edited = json_body(resp, StatusCode::OK).await;
    assert!(
        edited["content_html"]
            .as_str()
            .unwrap()
            .contains("<strong>viktig</strong>"),
        "{edited}"
    );
    assert!(!edited["updated"].is_null(), "{edited}");
    eventually("the edit to reach B", async || {
        let list = b.comments(on_b).await;
        let c = list
            .iter()
            .find(|c| c["ap_id"] == mine_ap.as_str())
            .ok_or("gone")?;
        if c["content_html"]
            .as_str()
            .unwrap_or_default()
            .contains("<strong>viktig</strong>")
        {
            Ok(())
        } else {
            Err(c.to_string())
        }
    })
    .await;
    // B's own moderators cannot edit A's comment: it is not theirs.
    let theirs_path = format!("/api/v1/comments/{}", id_of(&theirs));
    let resp = b
        .send(Method::PATCH, &theirs_path, Some(&json!({"body": "Nei"})))
        .await;
    json_body(resp, StatusCode::FORBIDDEN).await;

    // nav takes its comment back: only nav's staff may, and the Delete
    // reaches B, where the comment goes; its id answers 410 at A.
    let stranger = a.staff_token("stranger", false, None).await;
    let resp = a.send_as(&stranger, Method::DELETE, &mine_path, None).await;
    json_body(resp, StatusCode::FORBIDDEN).await;
    let resp = a.send(Method::DELETE, &mine_path, None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    eventually("the Delete to remove nav's comment on B", async || {
        let list = b.comments(on_b).await;
        if list.iter().any(|c| c["ap_id"] == mine_ap.as_str()) {
            Err(format!("{list:?}"))
        } else {
            Ok(())
        }
    })
    .await;
    // oslo's reply stays on both sides.
    assert_eq!(b.comments(on_b).await.len(), 1);
    assert_eq!(a.comments(on_a).await.len(), 1);
    let gone = a
        .client
        .get(&mine_ap)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::GONE);
    let tombstone: serde_json::Value = gone.json().await.unwrap();
    assert_eq!(tombstone["formerType"], "Note", "{tombstone}");
    let resp = a.send(Method::DELETE, &mine_path, None).await;
    json_body(resp, StatusCode::NOT_FOUND).await;
    // The deletion is in A's audit log.
    let deletes = a.store.list_audit(10, 0).await.unwrap();
    assert_eq!(deletes[0].action, "comment.delete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_comment_is_not_served() {
    let b = Instance::spawn().await;
    b.agency("oslo").await;
    b.agency("bergen").await;
    let item = b.publish("oslo", "Spør oss", &[]).await;
    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/items/{item}/comments"),
            Some(&json!({"agency": "bergen", "body": "Et innspill"})),
        )
        .await;
    let c = json_body(resp, StatusCode::CREATED).await;
    let ap_id = c["ap_id"].as_str().unwrap().to_owned();
    let fetch = async || {
        b.client
            .get(&ap_id)
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(fetch().await, StatusCode::OK);
    // oslo's moderators hide it: its address stops answering, until shown.
    let hide = format!("/api/v1/comments/{}/hide", id_of(&c));
    let resp = b.send(Method::POST, &hide, None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(fetch().await, StatusCode::NOT_FOUND);
    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/comments/{}/unhide", id_of(&c)),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(fetch().await, StatusCode::OK);
}
