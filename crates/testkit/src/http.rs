//! Talking HTTP to a test server: a client, a free port, and checks of
//! what comes back that show the body when the status is wrong.

use reqwest::{Response, StatusCode, header};
use serde_json::{Value, json};
use std::time::Duration;

/// An HTTP client that never goes through a proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

/// A port on 127.0.0.1 that was free a moment ago (something else may take
/// it before it is bound again; callers then try another).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// Checks the status and returns the JSON body, showing the body when the
/// status is wrong.
pub async fn ok_json(resp: Response, status: StatusCode) -> Value {
    let got = resp.status();
    let text = resp.text().await.expect("response body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("body is not JSON ({e}): {text}"))
}

/// Like [`ok_json`], naming the URL in what it shows.
pub async fn json_body(resp: Response, status: StatusCode) -> Value {
    let got = resp.status();
    let url = resp.url().clone();
    let text = resp.text().await.expect("response body");
    assert_eq!(got, status, "{url}: unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: body is not JSON ({e}): {text}"))
}

/// The Content-Type of a response, or "".
pub fn content_type(resp: &Response) -> String {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Checks that `resp` is an RFC 9457 problem with `status` and a non-empty
/// detail, and returns it.
pub async fn problem(resp: Response, status: u16) -> Value {
    let got = resp.status().as_u16();
    let content_type = content_type(&resp);
    let text = resp.text().await.expect("response body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type:?} is not application/problem+json; body: {text}"
    );
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("problem is not JSON ({e}): {text}"));
    assert_eq!(body["status"], json!(status), "problem status: {body}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "problem has no title: {body}"
    );
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty()),
        "problem has no detail: {body}"
    );
    body
}

/// Checks a 422 problem whose `errors` name `field`, and returns it.
pub async fn invalid(resp: Response, field: &str) -> Value {
    let body = problem(resp, 422).await;
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("422 without errors: {body}"));
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == field
                && e["problem"].as_str().is_some_and(|p| !p.trim().is_empty())),
        "errors do not name {field:?}: {body}"
    );
    body
}
