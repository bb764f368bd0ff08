//! Following a peer agency by handle and by actor URL, and unfollowing.

use crate::helpers::{Instance, eventually};
use reqwest::{Method, StatusCode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_by_handle_and_url_then_unfollow() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    b.agency("oslo").await;
    b.agency("bergen").await;
    let oslo = b.actor_id("oslo");
    let bergen = b.actor_id("bergen");
    let nav = a.actor_id("nav");

    // By handle: pending at once, accepted once B's Accept arrives.
    let body = a.follow("nav", &b.handle("oslo")).await;
    assert_eq!(body["state"], "pending", "{body}");
    assert_eq!(body["actor"]["actor_id"], oslo.as_str(), "{body}");
    assert_eq!(body["actor"]["handle"], b.handle("oslo").as_str(), "{body}");
    assert_eq!(body["actor"]["origin"], "remote", "{body}");
    a.wait_accepted("nav", &oslo).await;
    assert_eq!(b.follower_ids("oslo").await, vec![nav.clone()]);
    let followers = b.get_json("/api/v1/agencies/oslo/followers").await;
    assert_eq!(
        followers[0]["handle"],
        a.handle("nav").as_str(),
        "{followers}"
    );

    // By actor URL.
    let body = a.follow("nav", &bergen).await;
    assert_eq!(body["actor"]["actor_id"], bergen.as_str(), "{body}");
    assert_eq!(
        body["actor"]["handle"],
        b.handle("bergen").as_str(),
        "{body}"
    );
    a.wait_accepted("nav", &bergen).await;
    assert_eq!(b.follower_ids("bergen").await, vec![nav.clone()]);

    // The ActivityPub followers collection counts nav too.
    let collection = b
        .client
        .get(b.url("/agencies/oslo/followers"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let collection: serde_json::Value = collection.json().await.unwrap();
    assert_eq!(collection["totalItems"], 1, "{collection}");

    // Unfollow by actor URL: 204, the Undo reaches B, bergen is untouched.
    let mut unfollow = url::Url::parse(&a.url("/api/v1/agencies/nav/following")).unwrap();
    unfollow.query_pairs_mut().append_pair("target", &oslo);
    let resp = a
        .send(
            Method::DELETE,
            &format!("{}?{}", unfollow.path(), unfollow.query().unwrap()),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(a.following_state("nav", &oslo).await, None);
    eventually("B's oslo to lose its follower", async || {
        let ids = b.follower_ids("oslo").await;
        if ids.is_empty() {
            Ok(())
        } else {
            Err(format!("{ids:?}"))
        }
    })
    .await;
    assert_eq!(b.follower_ids("bergen").await, vec![nav.clone()]);
    assert_eq!(
        a.following_state("nav", &bergen).await.as_deref(),
        Some("accepted")
    );

    // Unfollowing again: nothing to undo.
    let resp = a
        .send(
            Method::DELETE,
            &format!(
                "/api/v1/agencies/nav/following?target={}",
                b.handle("oslo").replace('@', "%40")
            ),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

/// Unfollowing what the agency never followed is a 404, by URL or by
/// handle (it used to look the target up, and answer 502 when that
/// failed); a URL is not looked up at all, and nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfollowing_an_unknown_actor_is_not_found() {
    let (a, peer) = tokio::join!(Instance::spawn(), crate::peer::FakePeer::spawn());
    a.agency("nav").await;
    let unfollow = async |target: &str| {
        let mut path = url::Url::parse(&a.url("/api/v1/agencies/nav/following")).unwrap();
        path.query_pairs_mut().append_pair("target", target);
        a.send(
            Method::DELETE,
            &format!("{}?{}", path.path(), path.query().unwrap()),
            None,
        )
        .await
    };
    let resp = unfollow(&peer.url("/actors/eve")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(peer.fetched().is_empty(), "{:?}", peer.fetched());
    // A handle may be another host's name for an actor the agency
    // follows: asked by WebFinger, which knows nothing of it here.
    let resp = unfollow(&format!("eve@{}", peer.domain)).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(peer.received().is_empty(), "{:?}", peer.received());
}

/// Following by handle has a deadline as a whole: a WebFinger answer may
/// list many links, each fetched in turn and each within the request
/// timeout, and a staff member's request must not hang on all of them.
/// Here 30 links each stall until the 1-second timeout: followed in turn
/// that is 30 s; the answer comes after at most 2 x (request + connect)
/// timeouts, 4 s, as a 502 problem, and nothing is followed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_by_handle_gives_up_at_its_deadline() {
    let (a, peer) = tokio::join!(
        Instance::spawn_tuned(|c| {
            c.federation.request_timeout_seconds = 1;
            c.federation.connect_timeout_seconds = 1;
        }),
        crate::peer::FakePeer::spawn()
    );
    a.agency("nav").await;
    let handle = format!("eve@{}", peer.domain);
    let links: Vec<serde_json::Value> = (0..30)
        .map(|n| {
            serde_json::json!({"rel": "self", "type": "application/activity+json",
                "href": peer.url(&format!("/slow/{n}"))})
        })
        .collect();
    peer.serve(
        "/.well-known/webfinger",
        serde_json::json!({"subject": format!("acct:{handle}"), "links": links}),
    );
    peer.stall_gets_under("/slow/");

    let started = std::time::Instant::now();
    let resp = a
        .send(
            Method::POST,
            "/api/v1/agencies/nav/following",
            Some(&serde_json::json!({"target": format!("@{handle}")})),
        )
        .await;
    let took = started.elapsed();
    let status = resp.status();
    let body = resp.text().await.unwrap();
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert!(body.contains("\"status\""), "not a problem body: {body}");
    assert!(
        took < std::time::Duration::from_secs(12),
        "the follow took {took:?}: the links were followed past the deadline"
    );
    assert!(
        peer.fetched()
            .iter()
            .filter(|f| f.path.starts_with("/slow/"))
            .count()
            < 30,
        "every link was tried"
    );
    let following = a.get_json("/api/v1/agencies/nav/following").await;
    assert_eq!(following, serde_json::json!([]), "{following}");
}
