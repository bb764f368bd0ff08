//! Bad input gets a clear problem and changes nothing.

use crate::helpers::{RawResponse, TestApp, guide, id_of, invalid, ok_json, problem, raw_request};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

/// Field overrides that make a valid guide invalid, with the field the 422
/// must name.
fn bad_fields() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        ("title", json!(""), "title"),
        ("title", json!("   "), "title"),
        ("title", json!("x".repeat(201)), "title"),
        ("title", json!("to\nlinjer"), "title"),
        ("summary", json!("x".repeat(501)), "summary"),
        ("body", json!("x".repeat(100_001)), "body"),
        ("language", json!("klingon!"), "language"),
        ("language", json!(""), "language"),
        ("tags", json!(["ok", "not ok"]), "tags[1]"),
        ("tags", json!([""]), "tags[0]"),
        ("tags", json!(["ok", "x".repeat(65)]), "tags[1]"),
        (
            "tags",
            json!((0..21).map(|i| format!("t{i}")).collect::<Vec<_>>()),
            "tags",
        ),
        ("license", json!("whatever"), "license"),
        (
            "links",
            json!([{"href": "javascript:alert(1)"}]),
            "links[0].href",
        ),
        (
            "links",
            json!([{"href": "https://ok.no"}, {"href": "/relative"}]),
            "links[1].href",
        ),
        (
            "links",
            json!([{"href": "https://ok.no", "title": "x".repeat(201)}]),
            "links[0].title",
        ),
        (
            "links",
            json!(
                (0..51)
                    .map(|i| json!({"href": format!("https://ok.no/{i}")}))
                    .collect::<Vec<_>>()
            ),
            "links",
        ),
        ("metadata", json!([1, 2]), "metadata"),
        ("metadata", json!("text"), "metadata"),
        ("metadata", json!({"colour": "red"}), "metadata"),
        ("kind", json!("poem"), "kind"),
        ("based_on", json!("ftp://x"), "based_on"),
        ("based_on", json!("not a url"), "based_on"),
        // Limits and invisible or direction-changing characters.
        (
            "license",
            json!(vec!["MIT"; 110_000].join(" OR ")),
            "license",
        ),
        (
            "links",
            json!([{"href": "https://ok.no", "media_type": "pdf"}]),
            "links[0].media_type",
        ),
        (
            "links",
            json!([{"href": "https://ok.no", "media_type": "text/html<script>"}]),
            "links[0].media_type",
        ),
        (
            "links",
            json!([{"href": "https://ok.no", "title": "abc\u{202E}fdp.exe"}]),
            "links[0].title",
        ),
        ("tags", json!(["___"]), "tags[0]"),
        ("title", json!("\u{200B}\u{200C}\u{200D}\u{FEFF}"), "title"),
        ("title", json!("abc\u{202E}txt.exe"), "title"),
        ("title", json!("to\u{2028}linjer"), "title"),
        ("title", json!("isolert\u{2066}x\u{2069}"), "title"),
        ("summary", json!("\u{200B}\u{2060}"), "summary"),
    ]
}

/// Bodies that are not an item body at all: 400.
fn malformed_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let mut unknown = guide("x");
    unknown["colour"] = json!("red");
    let mut wrong_type = guide("x");
    wrong_type["title"] = json!(5);
    let mut tags_not_list = guide("x");
    tags_not_list["tags"] = json!("byggesak");
    let mut link_unknown = guide("x");
    link_unknown["links"] = json!([{"href": "https://ok.no", "rel": "x"}]);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let too_deep = format!(r#"{{"kind":"guide","title":"x","language":"nb","metadata":{deep}}}"#);
    vec![
        ("deeply nested JSON", too_deep.into_bytes()),
        (
            "duplicate field",
            r#"{"kind":"guide","title":"a","title":"b","language":"nb"}"#
                .to_owned()
                .into_bytes(),
        ),
        (
            "invalid UTF-8",
            b"{\"kind\":\"guide\",\"title\":\"\xff\",\"language\":\"nb\"}".to_vec(),
        ),
        (
            "truncated JSON",
            r#"{"kind": "guide", "title":"#.to_owned().into_bytes(),
        ),
        ("not JSON", "kind=guide&title=x".to_owned().into_bytes()),
        ("empty body", Vec::new()),
        ("JSON array", "[]".to_owned().into_bytes()),
        ("JSON null", "null".to_owned().into_bytes()),
        ("unknown field", unknown.to_string().into_bytes()),
        ("title is a number", wrong_type.to_string().into_bytes()),
        ("tags is a string", tags_not_list.to_string().into_bytes()),
        ("unknown link field", link_unknown.to_string().into_bytes()),
    ]
}

async fn send_raw(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_bad_field_is_a_422_naming_it_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    app.create_item(&token, "oslo", &guide("Den eneste")).await;
    let before = app.get_ok("/api/v1/items").await;

    for (key, value, field) in bad_fields() {
        let mut body = guide("Ugyldig");
        body[key] = value;
        let resp = app.post_item(&token, "oslo", &body).await;
        invalid(resp, field).await;
    }
    for required in ["kind", "title", "language"] {
        let mut body = guide("Mangler noe");
        body.as_object_mut().unwrap().remove(required);
        let problem = invalid(app.post_item(&token, "oslo", &body).await, required).await;
        assert!(
            problem["detail"].as_str().unwrap().contains(required),
            "{problem}"
        );
    }
    assert_eq!(
        app.get_ok("/api/v1/items").await,
        before,
        "a refused POST changed the listing"
    );
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let body = json!({
        "kind": "poem",
        "title": "",
        "language": "klingon!",
        "tags": ["ok", "not ok"],
        "license": "whatever",
        "links": [{"href": "javascript:alert(1)"}],
        "based_on": "ftp://x"
    });
    let problem = invalid(app.post_item(&token, "oslo", &body).await, "kind").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "kind",
        "title",
        "language",
        "tags[1]",
        "license",
        "links[0].href",
        "based_on",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    assert_eq!(app.total_items().await, 0);
}

#[tokio::test]
async fn malformed_bodies_are_400_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;

    for (what, body) in malformed_bodies() {
        let resp = send_raw(
            &app,
            reqwest::Method::POST,
            "/api/v1/agencies/oslo/items",
            &token,
            body,
        )
        .await;
        let p = problem(resp, 400).await;
        if what.starts_with("unknown") {
            let detail = p["detail"].as_str().unwrap();
            assert!(
                detail.contains("colour") || detail.contains("rel"),
                "{what}: detail does not name the field: {p}"
            );
        }
    }
    assert_eq!(app.total_items().await, 0);
}

#[tokio::test]
async fn bad_patches_leave_the_item_unchanged() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let item = app.create_item(&token, "oslo", &guide("Uendret")).await;
    let id = id_of(&item);
    let path = format!("/api/v1/items/{id}");

    for (key, value, field) in bad_fields() {
        let resp = app.patch_item(&token, id, &json!({ key: value })).await;
        invalid(resp, field).await;
    }
    // A patch with one good and one bad field changes neither.
    let resp = app
        .patch_item(&token, id, &json!({"title": "Ny", "license": "whatever"}))
        .await;
    invalid(resp, "license").await;
    for (_, body) in malformed_bodies() {
        let resp = send_raw(&app, reqwest::Method::PATCH, &path, &token, body).await;
        problem(resp, 400).await;
    }
    assert_eq!(
        app.read_item(id).await,
        item,
        "a refused PATCH changed the item"
    );
}

/// `POST /api/v1/agencies/oslo/items` with `json` as the body, written
/// to the socket as is: with a `Content-Length`, or chunked (without one).
/// The server answers 413 without reading all of an oversized body and
/// may reset the connection while the rest is still being written, which
/// an HTTP client library reports as a failed request instead of the 413;
/// [`raw_request`] ignores the write error and reads the answer.
async fn post_raw(app: &TestApp, token: &str, json: &str, chunked: bool) -> RawResponse {
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {}", json.len())
    };
    let mut request = format!(
        "POST /api/v1/agencies/oslo/items HTTP/1.1\r\nHost: deling.test\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    if chunked {
        for chunk in json.as_bytes().chunks(64 * 1024) {
            request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            request.extend_from_slice(chunk);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"0\r\n\r\n");
    } else {
        request.extend_from_slice(json.as_bytes());
    }
    raw_request(app, request).await
}

/// Checks that a raw answer is a 413 problem.
fn assert_413(raw: &RawResponse) {
    assert_eq!(raw.status, 413, "{raw:?}");
    assert!(
        raw.content_type().starts_with("application/problem+json"),
        "{raw:?}"
    );
    let p: Value = serde_json::from_str(&raw.body).unwrap_or_else(|e| panic!("{e}: {raw:?}"));
    assert_eq!(p["status"], 413);
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{p}");
}

#[tokio::test]
async fn oversized_body_is_413() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let mut body = guide("For stor");
    body["body"] = json!("x".repeat(2 * 1024 * 1024));
    assert_413(&post_raw(&app, &token, &body.to_string(), false).await);
    assert_eq!(app.total_items().await, 0);

    // Just under the 1 MiB limit is read (and then refused for the body's
    // own length limit, which is a 422, not a 413).
    body["body"] = json!("x".repeat(1024 * 1024 - 1024));
    invalid(app.post_item(&token, "oslo", &body).await, "body").await;

    // The longest body allowed is stored whole.
    body["body"] = json!("x".repeat(100_000));
    let created = app.create_item(&token, "oslo", &body).await;
    assert_eq!(created["body"].as_str().unwrap().len(), 100_000);
    assert_eq!(app.total_items().await, 1);
}

#[tokio::test]
async fn oversized_body_without_length_is_413() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let mut body = guide("For stor");
    body["body"] = json!("x".repeat(2 * 1024 * 1024));
    // Chunked, so there is no Content-Length: the limit must hold while
    // reading.
    assert_413(&post_raw(&app, &token, &body.to_string(), true).await);
    assert_eq!(app.total_items().await, 0);
}

#[tokio::test]
async fn wrong_content_type_is_refused() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let item = app.create_item(&token, "oslo", &guide("Eksisterer")).await;
    let id = id_of(&item);

    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut post = app
            .client
            .post(app.url("/api/v1/agencies/oslo/items"))
            .bearer_auth(&token)
            .body(guide("Feil type").to_string());
        let mut patch = app
            .client
            .patch(app.url(&format!("/api/v1/items/{id}")))
            .bearer_auth(&token)
            .body(json!({"title": "Feil type"}).to_string());
        if let Some(ct) = content_type {
            post = post.header(header::CONTENT_TYPE, ct);
            patch = patch.header(header::CONTENT_TYPE, ct);
        }
        for resp in [post.send().await.unwrap(), patch.send().await.unwrap()] {
            let status = resp.status().as_u16();
            assert!(
                status == 415 || status == 400,
                "{content_type:?} gave {status}"
            );
            problem(resp, status).await;
        }
    }
    // application/json with a charset is fine.
    let resp = app
        .client
        .patch(app.url(&format!("/api/v1/items/{id}")))
        .bearer_auth(&token)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(json!({"summary": "Riktig type"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        ok_json(resp, StatusCode::OK).await["summary"],
        "Riktig type"
    );
    assert_eq!(app.total_items().await, 1);
    assert_eq!(app.read_item(id).await["title"], "Eksisterer");
}

#[tokio::test]
async fn null_for_a_required_field_is_refused() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let item = app.create_item(&token, "oslo", &guide("Uendret")).await;
    let id = id_of(&item);
    for key in ["title", "kind", "language"] {
        let resp = app.patch_item(&token, id, &json!({ key: null })).await;
        let status = resp.status();
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{key}: null gave {status}"
        );
        problem(resp, status.as_u16()).await;
    }
    assert_eq!(app.read_item(id).await, item);
}
