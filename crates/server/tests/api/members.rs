//! An agency's staff managed by its admins (`/api/v1/agencies/{slug}/members`),
//! and the caller's own roles (`/api/v1/me`).

use crate::helpers::{TestApp, ok_json, problem};
use deling_domain::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("request")
}

fn roles(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["username"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn agency_admins_manage_their_staff() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let bergen = app.agency("bergen", "Bergen kommune").await;
    let kari = app.staff_without_password("kari", false).await;
    app.store
        .put_membership(kari.id, oslo.id, Role::Admin)
        .await
        .unwrap();
    let kari_token = app.token(&kari).await;
    let ola_token = app.editor_of("ola", &oslo).await;
    let per = app.staff_without_password("per", false).await;
    let per_token = app.token(&per).await;
    let bergen_admin = app.staff_without_password("bergen_admin", false).await;
    app.store
        .put_membership(bergen_admin.id, bergen.id, Role::Admin)
        .await
        .unwrap();
    let bergen_token = app.token(&bergen_admin).await;
    let members = "/api/v1/agencies/oslo/members";

    // Who am I.
    let me = ok_json(
        call(&app, &kari_token, Method::GET, "/api/v1/me", None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        me,
        json!({"username": "kari", "instance_admin": false,
               "agencies": [{"slug": "oslo", "name": "Oslo kommune", "role": "admin"}]})
    );
    let resp = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    problem(resp, 401).await;

    // Only oslo's admins (and instance admins) see and change oslo's staff.
    let list = ok_json(
        call(&app, &kari_token, Method::GET, members, None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        roles(&list),
        [
            ("kari".into(), "admin".into()),
            ("ola".into(), "editor".into())
        ]
    );
    for token in [&ola_token, &per_token, &bergen_token] {
        problem(call(&app, token, Method::GET, members, None).await, 403).await;
        problem(
            call(
                &app,
                token,
                Method::PUT,
                "/api/v1/agencies/oslo/members/per",
                Some(json!({"role": "editor"})),
            )
            .await,
            403,
        )
        .await;
    }

    // Grant per a role, then promote ola.
    let per_member = ok_json(
        call(
            &app,
            &kari_token,
            Method::PUT,
            "/api/v1/agencies/oslo/members/per",
            Some(json!({"role": "editor"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        per_member,
        json!({"username": "per", "role": "editor", "instance_admin": false})
    );
    // per can now publish for oslo.
    let resp = app
        .post_item(&per_token, "oslo", &crate::helpers::guide("Fra per"))
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    ok_json(
        call(
            &app,
            &kari_token,
            Method::PUT,
            "/api/v1/agencies/oslo/members/ola",
            Some(json!({"role": "admin"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // Bad input: nothing changes.
    for (path, body, status) in [
        (
            "/api/v1/agencies/oslo/members/per",
            json!({"role": "owner"}),
            422,
        ),
        (
            "/api/v1/agencies/oslo/members/per",
            json!({"role": "admin", "x": 1}),
            400,
        ),
        ("/api/v1/agencies/oslo/members/per", json!(["admin"]), 400),
        (
            "/api/v1/agencies/oslo/members/nobody",
            json!({"role": "editor"}),
            404,
        ),
        (
            "/api/v1/agencies/nowhere/members/per",
            json!({"role": "editor"}),
            404,
        ),
    ] {
        let resp = call(&app, &kari_token, Method::PUT, path, Some(body.clone())).await;
        problem(resp, status).await;
    }
    let list = ok_json(
        call(&app, &kari_token, Method::GET, members, None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        roles(&list),
        [
            ("kari".into(), "admin".into()),
            ("ola".into(), "admin".into()),
            ("per".into(), "editor".into())
        ]
    );

    // Removing: per loses the right to publish.
    let resp = call(
        &app,
        &kari_token,
        Method::DELETE,
        "/api/v1/agencies/oslo/members/per",
        None,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = app
        .post_item(&per_token, "oslo", &crate::helpers::guide("Etter"))
        .await;
    problem(resp, 403).await;
    problem(
        call(
            &app,
            &kari_token,
            Method::DELETE,
            "/api/v1/agencies/oslo/members/per",
            None,
        )
        .await,
        404,
    )
    .await;

    // The last admin stays: ola steps down, then kari cannot.
    let resp = call(
        &app,
        &ola_token,
        Method::DELETE,
        "/api/v1/agencies/oslo/members/ola",
        None,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let p = problem(
        call(
            &app,
            &kari_token,
            Method::PUT,
            "/api/v1/agencies/oslo/members/kari",
            Some(json!({"role": "editor"})),
        )
        .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("last admin"), "{p}");
    problem(
        call(
            &app,
            &kari_token,
            Method::DELETE,
            "/api/v1/agencies/oslo/members/kari",
            None,
        )
        .await,
        409,
    )
    .await;
    assert_eq!(
        app.store.get_role(kari.id, oslo.id).await.unwrap(),
        Some(Role::Admin)
    );
    // An instance admin may (the agency stays manageable by them).
    let root = app.instance_admin("root").await;
    let resp = call(
        &app,
        &root,
        Method::DELETE,
        "/api/v1/agencies/oslo/members/kari",
        None,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);

    // Every change is audited.
    let audit = ok_json(
        call(&app, &root, Method::GET, "/api/v1/admin/audit", None).await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["target"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("membership.delete", "kari@oslo"),
            ("membership.delete", "ola@oslo"),
            ("membership.delete", "per@oslo"),
            ("membership.put", "ola@oslo"),
            ("membership.put", "per@oslo"),
        ]
    );
}
