//! Probes, the OpenAPI document, and what unknown things answer.

use crate::helpers::{TestApp, guide, problem};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

#[tokio::test]
async fn health_probes_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get_ok("/healthz").await["status"], "ok");
    let ready = app.get_ok("/readyz").await;
    assert_eq!(ready["status"], "ok");
    assert_eq!(ready["database"], "ok");
}

/// `HEAD` is answered as `GET` is, without the body: the same status and
/// headers, `Content-Length` included.
#[tokio::test]
async fn head_is_answered_as_get_without_the_body() {
    let app = TestApp::spawn().await;
    app.agency("oslo", "Oslo kommune").await;
    for path in [
        "/healthz",
        "/",
        "/api/v1/items",
        "/api/v1/openapi.json",
        "/agencies/oslo",
    ] {
        let get = app.get(path).await;
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "{path}");
        assert_eq!(head.status(), StatusCode::OK, "{path}");
        for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH] {
            assert_eq!(
                head.headers().get(&name),
                get.headers().get(&name),
                "{path}: {name}"
            );
        }
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
    // What is not there is not there either way.
    let head = app
        .client
        .head(app.url("/agencies/nobody"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let app = TestApp::spawn().await;
    let resp = app.get("/api/v1/openapi.json").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let content_type = resp.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let doc: Value = resp.json().await.expect("OpenAPI is JSON");
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3."), "{version}");
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/items",
        "/api/v1/items/{id}",
        "/api/v1/items/{id}/comments",
        "/api/v1/agencies",
        "/api/v1/agencies/{slug}",
        "/api/v1/agencies/{slug}/items",
        "/api/v1/auth/login",
        "/api/v1/auth/token",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from {:?}",
            paths.keys().collect::<Vec<_>>()
        );
    }
    for method in ["get", "patch", "delete"] {
        assert!(
            paths["/api/v1/items/{id}"].get(method).is_some(),
            "{method} /api/v1/items/{{id}}"
        );
    }
    assert!(paths["/api/v1/agencies/{slug}/items"].get("post").is_some());
    assert!(doc["components"]["schemas"].get("Problem").is_some());
    assert!(doc["components"]["securitySchemes"].get("bearer").is_some());
}

#[tokio::test]
async fn unknown_things_are_404_problems() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let root = app.instance_admin("root").await;

    for path in [
        "/nope",
        "/api/v1/nope",
        "/api/v2/items",
        "/api/v1/items/1/nope",
    ] {
        let body = problem(app.get(path).await, 404).await;
        assert!(body["detail"].as_str().unwrap().contains(path), "{body}");
    }
    problem(app.get("/api/v1/items/999").await, 404).await;
    problem(app.get("/api/v1/items/999/comments").await, 404).await;
    problem(
        app.patch_item(&token, 999, &json!({"title": "x"})).await,
        404,
    )
    .await;
    problem(app.delete_item(&token, 999).await, 404).await;
    problem(app.get("/api/v1/agencies/nowhere").await, 404).await;
    let body = problem(app.post_item(&root, "nowhere", &guide("x")).await, 404).await;
    assert!(
        body["detail"].as_str().unwrap().contains("nowhere"),
        "{body}"
    );
    assert_eq!(app.total_items().await, 0);
}

#[tokio::test]
async fn non_numeric_ids_are_400_problems() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    for id in ["abc", "1.5", "-", "99999999999999999999"] {
        problem(app.get(&format!("/api/v1/items/{id}")).await, 400).await;
        problem(app.get(&format!("/api/v1/items/{id}/comments")).await, 400).await;
        let resp = app
            .client
            .patch(app.url(&format!("/api/v1/items/{id}")))
            .bearer_auth(&token)
            .json(&json!({"title": "x"}))
            .send()
            .await
            .unwrap();
        problem(resp, 400).await;
    }
}

#[tokio::test]
async fn trailing_slashes_are_ignored() {
    let app = TestApp::spawn().await;
    let page = app.get_ok("/api/v1/items/").await;
    assert_eq!(page["total"], 0);
    app.get_ok("/healthz/").await;
}

#[tokio::test]
async fn landing_page_lists_agencies() {
    let app = TestApp::spawn().await;
    app.agency("oslo", "Oslo <kommune>").await;
    let resp = app.get("/").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains("@oslo@deling.test"), "{html}");
    assert!(
        html.contains("Oslo &#60;kommune&#62;") && !html.contains("<kommune>"),
        "{html}"
    );
}

#[tokio::test]
async fn wrong_methods_get_a_problem() {
    let app = TestApp::spawn().await;
    for (method, path) in [
        (reqwest::Method::PUT, "/api/v1/items/1"),
        (reqwest::Method::POST, "/api/v1/items"),
        (reqwest::Method::PUT, "/api/v1/agencies/oslo"),
        (reqwest::Method::GET, "/api/v1/auth/login"),
    ] {
        let resp = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        assert!(status == 404 || status == 405, "{method} {path}: {status}");
        problem(resp, status).await;
    }
}
