//! Answers made for one caller stay theirs: whatever the API answers a
//! request with credentials (and every login) says `Cache-Control:
//! no-store` and varies on `Authorization`, while public reads without a
//! token stay cacheable; and an instance admin cannot make themselves
//! staff of an agency to read what is private to its staff.

use crate::helpers::{PASSWORD, TestApp, ok_json, problem};
use deling_domain::auth::Role;
use reqwest::{Method, Response, StatusCode, header};
use serde_json::{Value, json};

/// The tokens of every `Vary` header, in lower case.
fn vary(resp: &Response) -> Vec<String> {
    resp.headers()
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

fn cache_control(resp: &Response) -> String {
    resp.headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn assert_private(resp: &Response, what: &str) {
    assert!(
        cache_control(resp).contains("no-store"),
        "{what}: Cache-Control {:?}",
        cache_control(resp)
    );
    assert!(
        vary(resp).iter().any(|v| v == "authorization"),
        "{what}: Vary {:?}",
        vary(resp)
    );
}

async fn with_token(app: &TestApp, token: &str, method: Method, path: &str) -> Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn answers_to_a_token_are_never_stored() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;

    for path in [
        "/api/v1/agencies/oslo/messages",
        "/api/v1/auth/tokens",
        "/api/v1/me",
        // Public, but asked with a token: not kept for anyone either.
        "/api/v1/items",
    ] {
        let resp = with_token(&app, &token, Method::GET, path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert_private(&resp, path);
    }
    // A refusal is the caller's too.
    let resp = with_token(&app, "dlg_unknown", Method::GET, "/api/v1/me").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_private(&resp, "a refused token");
    // So is one made before routing, of a control character in the query
    // or the path.
    for path in [
        "/api/v1/items?agency=%00",
        "/api/v1/agencies/os%01lo/messages",
    ] {
        let resp = with_token(&app, &token, Method::GET, path).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_private(&resp, path);
    }
}

#[tokio::test]
async fn login_answers_are_never_stored() {
    let app = TestApp::spawn().await;
    app.staff("kari", false).await;
    let login = |password: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "kari", "password": password}))
            .send()
    };
    let resp = login(PASSWORD).await.unwrap();
    assert_private(&resp, "a login with a fresh token");
    let body = ok_json(resp, StatusCode::OK).await;
    assert!(body["token"].as_str().unwrap().starts_with("dlg_"));
    let resp = login("wrong horse battery staple").await.unwrap();
    assert_private(&resp, "a failed login");
    problem(resp, 401).await;
}

#[tokio::test]
async fn public_reads_without_a_token_stay_cacheable() {
    let app = TestApp::spawn().await;
    app.agency("oslo", "Oslo kommune").await;
    for path in [
        "/api/v1/items",
        "/api/v1/agencies/oslo",
        "/api/v1/search?q=byggesak",
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert!(!cache_control(&resp).contains("no-store"), "{path}");
        assert!(
            !vary(&resp).iter().any(|v| v == "authorization"),
            "{path}: {:?}",
            vary(&resp)
        );
    }
}

async fn put_role(app: &TestApp, token: &str, path: &str, role: &str) -> Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .json(&json!({ "role": role }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_instance_admin_cannot_give_themselves_a_role_in_an_agency() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let kari = app.staff_without_password("kari", false).await;
    app.store
        .put_membership(kari.id, oslo.id, Role::Admin)
        .await
        .unwrap();
    let kari_token = app.token(&kari).await;
    let root = app.staff_without_password("root", true).await;
    let root_token = app.token(&root).await;
    let per = app.staff_without_password("per", false).await;
    let own = "/api/v1/agencies/oslo/members/root";

    for role in ["admin", "editor"] {
        let p = problem(put_role(&app, &root_token, own, role).await, 403).await;
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.contains("cannot give themselves a role"), "{p}");
    }
    let resp = with_token(&app, &root_token, Method::DELETE, own).await;
    problem(resp, 403).await;
    assert_eq!(app.store.get_role(root.id, oslo.id).await.unwrap(), None);
    // So the agency's private messages stay closed to them.
    let resp = with_token(
        &app,
        &root_token,
        Method::GET,
        "/api/v1/agencies/oslo/messages",
    )
    .await;
    problem(resp, 403).await;

    // Others they may still place (and remove).
    let member = ok_json(
        put_role(
            &app,
            &root_token,
            "/api/v1/agencies/oslo/members/per",
            "editor",
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(member["username"], "per");
    assert_eq!(
        app.store.get_role(per.id, oslo.id).await.unwrap(),
        Some(Role::Editor)
    );

    // The agency's own admin can take them on; then, on its staff, they
    // change their own role as any member may.
    ok_json(
        put_role(&app, &kari_token, own, "editor").await,
        StatusCode::OK,
    )
    .await;
    ok_json(
        put_role(&app, &root_token, own, "admin").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        app.store.get_role(root.id, oslo.id).await.unwrap(),
        Some(Role::Admin)
    );

    // Only the allowed changes are in the audit log.
    let audit: Value = ok_json(
        with_token(&app, &root_token, Method::GET, "/api/v1/admin/audit").await,
        StatusCode::OK,
    )
    .await;
    let entries: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["target"].as_str().unwrap()))
        .collect();
    assert_eq!(
        entries,
        [
            ("root", "root@oslo"),
            ("kari", "root@oslo"),
            ("root", "per@oslo")
        ]
    );
}
