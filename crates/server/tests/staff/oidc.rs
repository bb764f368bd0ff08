//! Single sign-on against a real OpenID Connect provider on loopback (the
//! certified `oidc-provider` npm package, browser/oidc-provider.mjs),
//! driven over real HTTP: its login and consent forms filled as a person
//! would, its answer brought back to Deling. Skipped with a note when
//! browser/node_modules lacks the package, unless CI is set.

use deling_domain::auth::token_hash;
use deling_testkit::{TestApp, free_port, postgres, web::Browser};
use reqwest::{StatusCode, header};
use std::{collections::BTreeMap, path::PathBuf, process::Stdio, time::Duration};
use tokio::io::{AsyncBufReadExt, BufReader};

const CLIENT_ID: &str = "deling-test";
const CLIENT_SECRET: &str = "the test provider's client secret";
/// Where the test configuration's instance (`deling.test`, plain HTTP)
/// asks the provider to send the browser back.
const CALLBACK: &str = "http://deling.test/login/oidc/callback";

/// The provider's accounts: `kari` and `per` are Deling staff (per's
/// account disabled), `ola` is known to the provider only, `mark` has a
/// name with markup in it.
const ACCOUNTS: &str = r#"{
  "kari": {"preferred_username": "Kari", "email": "kari@kommune.test", "email_verified": true, "name": "Kari Nordmann"},
  "per": {"preferred_username": "per", "email": "per@kommune.test", "email_verified": true},
  "ola": {"preferred_username": "ola.ukjent", "email": "ola@elsewhere.test", "email_verified": true},
  "mark": {"preferred_username": "<b>mark</b>", "email": "mark@kommune.test", "email_verified": false}
}"#;

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../browser")
}

/// `Some(())` when the provider can run here; otherwise a note and `None`,
/// or a panic when `CI` is set.
pub(crate) fn can_run() -> Option<()> {
    let dir = browser_dir();
    let reason = if !dir.join("node_modules/.bin/node").is_file() {
        "no Node in browser/node_modules (run npm ci there)"
    } else if !dir.join("node_modules/oidc-provider").is_dir() {
        "oidc-provider is not installed in browser/node_modules (run npm ci there)"
    } else {
        return Some(());
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "the single sign-on tests cannot run: {reason} (CI is set, so they may not be skipped)"
    );
    println!("skipping the single sign-on test: {reason}");
    None
}

/// A running provider; it ends when this is dropped.
pub(crate) struct Provider {
    pub(crate) issuer: String,
    _child: tokio::process::Child,
}

/// Starts the provider with a client for `callback`; with
/// `id_token_claims` the claims are in the ID token too, otherwise only
/// at the userinfo endpoint.
pub(crate) async fn provider(callback: &str, id_token_claims: bool) -> Provider {
    let port = free_port();
    let mut cmd = tokio::process::Command::new(browser_dir().join("node_modules/.bin/node"));
    cmd.arg("oidc-provider.mjs")
        .args([
            &port.to_string(),
            CLIENT_ID,
            CLIENT_SECRET,
            callback,
            ACCOUNTS,
        ])
        .current_dir(browser_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    if id_token_claims {
        cmd.arg("id-token-claims");
    }
    let mut child = cmd.spawn().expect("start the OpenID Connect provider");
    let stdout = child.stdout.take().expect("its output");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the provider to start in time")
        .expect("its first line")
        .expect("the provider printed its issuer");
    // The package prints notes later on; keep reading so that it can.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
    Provider {
        issuer: v["issuer"].as_str().expect("issuer").to_owned(),
        _child: child,
    }
}

/// Deling configured for `issuer`, with `tweak` on top.
fn configure(c: &mut deling::config::Config, issuer: &str) {
    c.auth.oidc.issuer = issuer.to_owned();
    c.auth.oidc.client_id = CLIENT_ID.into();
    c.auth.oidc.client_secret = CLIENT_SECRET.into();
    c.auth.oidc.label = "Testporten".into();
}

pub(crate) async fn app_for(
    issuer: &str,
    tweak: impl FnOnce(&mut deling::config::Config),
) -> TestApp {
    let issuer = issuer.to_owned();
    TestApp::spawn_with(move |c| {
        configure(c, &issuer);
        tweak(c);
    })
    .await
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// What the person does at the provider.
#[derive(Clone, Copy)]
pub(crate) enum AtProvider<'a> {
    /// Logs in as this account and consents.
    LogIn(&'a str),
    /// Gives up on the login page.
    Cancel,
}

/// A person at the provider's pages: follows its redirects and fills its
/// login and consent forms until it sends the browser back to Deling
/// (`deling.test`'s callback, over http or, for an https instance, https);
/// returns that callback's path and query.
pub(crate) async fn at_provider(auth_url: &str, what: AtProvider<'_>) -> String {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let mut url = url::Url::parse(auth_url).unwrap();
    let mut form: Option<Vec<(&str, String)>> = None;
    for _ in 0..16 {
        let cookies = jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = match form.take() {
            Some(fields) => client
                .post(url.clone())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(fields)
                        .finish(),
                ),
            None => client.get(url.clone()),
        };
        let resp = req.header(header::COOKIE, cookies).send().await.unwrap();
        for set in resp.headers().get_all(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                jar.insert(k.trim().to_owned(), v.to_owned());
            }
        }
        if resp.status().is_redirection() {
            let to = url.join(&location(&resp)).unwrap();
            if to.host_str() == Some("deling.test") && to.path() == "/login/oidc/callback" {
                return format!("{}?{}", to.path(), to.query().unwrap_or_default());
            }
            url = to;
            continue;
        }
        let status = resp.status();
        let html = resp.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "the provider at {url}: {html}");
        let action = html
            .split("action=\"")
            .nth(1)
            .and_then(|a| a.split('"').next())
            .unwrap_or_else(|| panic!("no form at {url}: {html}"))
            .replace("&amp;", "&");
        let prompt = if html.contains("name=\"prompt\" value=\"login\"") {
            "login"
        } else {
            "consent"
        };
        match (prompt, what) {
            ("login", AtProvider::Cancel) => {
                url = url
                    .join(&format!("{}/abort", action.trim_end_matches('/')))
                    .unwrap();
            }
            ("login", AtProvider::LogIn(login)) => {
                url = url.join(&action).unwrap();
                form = Some(vec![
                    ("prompt", "login".into()),
                    ("login", login.into()),
                    ("password", "any password: this provider takes any".into()),
                ]);
            }
            _ => {
                url = url.join(&action).unwrap();
                form = Some(vec![("prompt", "consent".into())]);
            }
        }
    }
    panic!("the provider never sent the browser back to {CALLBACK}");
}

/// `GET /login/oidc?next=NEXT` in `b`: the provider's authorization URL.
pub(crate) async fn start(b: &mut Browser, next: &str) -> String {
    let resp = b.get(&format!("/login/oidc?next={next}")).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        resp.text().await
    );
    location(&resp)
}

/// The value of `name` in the query of `url` (absolute, or a path on
/// Deling).
pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse("http://deling.test/")
        .unwrap()
        .join(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn a_staff_member_logs_in_with_single_sign_on() {
    if can_run().is_none() {
        return;
    }
    let p = provider(CALLBACK, false).await;
    let app = app_for(&p.issuer, |_| {}).await;
    let kari = app.staff("kari", false).await;
    let mut b = app.browser();

    // The login page offers the button next to the password form.
    let html = b.page("/login?next=/staff/items&lang=en").await;
    assert!(html.contains("Log in with Testporten"), "{html}");
    assert!(
        html.contains("href=\"/login/oidc?next=%2Fstaff%2Fitems\""),
        "{html}"
    );
    assert!(html.contains("name=\"password\""), "{html}");
    let html = b.page("/login?lang=nb").await;
    assert!(html.contains("Logg inn med Testporten"), "{html}");

    // To the provider: code flow, PKCE with S256, state, nonce, our callback.
    let auth = start(&mut b, "/staff/items").await;
    assert!(auth.starts_with(&format!("{}/auth?", p.issuer)), "{auth}");
    for (name, want) in [
        ("response_type", Some("code")),
        ("client_id", Some(CLIENT_ID)),
        ("redirect_uri", Some(CALLBACK)),
        ("code_challenge_method", Some("S256")),
    ] {
        assert_eq!(
            query_param(&auth, name).as_deref(),
            want,
            "{name} in {auth}"
        );
    }
    let scope = query_param(&auth, "scope").unwrap();
    assert!(scope.split(' ').any(|s| s == "openid"), "{scope}");
    for name in ["state", "nonce", "code_challenge"] {
        assert!(
            query_param(&auth, name).is_some_and(|v| v.len() >= 16),
            "{name}"
        );
    }
    let state = query_param(&auth, "state").unwrap();
    let set = b
        .last_set_cookies
        .iter()
        .find(|c| c.starts_with("deling_oidc="))
        .expect("the single sign-on cookie")
        .to_ascii_lowercase();
    // `Path=/`: over https the cookie is `__Host-deling_oidc`, which
    // allows no other path (cookie_names.rs and the session unit tests).
    for attr in ["httponly", "samesite=lax", "path=/"] {
        assert!(set.contains(attr), "{attr} missing: {set}");
    }
    assert!(!set.contains("path=/login"), "{set}");
    assert_eq!(b.cookies.get("deling_oidc"), Some(&state));

    // The provider logs kari in ("Kari" there; usernames are lower-case)
    // and gives the claim only at its userinfo endpoint.
    let callback = at_provider(&auth, AtProvider::LogIn("kari")).await;
    assert_eq!(
        query_param(&callback, "state").as_deref(),
        Some(state.as_str())
    );
    let resp = b.get(&callback).await;
    let status = resp.status();
    let to = location(&resp);
    assert_eq!(status, StatusCode::SEE_OTHER, "{:?}", resp.text().await);
    assert_eq!(to, "/staff/items");
    assert!(b.cookies.contains_key("deling_session"), "a session cookie");
    assert!(
        !b.cookies.contains_key("deling_oidc"),
        "the state cookie is gone"
    );
    let sessions = app.store.list_sessions(kari.id).await.unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].via, "oidc");
    // The waiting login was used up.
    assert_eq!(
        app.store
            .take_oidc_login(&token_hash(&state))
            .await
            .unwrap(),
        None
    );
    // Logged in: the login page goes straight on, and so does /login/oidc.
    let resp = b.get("/login?next=/staff").await;
    assert_eq!(location(&resp), "/staff");
    let resp = b.get("/login/oidc?next=/staff").await;
    assert_eq!(location(&resp), "/staff");
}

#[tokio::test]
async fn the_claim_can_be_an_email_address_in_the_id_token() {
    if can_run().is_none() {
        return;
    }
    let p = provider(CALLBACK, true).await;
    let app = app_for(&p.issuer, |c| {
        c.auth.oidc.claim = "email".into();
        c.auth.oidc.username_domain = "kommune.test".into();
    })
    .await;
    let kari = app.staff("kari", false).await;
    app.staff("mark", false).await;
    let mut b = app.browser();
    let auth = start(&mut b, "/staff").await;
    let resp = b
        .get(&at_provider(&auth, AtProvider::LogIn("kari")).await)
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store.list_sessions(kari.id).await.unwrap()[0].via,
        "oidc"
    );

    // An address in another domain names no one here, even though the
    // part before @ is a username ("ola" is not, but the check is the
    // domain's).
    let mut b = app.browser();
    let auth = start(&mut b, "/staff").await;
    let resp = b
        .get(&at_provider(&auth, AtProvider::LogIn("ola")).await)
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let html = resp.text().await.unwrap();
    assert!(html.contains("ola@elsewhere.test"), "{html}");

    // An e-mail address the provider has not verified names no one.
    let mut b = app.browser();
    let auth = start(&mut b, "/staff").await;
    let resp = b
        .get(&at_provider(&auth, AtProvider::LogIn("mark")).await)
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(!b.cookies.contains_key("deling_session"));
}

#[tokio::test]
async fn unknown_and_disabled_accounts_are_refused_with_a_page_that_says_why() {
    if can_run().is_none() {
        return;
    }
    let p = provider(CALLBACK, false).await;
    let app = app_for(&p.issuer, |_| {}).await;
    let kari = app.staff("kari", false).await;
    let per = app.staff("per", false).await;
    app.store.disable_staff(per.id).await.unwrap();

    for (login, status, says) in [
        ("ola", StatusCode::FORBIDDEN, "«ola.ukjent»"),
        ("per", StatusCode::FORBIDDEN, "«per» er deaktivert"),
        // Markup from the provider is shown as text.
        (
            "mark",
            StatusCode::FORBIDDEN,
            "«&#60;b&#62;mark&#60;/b&#62;»",
        ),
    ] {
        let mut b = app.browser();
        let auth = start(&mut b, "/staff/items").await;
        let resp = b
            .get(&at_provider(&auth, AtProvider::LogIn(login)).await)
            .await;
        assert_eq!(resp.status(), status, "{login}");
        assert_eq!(
            resp.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-store"
        );
        let html = resp.text().await.unwrap();
        assert!(html.contains("Innloggingen ble ikke fullført"), "{html}");
        assert!(html.contains(says), "{login}: {html}");
        assert!(!html.contains("<b>mark"), "{html}");
        // The way back keeps where the person was going.
        assert!(
            html.contains("href=\"/login?next=%2Fstaff%2Fitems\""),
            "{html}"
        );
        assert!(!b.cookies.contains_key("deling_session"), "{login}");
        assert!(!b.cookies.contains_key("deling_oidc"), "{login}");
    }
    for id in [kari.id, per.id] {
        assert!(app.store.list_sessions(id).await.unwrap().is_empty());
    }

    // Cancelling at the provider comes back as an error answer.
    let mut b = app.browser();
    let auth = start(&mut b, "/staff").await;
    let resp = b.get(&at_provider(&auth, AtProvider::Cancel).await).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let html = resp.text().await.unwrap();
    assert!(html.contains("avbrutt eller avvist"), "{html}");
    assert!(!b.cookies.contains_key("deling_session"));
}

#[tokio::test]
async fn a_changed_state_or_another_browser_is_refused() {
    if can_run().is_none() {
        return;
    }
    let p = provider(CALLBACK, false).await;
    let app = app_for(&p.issuer, |_| {}).await;
    let kari = app.staff("kari", false).await;

    // The state in the answer changed: refused, and nothing is logged in.
    let mut b = app.browser();
    let auth = start(&mut b, "/staff").await;
    let callback = at_provider(&auth, AtProvider::LogIn("kari")).await;
    let state = query_param(&callback, "state").unwrap();
    let mut changed = state.clone();
    let last = changed.pop().unwrap();
    changed.push(if last == 'A' { 'B' } else { 'A' });
    let tampered = callback.replace(&format!("state={state}"), &format!("state={changed}"));
    assert_ne!(tampered, callback);
    let resp = b.get(&tampered).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(html.contains("ikke gyldig"), "{html}");
    assert!(!b.cookies.contains_key("deling_session"));

    // The right answer, but in a browser that did not start the login
    // (someone sends a victim their own callback link): refused too.
    let mut b = app.browser();
    let auth = start(&mut b, "/staff").await;
    let callback = at_provider(&auth, AtProvider::LogIn("kari")).await;
    let mut other = app.browser();
    let resp = other.get(&callback).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(!other.cookies.contains_key("deling_session"));
    // No state at all.
    let resp = b.get("/login/oidc/callback?code=x").await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(app.store.list_sessions(kari.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_replayed_answer_is_refused() {
    if can_run().is_none() {
        return;
    }
    let p = provider(CALLBACK, false).await;
    let app = app_for(&p.issuer, |_| {}).await;
    let kari = app.staff("kari", false).await;
    let mut b = app.browser();
    let auth = start(&mut b, "/staff").await;
    let callback = at_provider(&auth, AtProvider::LogIn("kari")).await;
    // A copy of the browser, cookies and all, as an attacker who saw the
    // answer and the cookie would have.
    let mut copy = b.clone();
    let resp = b.get(&callback).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = copy.get(&callback).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(!copy.cookies.contains_key("deling_session"));
    assert_eq!(app.store.list_sessions(kari.id).await.unwrap().len(), 1);
}

/// Starting a single sign-on writes a row: one address may start no more
/// than it may try passwords.
#[tokio::test]
async fn starting_single_sign_on_is_under_the_login_limit() {
    let issuer = format!("http://127.0.0.1:{}", free_port());
    let app = app_for(&issuer, |c| c.limits.login_per_ip_per_minute = 2).await;
    let mut b = app.browser();
    for _ in 0..2 {
        let resp = b.get("/login/oidc?next=/staff").await;
        assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    }
    let resp = b.get("/login/oidc?next=/staff").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn a_provider_that_cannot_be_reached_gives_a_clear_error() {
    // No provider at all: nothing listens on this port.
    let issuer = format!("http://127.0.0.1:{}", free_port());
    let app = app_for(&issuer, |_| {}).await;
    let mut b = app.browser();
    let resp = b.get("/login/oidc?next=/staff&lang=en").await;
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert!(!b.cookies.contains_key("deling_oidc"));
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("The sign-in service could not be reached."),
        "{html}"
    );
    assert!(html.contains("href=\"/login?next=%2Fstaff\""), "{html}");
    // The password form still works meanwhile.
    let html = b.page("/login").await;
    assert!(html.contains("name=\"password\""), "{html}");
}

#[tokio::test]
async fn without_single_sign_on_there_is_no_button_and_no_route() {
    let app = TestApp::spawn().await;
    let mut b = app.browser();
    let html = b.page("/login").await;
    assert!(!html.contains("/login/oidc"), "{html}");
    assert_eq!(b.get("/login/oidc").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        b.get("/login/oidc/callback?code=x&state=y").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn with_password_login_off_only_the_button_is_offered() {
    let issuer = format!("http://127.0.0.1:{}", free_port());
    let app = app_for(&issuer, |c| c.auth.password_login = false).await;
    let mut b = app.browser();
    let html = b.page("/login?lang=en").await;
    assert!(!html.contains("name=\"password\""), "{html}");
    assert!(html.contains("Log in with Testporten"), "{html}");
    assert!(!html.contains("Or:"), "{html}");
}

/// Two server processes on one PostgreSQL database: the login starts on
/// one and the provider's answer reaches the other.
#[tokio::test]
async fn a_login_started_on_one_process_finishes_on_another() {
    if can_run().is_none() {
        return;
    }
    let Some(db) = postgres::FreshDatabase::create("staff_oidc").await else {
        return;
    };
    let p = provider(CALLBACK, false).await;
    let issuer = p.issuer.clone();
    db.run(|url| async move {
        let a = TestApp::spawn_configured(&url, None, |c| configure(c, &issuer)).await;
        let b_app = TestApp::spawn_configured(&url, None, |c| configure(c, &issuer)).await;
        let kari = a.staff("kari", false).await;
        let mut on_a = a.browser();
        let auth = start(&mut on_a, "/staff").await;
        let callback = at_provider(&auth, AtProvider::LogIn("kari")).await;
        let mut on_b = on_a.on(&b_app.base);
        let resp = on_b.get(&callback).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&resp), "/staff");
        let sessions = a.store.list_sessions(kari.id).await.unwrap();
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].via, "oidc");
    })
    .await;
    drop(p);
}
