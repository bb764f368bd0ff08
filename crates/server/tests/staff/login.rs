//! Logging in and out: the session cookie's attributes, CSRF on the login
//! and log-out forms, the shared lock-out, sessions shared by processes,
//! and instances that turn password login off.

use deling_testkit::{PASSWORD, TestApp, postgres, web::input_value};
use reqwest::StatusCode;
use serde_json::json;

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_staff_member_logs_in_and_out() {
    let app = TestApp::spawn().await;
    app.staff("kari", false).await;
    let mut b = app.browser();

    let html = b.page("/login?next=/staff/items/1/edit").await;
    assert!(html.contains("name=\"password\""), "{html}");
    assert_eq!(
        input_value(&html, "next").as_deref(),
        Some("/staff/items/1/edit")
    );
    let csrf = input_value(&html, "csrf").unwrap();
    let resp = b
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("next", "/staff/items/1/edit"),
                ("username", "kari"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/staff/items/1/edit");
    let set = b
        .last_set_cookies
        .iter()
        .find(|c| c.starts_with("deling_session="))
        .expect("a session cookie")
        .to_ascii_lowercase();
    for attr in ["httponly", "samesite=lax", "path=/"] {
        assert!(set.contains(attr), "{attr} missing: {set}");
    }
    // Served over plain http in tests: the bare name, not Secure (the
    // `__Host-` name over https is in cookie_names.rs).
    assert!(!set.contains("secure"), "{set}");
    assert!(
        !b.cookies.contains_key("deling_login"),
        "the login cookie is gone"
    );

    // Logged in, /login goes straight on; the session is a database row.
    let resp = b.get("/login?next=/staff").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/staff");
    let kari = app
        .store
        .get_staff_by_username("kari")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.store.list_sessions(kari.id).await.unwrap().len(), 1);

    // Log out: the row is gone, so the old cookie is worthless too.
    let stolen = b.clone();
    let csrf = stolen_csrf(&app, kari.id).await;
    let resp = b.post_raw("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/");
    assert!(!b.cookies.contains_key("deling_session"));
    assert!(app.store.list_sessions(kari.id).await.unwrap().is_empty());
    let mut stolen = stolen;
    let resp = stolen.post_raw("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&resp).starts_with("/login?next="),
        "{}",
        location(&resp)
    );
}

/// The CSRF token of a staff member's only session, read from the store
/// (the pages that show it belong to other areas).
async fn stolen_csrf(app: &TestApp, staff_id: i64) -> String {
    app.store.list_sessions(staff_id).await.unwrap()[0]
        .csrf_token
        .clone()
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_why() {
    let app = TestApp::spawn().await;
    app.staff("kari", false).await;
    let mut b = app.browser();
    let resp = b.log_in_with("kari", "not the password at all").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Feil brukernavn eller passord"), "{html}");
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    assert!(html.contains("aria-describedby=\"login-error\""), "{html}");
    assert_eq!(input_value(&html, "username").as_deref(), Some("kari"));
    assert!(!b.cookies.contains_key("deling_session"));

    // Markup in what was typed comes back as text.
    let resp = b
        .log_in_with("<b>kari</b>", "not the password at all")
        .await;
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("&lt;b&gt;kari&lt;/b&gt;") || html.contains("&#60;b&#62;"),
        "{html}"
    );
    assert!(!html.contains("<b>kari</b>"));
}

#[tokio::test]
async fn the_lock_out_is_shared_with_the_api() {
    let app = TestApp::spawn_with(|c| {
        c.limits.login_lockout_failures = 2;
        c.limits.login_lockout_base_seconds = 600;
        c.limits.login_lockout_max_seconds = 600;
    })
    .await;
    app.staff("kari", false).await;
    let mut b = app.browser();
    for _ in 0..2 {
        let resp = b.log_in_with("kari", "not the password at all").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    // Locked now: even the right password is refused, on the page...
    let resp = b.log_in_with("kari", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Prøv igjen om 10 minutter"), "{html}");
    // ...and in the API.
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "kari", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn forms_without_the_right_token_or_from_another_site_are_refused() {
    let app = TestApp::spawn().await;
    app.staff("kari", false).await;

    // The login form: no cookie, or a token that is not the cookie's.
    let mut b = app.browser();
    let resp = b
        .post_raw(
            "/login",
            &[
                ("csrf", "dlg_x"),
                ("username", "kari"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    b.page("/login").await;
    let resp = b
        .post_raw(
            "/login",
            &[
                ("csrf", "dlg_x"),
                ("username", "kari"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.text().await.unwrap().contains("Skjemaet er utløpt"));
    assert!(!b.cookies.contains_key("deling_session"));

    // Log-out: no token, a wrong one, or the right one from another site.
    b.log_in("kari").await;
    let kari = app
        .store
        .get_staff_by_username("kari")
        .await
        .unwrap()
        .unwrap();
    let csrf = stolen_csrf(&app, kari.id).await;
    for fields in [vec![], vec![("csrf", "dlg_wrong")]] {
        let resp = b.post_raw("/logout", &fields).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }
    let cookie = format!("deling_session={}", b.cookies["deling_session"]);
    let resp = app
        .client
        .post(app.url("/logout"))
        .header("cookie", cookie)
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.list_sessions(kari.id).await.unwrap().len(),
        1,
        "still logged in"
    );
}

#[tokio::test]
async fn next_never_leads_to_another_site() {
    let app = TestApp::spawn().await;
    app.staff("kari", false).await;
    let mut b = app.browser();
    let html = b.page("/login?next=//evil.example/x").await;
    assert_eq!(input_value(&html, "next").as_deref(), Some("/staff"));
    let csrf = input_value(&html, "csrf").unwrap();
    let resp = b
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("next", "https://evil.example/"),
                ("username", "kari"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&resp), "/staff");
}

#[tokio::test]
async fn a_disabled_account_loses_its_sessions() {
    let app = TestApp::spawn().await;
    let kari = app.staff("kari", false).await;
    let mut b = app.logged_in("kari").await;
    let csrf = stolen_csrf(&app, kari.id).await;
    app.store.disable_staff(kari.id).await.unwrap();
    let resp = b.post_raw("/logout", &[("csrf", &csrf)]).await;
    assert!(location(&resp).starts_with("/login"), "{}", location(&resp));
}

#[tokio::test]
async fn password_login_can_be_turned_off() {
    let app = TestApp::spawn_with(|c| c.auth.password_login = false).await;
    app.staff("kari", false).await;
    let mut b = app.browser();
    let html = b.page("/login").await;
    assert!(!html.contains("name=\"password\""), "{html}");
    assert!(
        html.contains("Innlogging med passord er slått av"),
        "{html}"
    );
    // A form made by hand, with a valid login token, is refused too.
    let csrf = b.cookies["deling_login"].clone();
    let resp = b
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "kari"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(!b.cookies.contains_key("deling_session"));
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "kari", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

/// Two server processes behind one load balancer share the PostgreSQL
/// database: a session started on one is known to the other, and ending it
/// on the other ends it everywhere.
#[tokio::test]
async fn a_session_works_on_every_process_of_one_database() {
    let Some(db) = postgres::FreshDatabase::create("staff_sessions").await else {
        return;
    };
    db.run(|url| async move {
        let a = TestApp::spawn_on(&url, None).await;
        let b_app = TestApp::spawn_on(&url, None).await;
        let kari = a.staff("kari", false).await;
        let on_a = a.logged_in("kari").await;
        let mut on_b = on_a.on(&b_app.base);
        let csrf = stolen_csrf(&a, kari.id).await;
        let resp = on_b.post_raw("/logout", &[("csrf", &csrf)]).await;
        assert_eq!(location(&resp), "/", "process B knows the session");
        assert!(a.store.list_sessions(kari.id).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_login_clears_out_ended_sessions() {
    let app = TestApp::spawn().await;
    let kari = app.staff("kari", false).await;
    app.store
        .put_session(deling_store::queries::session::NewSession {
            staff_id: kari.id,
            secret_hash: "ended".into(),
            csrf_token: "x".into(),
            via: "password".into(),
            expires_at: chrono::Utc::now() - chrono::Duration::hours(1),
        })
        .await
        .unwrap();
    assert!(
        app.store
            .get_session_owner("ended")
            .await
            .unwrap()
            .is_none()
    );
    app.logged_in("kari").await;
    let deleted = app
        .store
        .delete_expired_sessions(chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(deleted, 0, "the login removed the ended session already");
    assert_eq!(app.store.list_sessions(kari.id).await.unwrap().len(), 1);
}
