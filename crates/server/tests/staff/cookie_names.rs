//! The authentication cookies' names follow the instance's public scheme:
//! over https they carry the `__Host-` prefix (and so Secure, `Path=/`,
//! no `Domain`), which a sibling site under the same parent domain can
//! neither set nor shadow; over plain http (development, these tests)
//! the bare names. Only the name in use is read. The https instance here
//! is `federation.debug = false` (its ids are `https://deling.test/`),
//! still served over http on loopback, which a test client does not mind.

use deling_testkit::{PASSWORD, TestApp, web::Browser, web::input_value};
use reqwest::StatusCode;

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The `Set-Cookie` of the last answer that sets `name`.
fn set_cookie<'a>(b: &'a Browser, name: &str) -> &'a str {
    b.last_set_cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {:?}", b.last_set_cookies))
}

/// The attributes of a `Set-Cookie` value, lower-cased.
fn attributes(set: &str) -> Vec<String> {
    set.split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

/// What a browser demands before it keeps a `__Host-` cookie.
fn assert_host_cookie(set: &str) {
    assert!(set.starts_with("__Host-"), "{set}");
    let attrs = attributes(set);
    for want in ["secure", "path=/", "httponly", "samesite=lax"] {
        assert!(attrs.iter().any(|a| a == want), "{want} missing: {set}");
    }
    assert!(!attrs.iter().any(|a| a.starts_with("domain")), "{set}");
}

/// Logs in with the form; the answer.
async fn log_in(b: &mut Browser) -> reqwest::Response {
    let html = b.page("/login").await;
    let csrf = input_value(&html, "csrf").unwrap();
    b.post_raw(
        "/login",
        &[
            ("csrf", &csrf),
            ("next", "/staff"),
            ("username", "kari"),
            ("password", PASSWORD),
        ],
    )
    .await
}

#[tokio::test]
async fn an_https_instance_sets_and_reads_only_host_prefixed_cookies() {
    let app = TestApp::spawn_with(|c| c.federation.debug = false).await;
    app.staff("kari", false).await;
    let mut b = app.browser();

    // The login form's CSRF cookie.
    let html = b.page("/login").await;
    assert_host_cookie(set_cookie(&b, "__Host-deling_login"));
    assert_eq!(
        b.cookies.get("__Host-deling_login"),
        input_value(&html, "csrf").as_ref()
    );
    assert!(!b.cookies.contains_key("deling_login"));

    // A login form whose token is only under the bare name (a sibling
    // site's plant) is refused.
    let mut planted = app.browser();
    let token = b.cookies["__Host-deling_login"].clone();
    planted.cookies.insert("deling_login".into(), token.clone());
    let resp = planted
        .post_raw(
            "/login",
            &[
                ("csrf", &token),
                ("username", "kari"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // The session cookie; the login cookie removed with the attributes a
    // browser needs to accept the removal.
    let resp = log_in(&mut b).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/staff");
    let session = set_cookie(&b, "__Host-deling_session");
    assert_host_cookie(session);
    let gone = set_cookie(&b, "__Host-deling_login");
    assert_host_cookie(gone);
    assert!(attributes(gone).iter().any(|a| a == "max-age=0"), "{gone}");
    assert!(
        !b.last_set_cookies
            .iter()
            .any(|c| c.starts_with("deling_session=") || c.starts_with("deling_login=")),
        "{:?}",
        b.last_set_cookies
    );
    b.page("/staff").await;

    // The same secret under the bare name is no session: not one a
    // sibling site could set, nor one from before the prefix.
    let secret = b.cookies["__Host-deling_session"].clone();
    let mut bare = app.browser();
    bare.cookies.insert("deling_session".into(), secret);
    let resp = bare.get("/staff").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with("/login"), "{}", location(&resp));

    // Logging out removes it under its name.
    let resp = b.post_form("/staff", "/logout", &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let ended = set_cookie(&b, "__Host-deling_session");
    assert_host_cookie(ended);
    assert!(
        attributes(ended).iter().any(|a| a == "max-age=0"),
        "{ended}"
    );
    assert!(!b.cookies.contains_key("__Host-deling_session"));
}

#[tokio::test]
async fn a_plain_http_instance_keeps_the_bare_names() {
    let app = TestApp::spawn().await;
    app.staff("kari", false).await;
    let mut b = app.browser();
    let resp = log_in(&mut b).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&b, "deling_session").to_owned();
    let attrs = attributes(&session);
    assert!(attrs.iter().any(|a| a == "path=/"), "{session}");
    // Browsers drop Secure cookies set over http.
    assert!(!attrs.iter().any(|a| a == "secure"), "{session}");
    assert!(!attrs.iter().any(|a| a.starts_with("domain")), "{session}");
    assert!(
        !b.cookies.keys().any(|k| k.starts_with("__Host-")),
        "{:?}",
        b.cookies
    );
    b.page("/staff").await;

    // Only the name in use is read.
    let mut prefixed = app.browser();
    prefixed.cookies.insert(
        "__Host-deling_session".into(),
        b.cookies["deling_session"].clone(),
    );
    let resp = prefixed.get("/staff").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with("/login"), "{}", location(&resp));
}

/// Single sign-on on an https instance: the state cookie is
/// `__Host-deling_oidc` (so `Path=/`, not `/login/oidc`), the callback
/// reads it under that name only, and the login ends with a
/// `__Host-deling_session` and the state cookie removed.
#[tokio::test]
async fn single_sign_on_on_an_https_instance_uses_host_prefixed_cookies() {
    use crate::oidc::{AtProvider, app_for, at_provider, can_run, provider, start};
    if can_run().is_none() {
        return;
    }
    let p = provider("https://deling.test/login/oidc/callback", false).await;
    let app = app_for(&p.issuer, |c| c.federation.debug = false).await;
    app.staff("kari", false).await;
    let mut b = app.browser();

    let auth = start(&mut b, "/staff/items").await;
    assert_host_cookie(set_cookie(&b, "__Host-deling_oidc"));
    assert!(!b.cookies.contains_key("deling_oidc"));
    let callback = at_provider(&auth, AtProvider::LogIn("kari")).await;

    // The state under the bare name (planted by a sibling site) does not
    // tie the answer to a browser; nor is the waiting login used up.
    let mut planted = app.browser();
    planted.cookies.insert(
        "deling_oidc".into(),
        b.cookies["__Host-deling_oidc"].clone(),
    );
    let resp = planted.get(&callback).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(
        !planted
            .last_set_cookies
            .iter()
            .any(|c| c.contains("deling_session")),
        "{:?}",
        planted.last_set_cookies
    );

    let resp = b.get(&callback).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/staff/items");
    assert_host_cookie(set_cookie(&b, "__Host-deling_session"));
    let gone = set_cookie(&b, "__Host-deling_oidc");
    assert_host_cookie(gone);
    assert!(attributes(gone).iter().any(|a| a == "max-age=0"), "{gone}");
    assert!(!b.cookies.contains_key("__Host-deling_oidc"));
    b.page("/staff").await;
}
