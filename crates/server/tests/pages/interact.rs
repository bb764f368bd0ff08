//! "Follow / reply from your own server": the visitor's server is asked
//! for its interaction template over WebFinger (a fake server on
//! loopback here), with Mastodon's address as the fallback, and only
//! where outbound requests may go. The answer is a page naming where the
//! visitor would go (`interact_confirm.rs` checks that page itself).

use crate::support::{MARKUP, assert_language, scene, scene_with};
use deling_testkit::peer::FakePeer;
use reqwest::StatusCode;
use serde_json::json;

/// Posts the form as a browser (a redirect would not be followed).
pub async fn submit(base: &str, uri: &str, server: &str, lang: &str) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    client
        .post(format!("{base}/interact"))
        .header("Accept-Language", lang)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("uri", uri)
                .append_pair("server", server)
                .finish(),
        )
        .send()
        .await
        .unwrap()
}

/// Where the confirmation page's link to go on leads: the answer must be
/// that page (200, no redirect).
pub async fn destination(resp: reqwest::Response) -> String {
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("location").is_none());
    let html = resp.text().await.unwrap();
    continue_href(&html).unwrap_or_else(|| panic!("no link to go on: {html}"))
}

/// The `href` of the confirmation page's link to go on, unescaped.
pub fn continue_href(html: &str) -> Option<String> {
    let at = html.find("class=\"continue\"")?;
    let rest = &html[at..];
    let href = rest.split("href=\"").nth(1)?.split('"').next()?;
    Some(crate::support::named_entities(href).replace("&amp;", "&"))
}

#[tokio::test]
async fn the_visitors_server_template_is_used_when_it_may_be_asked() {
    let s = scene_with(|c| c.federation.allow_private_addresses = true).await;
    let peer = FakePeer::spawn().await;
    peer.serve(
        "/.well-known/webfinger",
        json!({
            "subject": format!("acct:kari@{}", peer.domain),
            "links": [
                {"rel": "self", "type": "application/activity+json", "href": peer.url("/users/kari")},
                {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": peer.url("/authorize_follow?acct={uri}")}
            ]
        }),
    );
    let actor = "http://deling.test/agencies/oslo";
    let resp = submit(&s.app.base, actor, &format!("@kari@{}", peer.domain), "nb").await;
    assert_eq!(
        destination(resp).await,
        peer.url("/authorize_follow?acct=http%3A%2F%2Fdeling.test%2Fagencies%2Foslo")
    );
    let asked = peer.fetched();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(
        asked[0]
            .path
            .starts_with("/.well-known/webfinger?resource=acct%3Akari%40localhost"),
        "{}",
        asked[0].path
    );

    // Replying to an item: the server alone is enough.
    let item = format!("http://deling.test/items/{}", s.guide);
    let resp = submit(&s.app.base, &item, &peer.domain, "nb").await;
    assert!(destination(resp).await.ends_with(&format!(
        "?acct=http%3A%2F%2Fdeling.test%2Fitems%2F{}",
        s.guide
    )));

    // A server without the template: Mastodon's address.
    let bare = FakePeer::spawn().await;
    let resp = submit(&s.app.base, actor, &bare.domain, "nb").await;
    assert_eq!(
        destination(resp).await,
        bare.url("/authorize_interaction?uri=http%3A%2F%2Fdeling.test%2Fagencies%2Foslo")
    );
}

#[tokio::test]
async fn private_addresses_are_not_asked_unless_allowed() {
    // The test configuration refuses loopback and private addresses (as
    // production does): the lookup never reaches the fake server, and the
    // visitor is offered the fallback address.
    let s = scene().await;
    let peer = FakePeer::spawn().await;
    peer.serve(
        "/.well-known/webfinger",
        json!({"links": [{"rel": "http://ostatus.org/schema/1.0/subscribe", "template": peer.url("/x?u={uri}")}]}),
    );
    let resp = submit(
        &s.app.base,
        "http://deling.test/agencies/oslo",
        &peer.domain,
        "en",
    )
    .await;
    assert_eq!(
        destination(resp).await,
        peer.url("/authorize_interaction?uri=http%3A%2F%2Fdeling.test%2Fagencies%2Foslo")
    );
    assert!(peer.fetched().is_empty(), "{:?}", peer.fetched());
}

#[tokio::test]
async fn bad_input_shows_the_form_again_or_is_refused() {
    let s = scene().await;
    let actor = "http://deling.test/agencies/oslo";
    for lang in ["nb", "en"] {
        let resp = submit(&s.app.base, actor, &format!("not a server {MARKUP}"), lang).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let html = crate::support::named_entities(&resp.text().await.unwrap());
        assert_language(&html, lang, "the form again");
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
        assert!(
            !html.contains(MARKUP) && html.contains("not a server &lt;script&gt;"),
            "{html}"
        );
    }
    // Only our own agencies and items: no sending anyone anywhere else.
    for uri in [
        "https://evil.example/",
        "http://deling.test/api/v1/items",
        "javascript:alert(1)",
    ] {
        let resp = submit(&s.app.base, uri, "mastodon.social", "en").await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{uri}");
    }
}

#[tokio::test]
async fn a_server_the_policy_suspends_is_not_asked() {
    use deling_domain::policy::{Domain, Severity};
    let s = scene_with(|c| c.federation.allow_private_addresses = true).await;
    let peer = FakePeer::spawn().await;
    peer.serve(
        "/.well-known/webfinger",
        json!({
            "subject": format!("acct:kari@{}", peer.domain),
            "links": [{"rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": peer.url("/authorize_follow?acct={uri}")}]
        }),
    );
    s.app
        .store
        .put_domain_policy(
            &Domain::parse(&peer.domain).unwrap(),
            Severity::Suspend,
            None,
            None,
            None,
        )
        .await
        .unwrap();
    let actor = "http://deling.test/agencies/oslo";
    let resp = submit(&s.app.base, actor, &format!("@kari@{}", peer.domain), "nb").await;
    // Not asked: the visitor gets Mastodon's address on their server.
    assert_eq!(
        destination(resp).await,
        peer.url("/authorize_interaction?uri=http%3A%2F%2Fdeling.test%2Fagencies%2Foslo")
    );
    assert!(peer.fetched().is_empty(), "{:?}", peer.fetched());
}
