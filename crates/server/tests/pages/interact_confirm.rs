//! `POST /interact` is no open redirect: any site can post the form with
//! a server of its choosing, so the answer is a page that names where the
//! visitor would go, plainly, with a link on and a link back, and never a
//! redirect; a template that is not a web address is refused outright.

use crate::{
    interact::{continue_href, submit},
    support::{MARKUP, assert_language, named_entities},
};
use deling_testkit::{TestApp, peer::FakePeer};
use reqwest::StatusCode;
use serde_json::json;

const ACTOR: &str = "http://deling.test/agencies/oslo";

/// A server that may ask fake servers on loopback, with markup in its
/// name (it is in the page's words).
async fn app() -> TestApp {
    TestApp::spawn_with(|c| {
        c.federation.allow_private_addresses = true;
        c.instance.name = format!("Deling {MARKUP}");
    })
    .await
}

/// A fake server whose WebFinger names `template`.
async fn server_naming(template: &str) -> FakePeer {
    let peer = FakePeer::spawn().await;
    peer.serve(
        "/.well-known/webfinger",
        json!({"links": [{"rel": "http://ostatus.org/schema/1.0/subscribe", "template": template}]}),
    );
    peer
}

/// The text of the element that carries `class="CLASS"`, up to its end tag.
fn text_of(html: &str, class: &str) -> String {
    let at = html
        .find(&format!("class=\"{class}\""))
        .unwrap_or_else(|| panic!("no {class}: {html}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..][..rest[start..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn a_hostile_webfinger_gets_a_page_that_names_its_host_not_a_redirect() {
    let app = app().await;
    let target = "https://evil.example/login?next=/oslo&u={uri}";
    let peer = server_naming(target).await;
    let filled =
        "https://evil.example/login?next=/oslo&u=http%3A%2F%2Fdeling.test%2Fagencies%2Foslo";
    for (lang, other, back) in [
        (
            "nb",
            "Dette er ikke tjeneren du skrev inn",
            "Nei, gå tilbake",
        ),
        ("en", "This is not the server you typed", "No, go back"),
    ] {
        // As an auto-submitted form from another site would post it: no
        // cookies, whatever server the page chose.
        let resp = submit(&app.base, ACTOR, &peer.domain, lang).await;
        assert_eq!(resp.status(), StatusCode::OK, "{lang}");
        assert!(resp.headers().get("location").is_none(), "{lang}");
        assert_eq!(
            resp.headers()["cache-control"].to_str().unwrap(),
            "no-store"
        );
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = named_entities(&resp.text().await.unwrap());
        assert_language(&html, lang, "the confirmation page");
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        // The host, alone and prominent; the whole address; the way on
        // and the way back; a note that it is not the server typed.
        assert_eq!(text_of(&html, "destination-host"), "evil.example");
        assert_eq!(
            text_of(&html, "destination-url").replace("&amp;", "&"),
            filled
        );
        assert_eq!(continue_href(&html).as_deref(), Some(filled));
        assert!(
            html.contains(&format!("<a class=\"back\" href=\"{ACTOR}\">{back}</a>")),
            "{html}"
        );
        assert!(html.contains(other), "{html}");
        assert!(html.contains(&peer.domain), "the server typed is named");
        // The instance's name is in the words, escaped.
        assert!(!html.contains(MARKUP), "{html}");
        // No script, no refresh: nothing goes on without the visitor.
        assert!(!html.contains("http-equiv"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }
}

#[tokio::test]
async fn the_visitors_own_server_is_named_without_a_warning() {
    let app = app().await;
    let peer = FakePeer::spawn().await;
    peer.serve(
        "/.well-known/webfinger",
        json!({"links": [{"rel": "http://ostatus.org/schema/1.0/subscribe",
                          "template": peer.url("/authorize_interaction?uri={uri}")}]}),
    );
    let resp = submit(&app.base, ACTOR, &format!("@kari@{}", peer.domain), "en").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = named_entities(&resp.text().await.unwrap());
    assert_eq!(text_of(&html, "destination-host"), peer.domain);
    assert!(!html.contains("This is not the server you typed"), "{html}");
    assert!(
        html.contains(&format!("Continue to {}", peer.domain)),
        "{html}"
    );
}

#[tokio::test]
async fn a_template_that_is_no_web_address_is_refused_with_a_page() {
    let app = app().await;
    for template in [
        "javascript:alert(document.domain)//{uri}",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>{uri}",
        "https://deling.test@evil.example/?u={uri}",
        "/relative?uri={uri}",
    ] {
        let peer = server_naming(template).await;
        for (lang, words) in [("nb", "ikke er en nettside"), ("en", "is not a web page")] {
            let resp = submit(&app.base, ACTOR, &peer.domain, lang).await;
            assert_eq!(resp.status(), StatusCode::BAD_GATEWAY, "{template}");
            assert!(resp.headers().get("location").is_none(), "{template}");
            let html = named_entities(&resp.text().await.unwrap());
            assert_language(&html, lang, template);
            assert!(html.contains(words), "{template}: {html}");
            // The form again, its field marked, and no way to the address.
            assert!(html.contains("aria-invalid=\"true\""), "{html}");
            assert!(continue_href(&html).is_none(), "{html}");
            assert!(!html.to_ascii_lowercase().contains("javascript:"), "{html}");
            assert!(!html.contains("evil.example"), "{html}");
        }
    }
}

#[tokio::test]
async fn problems_still_answer_pages_in_the_visitors_language() {
    let app = TestApp::spawn_with(|c| c.limits.search_per_ip_per_minute = 2).await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // A form without its fields, or not a form at all: the 400 page,
    // whatever the client says it accepts.
    for (body, content_type, accept) in [
        ("uri=x", "application/x-www-form-urlencoded", "text/html"),
        ("{}", "application/json", "application/json"),
    ] {
        let resp = client
            .post(app.url("/interact"))
            .header("Accept-Language", "en")
            .header("Accept", accept)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{content_type}");
        let html = named_entities(&resp.text().await.unwrap());
        assert_language(&html, "en", content_type);
        assert!(html.contains("Invalid address"), "{html}");
    }
    // The rate limit still comes before any lookup: the third lookup in
    // a minute from one address is turned away.
    let peer = FakePeer::spawn().await;
    for _ in 0..2 {
        let resp = submit(&app.base, ACTOR, &peer.domain, "nb").await;
        assert_eq!(resp.status(), StatusCode::OK);
    }
    let resp = submit(&app.base, ACTOR, &peer.domain, "nb").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = named_entities(&resp.text().await.unwrap());
    assert_language(&html, "nb", "the 429 page");
    assert!(peer.fetched().is_empty(), "private addresses are not asked");
}
