//! Who may write: tokens, roles, login and logout.

use crate::helpers::{PASSWORD, TestApp, guide, id_of, ok_json, problem};
use reqwest::{StatusCode, header};
use serde_json::json;

#[tokio::test]
async fn writes_without_a_valid_token_are_401() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let item = app.create_item(&token, "oslo", &guide("Finnes")).await;
    let id = id_of(&item);
    let items = app.url("/api/v1/agencies/oslo/items");
    let one = app.url(&format!("/api/v1/items/{id}"));

    let requests = [
        ("no header", app.client.post(&items).json(&guide("x"))),
        (
            "no header",
            app.client.patch(&one).json(&json!({"title": "x"})),
        ),
        ("no header", app.client.delete(&one)),
        (
            "no header",
            app.client.delete(app.url("/api/v1/auth/token")),
        ),
        (
            "garbage token",
            app.client
                .post(&items)
                .bearer_auth("nope")
                .json(&guide("x")),
        ),
        (
            "token-like garbage",
            app.client
                .post(&items)
                .bearer_auth(format!("dlg_{}", "0".repeat(64)))
                .json(&guide("x")),
        ),
        (
            "empty bearer",
            app.client
                .post(&items)
                .header(header::AUTHORIZATION, "Bearer ")
                .json(&guide("x")),
        ),
        (
            "basic auth",
            app.client
                .post(&items)
                .basic_auth("kari", Some(PASSWORD))
                .json(&guide("x")),
        ),
        (
            "token without scheme",
            app.client
                .patch(&one)
                .header(header::AUTHORIZATION, token.as_str())
                .json(&json!({"title": "x"})),
        ),
        ("garbage token", app.client.delete(&one).bearer_auth("nope")),
    ];
    for (what, request) in requests {
        let resp = request.send().await.unwrap();
        let challenge = resp
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{what}: no WWW-Authenticate header"));
        assert!(challenge.starts_with("Bearer"), "{what}: {challenge}");
        problem(resp, 401).await;
    }
    // Nothing was written.
    assert_eq!(app.total_items().await, 1);
    assert_eq!(app.read_item(id).await, item);
}

#[tokio::test]
async fn editors_write_only_for_their_own_agency() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let bergen = app.agency("bergen", "Bergen kommune").await;
    let kari = app.editor_of("kari", &oslo).await;
    let ola = app.editor_of("ola", &bergen).await;
    let bergen_item = app
        .create_item(&ola, "bergen", &guide("Bergens veileder"))
        .await;
    let id = id_of(&bergen_item);

    let body = problem(
        app.post_item(&kari, "bergen", &guide("Inntrenger")).await,
        403,
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("bergen"),
        "{body}"
    );
    problem(
        app.patch_item(&kari, id, &json!({"title": "Kapret"})).await,
        403,
    )
    .await;
    problem(app.delete_item(&kari, id).await, 403).await;

    // Bergen's item is as it was, and nothing new was published.
    assert_eq!(app.read_item(id).await, bergen_item);
    assert_eq!(app.total_items().await, 1);

    // Kari still writes for Oslo.
    app.create_item(&kari, "oslo", &guide("Oslos veileder"))
        .await;
    assert_eq!(app.total_items().await, 2);
}

#[tokio::test]
async fn agency_admins_may_write_like_editors() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let staff = app.staff_without_password("sjef", false).await;
    app.store
        .put_membership(staff.id, oslo.id, deling_domain::auth::Role::Admin)
        .await
        .unwrap();
    let token = app.token(&staff).await;
    let item = app.create_item(&token, "oslo", &guide("Fra sjefen")).await;
    let resp = app.delete_item(&token, id_of(&item)).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn instance_admins_write_anywhere() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    app.agency("bergen", "Bergen kommune").await;
    let kari = app.editor_of("kari", &oslo).await;
    let root = app.instance_admin("root").await;

    let b = app.create_item(&root, "bergen", &guide("Bergen")).await;
    let o = app.create_item(&kari, "oslo", &guide("Oslo")).await;
    assert_eq!(b["agency"]["slug"], "bergen");

    let resp = app
        .patch_item(&root, id_of(&o), &json!({"title": "Rettet av admin"}))
        .await;
    assert_eq!(
        ok_json(resp, StatusCode::OK).await["title"],
        "Rettet av admin"
    );
    assert_eq!(app.read_item(id_of(&o)).await["title"], "Rettet av admin");
    assert_eq!(
        app.delete_item(&root, id_of(&b)).await.status(),
        StatusCode::NO_CONTENT
    );
    problem(app.get(&format!("/api/v1/items/{}", id_of(&b))).await, 410).await;
}

#[tokio::test]
async fn a_revoked_token_stops_working() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    app.create_item(&token, "oslo", &guide("Før")).await;

    let resp = app
        .client
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);

    problem(app.post_item(&token, "oslo", &guide("Etter")).await, 401).await;
    let again = app
        .client
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    problem(again, 401).await;
    assert_eq!(app.total_items().await, 1);
}

#[tokio::test]
async fn an_expired_token_is_401() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let staff = app.staff_without_password("kari", false).await;
    app.store
        .put_membership(staff.id, oslo.id, deling_domain::auth::Role::Editor)
        .await
        .unwrap();
    let t = deling_domain::auth::NewToken::generate();
    app.store
        .put_token(
            staff.id,
            t.hash,
            None,
            Some(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .await
        .unwrap();
    problem(app.post_item(&t.secret, "oslo", &guide("x")).await, 401).await;
    assert_eq!(app.total_items().await, 0);
}

#[tokio::test]
async fn login_gives_a_working_token() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let kari = app.staff("kari", false).await;
    app.store
        .put_membership(kari.id, oslo.id, deling_domain::auth::Role::Editor)
        .await
        .unwrap();
    let login = |username: &str, password: &str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
    };

    let resp = login("kari", PASSWORD).await.unwrap();
    let body = ok_json(resp, StatusCode::OK).await;
    let token = body["token"].as_str().expect("token").to_owned();
    assert!(token.starts_with("dlg_"), "{token}");
    let expires = body["expires_at"].as_str().expect("expires_at");
    let expires = chrono::DateTime::parse_from_rfc3339(expires).expect("RFC 3339");
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert!(
        (29..=30).contains(&days),
        "login token lives {days} days, not 30"
    );
    app.create_item(&token, "oslo", &guide("Innlogget")).await;

    // Two logins give two different tokens.
    let second = ok_json(login("kari", PASSWORD).await.unwrap(), StatusCode::OK).await;
    assert_ne!(second["token"].as_str().unwrap(), token);

    for (username, password) in [("kari", "wrong password!"), ("nobody", PASSWORD), ("", "")] {
        let body = problem(login(username, password).await.unwrap(), 401).await;
        assert!(
            !body.to_string().contains("dlg_"),
            "a failed login must not carry a token: {body}"
        );
    }
    // A body that is not credentials is a 400.
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "kari"}))
        .send()
        .await
        .unwrap();
    problem(resp, 400).await;
    assert_eq!(app.total_items().await, 1);
}

#[tokio::test]
async fn logout_revokes_only_the_token_used() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let kari = app.staff_without_password("kari", false).await;
    app.store
        .put_membership(kari.id, oslo.id, deling_domain::auth::Role::Editor)
        .await
        .unwrap();
    let laptop = app.token(&kari).await;
    let phone = app.token(&kari).await;
    let resp = app
        .client
        .delete(app.url("/api/v1/auth/token"))
        .bearer_auth(&laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    problem(app.post_item(&laptop, "oslo", &guide("Laptop")).await, 401).await;
    app.create_item(&phone, "oslo", &guide("Telefon")).await;
    assert_eq!(app.total_items().await, 1);
}

#[tokio::test]
async fn lower_case_bearer_scheme_is_accepted() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let resp = app
        .client
        .post(app.url("/api/v1/agencies/oslo/items"))
        .header(header::AUTHORIZATION, format!("bearer {token}"))
        .json(&guide("Små bokstaver"))
        .send()
        .await
        .unwrap();
    ok_json(resp, StatusCode::CREATED).await;
}
