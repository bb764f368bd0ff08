//! Control characters anywhere a client can put text: every query
//! parameter, path segment and JSON string is refused at the edge with the
//! field named, on SQLite (where a NUL used to be stored) and on PostgreSQL
//! (where it used to fail the statement with a 500).

use crate::{
    helpers::{TestApp, guide, id_of, invalid, problem},
    postgres::on_postgres,
};
use reqwest::{Method, header};
use serde_json::{Value, json};

#[tokio::test]
async fn control_characters_are_refused_at_the_edge_on_sqlite() {
    control_characters_everywhere(TestApp::spawn().await).await;
}

#[tokio::test]
async fn control_characters_are_refused_at_the_edge_on_postgres() {
    on_postgres(|url| async move {
        control_characters_everywhere(TestApp::spawn_on(&url, None).await).await;
    })
    .await;
}

/// Sends `body` (if any) as JSON with bearer `token`.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.expect("request")
}

/// A 400 problem whose `errors` name `field`.
async fn bad_parameter(resp: reqwest::Response, field: &str) -> Value {
    let body = problem(resp, 400).await;
    assert!(
        body["errors"]
            .as_array()
            .is_some_and(|es| es.iter().any(|e| e["field"] == field)),
        "errors do not name {field:?}: {body}"
    );
    body
}

async fn control_characters_everywhere(app: TestApp) {
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let admin = app.instance_admin("root").await;
    let item = app.create_item(&token, "oslo", &guide("Den eneste")).await;
    let id = id_of(&item);
    let before = app.get_ok("/api/v1/items").await;

    // Query strings and path segments: 400 naming the parameter.
    for (method, path, field) in [
        (Method::GET, "/api/v1/items?agency=%00", "agency"),
        (Method::GET, "/api/v1/items?tag=plan%00", "tag"),
        (Method::GET, "/api/v1/items?language=nb%01", "language"),
        (Method::GET, "/api/v1/agencies/os%00lo", "path"),
        (Method::GET, "/agencies/os%00lo", "path"),
        (Method::GET, "/agencies/oslo/outbox?page=%00", "page"),
        (
            Method::GET,
            "/.well-known/webfinger?resource=acct:oslo%00@deling.test",
            "resource",
        ),
        (
            Method::DELETE,
            "/api/v1/agencies/oslo/members/ka%00ri",
            "path",
        ),
        (
            Method::DELETE,
            "/api/v1/agencies/oslo/following?target=%00@x.example",
            "target",
        ),
        (
            Method::DELETE,
            "/api/v1/admin/actor-blocks?actor=https://x.example/%2500%00",
            "actor",
        ),
        (
            Method::DELETE,
            "/api/v1/admin/domain-blocks/x%00.example",
            "path",
        ),
    ] {
        let resp = send(&app, method.clone(), path, &admin, None).await;
        bad_parameter(resp, field).await;
    }
    let resp = send(
        &app,
        Method::PUT,
        "/api/v1/agencies/oslo/members/ka%00ri",
        &admin,
        Some(json!({"role": "editor"})),
    )
    .await;
    bad_parameter(resp, "path").await;

    // JSON strings: 422 naming the field, at any depth.
    let mut link_title = guide("Lenke");
    link_title["links"] = json!([{"href": "https://ok.no", "title": "PDF\u{0}"}]);
    let mut metadata = guide("Metadata");
    metadata["metadata"] = json!({"audience": "saksbehandlere\u{0}"});
    let mut summary = guide("Sammendrag");
    summary["summary"] = json!("escape \u{1b}[2J");
    for (method, path, token, body, field) in [
        (
            Method::POST,
            "/api/v1/auth/login".to_owned(),
            &admin,
            json!({"username": "ka\u{0}ri", "password": "x"}),
            "username",
        ),
        (
            Method::POST,
            "/api/v1/agencies/oslo/items".to_owned(),
            &token,
            link_title,
            "links[0].title",
        ),
        (
            Method::POST,
            "/api/v1/agencies/oslo/items".to_owned(),
            &token,
            metadata,
            "metadata.audience",
        ),
        (
            Method::POST,
            "/api/v1/agencies/oslo/items".to_owned(),
            &token,
            summary,
            "summary",
        ),
        (
            Method::PATCH,
            format!("/api/v1/items/{id}"),
            &token,
            json!({"tags": ["plan", "\u{0}"]}),
            "tags[1]",
        ),
        (
            Method::PATCH,
            "/api/v1/agencies/oslo".to_owned(),
            &admin,
            json!({"name": "Oslo\u{0}"}),
            "name",
        ),
        (
            Method::POST,
            format!("/api/v1/items/{id}/comments"),
            &token,
            json!({"agency": "oslo", "body": "hei\u{0}"}),
            "body",
        ),
        (
            Method::POST,
            "/api/v1/agencies/oslo/following".to_owned(),
            &token,
            json!({"target": "\u{0}@x.example"}),
            "target",
        ),
        (
            Method::POST,
            "/api/v1/admin/actor-blocks".to_owned(),
            &admin,
            json!({"actor": "https://x.example/u", "reason": "spam\u{0}"}),
            "reason",
        ),
        (
            Method::POST,
            "/api/v1/admin/domain-blocks".to_owned(),
            &admin,
            json!({"domain": "x.example", "severity": "suspend", "public_comment": "\u{0}"}),
            "public_comment",
        ),
    ] {
        let resp = send(&app, method, &path, token, Some(body)).await;
        invalid(resp, field).await;
    }

    // The Mastodon CSV import reads its body itself.
    let resp = app
        .client
        .post(app.url("/api/v1/admin/domain-blocks/import"))
        .bearer_auth(&admin)
        .header(header::CONTENT_TYPE, "text/csv")
        .body("x.example,suspend,false,false,bad\u{0}comment,false\n")
        .send()
        .await
        .unwrap();
    invalid(resp, "csv").await;

    // Nothing was stored or changed.
    assert_eq!(app.get_ok("/api/v1/items").await, before);
    assert_eq!(app.read_item(id).await, item);
    assert_eq!(
        app.get_ok("/api/v1/agencies/oslo").await["name"],
        "Oslo kommune"
    );
    let blocks = send(
        &app,
        Method::GET,
        "/api/v1/admin/domain-blocks",
        &admin,
        None,
    )
    .await
    .json::<Value>()
    .await
    .unwrap();
    assert!(
        !blocks.to_string().contains("x.example"),
        "a block was stored: {blocks}"
    );
    let comments = app.get_ok(&format!("/api/v1/items/{id}/comments")).await;
    assert!(
        !comments.to_string().contains("hei"),
        "a comment was stored: {comments}"
    );
}

#[tokio::test]
async fn comments_that_sanitise_to_nothing_are_refused() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let id = id_of(&app.create_item(&token, "oslo", &guide("Kommenter")).await);
    let path = format!("/api/v1/items/{id}/comments");
    for body in [
        "<script>alert(1)</script>",
        "<style>p { color: red }</style>",
        "\u{200B}\u{200D}",
        "[](javascript:alert(1))",
        "<!-- bare kommentar -->",
    ] {
        let resp = send(
            &app,
            Method::POST,
            &path,
            &token,
            Some(json!({"agency": "oslo", "body": body})),
        )
        .await;
        invalid(resp, "body").await;
    }
    let resp = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"agency": "oslo", "body": "Takk!"})),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let comment: Value = resp.json().await.unwrap();
    let resp = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/comments/{}", comment["id"]),
        &token,
        Some(json!({"body": "<script>x</script>"})),
    )
    .await;
    invalid(resp, "body").await;
    let comments = app.get_ok(&path).await;
    assert_eq!(comments.as_array().map(Vec::len), Some(1), "{comments}");
    assert!(comments.to_string().contains("Takk!"), "{comments}");
}

#[tokio::test]
async fn event_years_and_invisible_names_are_refused() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let admin = app.instance_admin("root").await;
    for (starts_at, ends_at) in [
        ("0026-05-01T10:00:00Z", None),
        ("+20026-05-01T10:00:00Z", None),
        ("2026-05-01T10:00:00Z", Some("9999-05-01T10:00:00Z")),
    ] {
        let mut body = guide("Arrangement");
        body["kind"] = json!("event");
        body["metadata"] = json!({"starts_at": starts_at, "ends_at": ends_at});
        invalid(app.post_item(&token, "oslo", &body).await, "metadata").await;
    }
    let mut ok = guide("Arrangement");
    ok["kind"] = json!("event");
    ok["metadata"] = json!({"starts_at": "2026-05-01T10:00:00Z"});
    app.create_item(&token, "oslo", &ok).await;

    for name in [
        "\u{200B}\u{200D}",
        "Oslo\u{202E}kommune",
        "Oslo\u{2029}kommune",
    ] {
        let resp = send(
            &app,
            Method::PATCH,
            "/api/v1/agencies/oslo",
            &admin,
            Some(json!({ "name": name })),
        )
        .await;
        invalid(resp, "name").await;
    }
    assert_eq!(
        app.get_ok("/api/v1/agencies/oslo").await["name"],
        "Oslo kommune"
    );
}

/// A page number past what SQL's OFFSET holds is an empty page, on both
/// databases, not a panic in the driver.
async fn pages_past_the_end_of_numbers(app: TestApp) {
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    app.create_item(&token, "oslo", &guide("Den eneste")).await;
    let huge = u64::MAX;
    for path in ["followers", "following", "outbox"] {
        let resp = app
            .client
            .get(app.url(&format!("/agencies/oslo/{path}?page={huge}")))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let page: Value = resp.json().await.unwrap();
        assert_eq!(page["orderedItems"], json!([]), "{path}: {page}");
    }
}

#[tokio::test]
async fn pages_past_the_end_of_numbers_are_empty_on_sqlite() {
    pages_past_the_end_of_numbers(TestApp::spawn().await).await;
}

#[tokio::test]
async fn pages_past_the_end_of_numbers_are_empty_on_postgres() {
    on_postgres(|url| async move {
        pages_past_the_end_of_numbers(TestApp::spawn_on(&url, None).await).await;
    })
    .await;
}
