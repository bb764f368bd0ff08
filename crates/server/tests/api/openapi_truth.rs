//! The served OpenAPI document against what the server answers: refusals
//! the document must declare, with the media type they come in, and the
//! Mastodon CSV import's refusals of what is not a CSV.

use crate::helpers::{TestApp, invalid, problem};
use reqwest::{Method, Response, header};
use serde_json::{Value, json};

/// The served document.
async fn document(app: &TestApp) -> Value {
    app.get_ok("/api/v1/openapi.json").await
}

/// Checks that the document declares `status` for `method path` as an
/// `application/problem+json` Problem, the type the server answered.
fn declared(doc: &Value, method: &Method, path: &str, status: u16) {
    let response =
        &doc["paths"][path][method.as_str().to_lowercase()]["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{method} {path} does not declare {status}"
    );
    assert_eq!(
        response["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem",
        "{method} {path} {status}: {response}"
    );
}

async fn send(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> Response {
    let mut req = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .body(body.to_owned());
    if let Some(content_type) = content_type {
        req = req.header(header::CONTENT_TYPE, content_type);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn the_refusals_the_server_sends_are_in_the_document() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let editor = app.editor_of("kari", &oslo).await;
    let admin = app.instance_admin("root").await;
    let doc = document(&app).await;
    for (token, method, request_path, content_type, body, status, documented) in [
        // A path id past i64.
        (
            &editor,
            Method::DELETE,
            "/api/v1/items/9223372036854775808",
            None,
            "",
            400,
            "/api/v1/items/{id}",
        ),
        // A control character in a query value.
        (
            &editor,
            Method::GET,
            "/api/v1/items?tag=a%00b",
            None,
            "",
            400,
            "/api/v1/items",
        ),
        // A required query parameter missing.
        (
            &editor,
            Method::DELETE,
            "/api/v1/agencies/oslo/following",
            None,
            "",
            400,
            "/api/v1/agencies/{slug}/following",
        ),
        // A JSON body without its Content-Type.
        (
            &editor,
            Method::POST,
            "/api/v1/agencies/oslo/items",
            None,
            r#"{"kind":"guide","title":"T","language":"nb"}"#,
            415,
            "/api/v1/agencies/{slug}/items",
        ),
        (
            &admin,
            Method::PUT,
            "/api/v1/admin/federation-mode",
            Some("text/plain"),
            r#"{"mode":"allowlist"}"#,
            415,
            "/api/v1/admin/federation-mode",
        ),
        // Values the body's enum leaves out.
        (
            &admin,
            Method::PUT,
            "/api/v1/admin/federation-mode",
            Some("application/json"),
            r#"{"mode":""}"#,
            422,
            "/api/v1/admin/federation-mode",
        ),
        (
            &admin,
            Method::POST,
            "/api/v1/admin/domain-blocks",
            Some("application/json"),
            r#"{"domain":"x.example","severity":"loud"}"#,
            422,
            "/api/v1/admin/domain-blocks",
        ),
        // A path segment that is no domain.
        (
            &admin,
            Method::DELETE,
            "/api/v1/admin/domain-blocks/__main__",
            None,
            "",
            422,
            "/api/v1/admin/domain-blocks/{domain}",
        ),
        // A target that is no handle or URL.
        (
            &editor,
            Method::POST,
            "/api/v1/agencies/oslo/following",
            Some("application/json"),
            r#"{"target":"not a handle"}"#,
            422,
            "/api/v1/agencies/{slug}/following",
        ),
        // A control character in a login body, before the credentials.
        (
            &editor,
            Method::POST,
            "/api/v1/auth/login",
            Some("application/json"),
            r#"{"username":"kari\u0000","password":"x"}"#,
            422,
            "/api/v1/auth/login",
        ),
    ] {
        let what = format!("{method} {request_path}");
        let resp = send(
            &app,
            token,
            method.clone(),
            request_path,
            content_type,
            body,
        )
        .await;
        problem(resp, status).await;
        declared(&doc, &method, documented, status);
        eprintln!("{what}: {status}, declared");
    }
}

/// The instance's domain policies and audit entries, as the API shows them.
async fn policies_and_audit(app: &TestApp, admin: &str) -> (Value, Value) {
    let read = |path: &'static str| async move {
        let resp = send(app, admin, Method::GET, path, None, "").await;
        assert_eq!(resp.status(), 200, "{path}");
        resp.json::<Value>().await.unwrap()
    };
    (
        read("/api/v1/admin/domain-blocks").await,
        read("/api/v1/admin/audit?per_page=200").await,
    )
}

#[tokio::test]
async fn the_csv_import_refuses_what_is_not_a_csv_and_an_empty_one() {
    let app = TestApp::spawn().await;
    let admin = app.instance_admin("root").await;
    let before = policies_and_audit(&app, &admin).await;
    let import = "/api/v1/admin/domain-blocks/import";
    for content_type in [
        Some("image/png"),
        None,
        Some("application/json"),
        Some("text/plain"),
        Some("text/csv; charset=iso-8859-1"),
    ] {
        let resp = send(
            &app,
            &admin,
            Method::POST,
            import,
            content_type,
            "evil.example,suspend\n",
        )
        .await;
        problem(resp, 415).await;
    }
    for body in ["", "\n", "  \r\n\t"] {
        let resp = send(&app, &admin, Method::POST, import, Some("text/csv"), body).await;
        invalid(resp, "csv").await;
    }
    // Nothing stored, nothing in the audit log.
    assert_eq!(policies_and_audit(&app, &admin).await, before);

    // What a CSV is, with or without a charset, is imported and audited.
    for (content_type, domain) in [
        ("text/csv", "one.example"),
        ("Text/CSV; charset=UTF-8", "two.example"),
    ] {
        let resp = send(
            &app,
            &admin,
            Method::POST,
            import,
            Some(content_type),
            &format!("{domain},suspend\n"),
        )
        .await;
        assert_eq!(resp.status(), 200, "{content_type}");
        assert_eq!(resp.json::<Value>().await.unwrap(), json!({"imported": 1}));
    }
    let (policies, audit) = policies_and_audit(&app, &admin).await;
    assert_eq!(policies.as_array().unwrap().len(), 2, "{policies}");
    assert!(
        audit.as_array().unwrap().len() > before.1.as_array().unwrap().len(),
        "{audit}"
    );
}
