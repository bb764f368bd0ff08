//! What both signature styles share on the wire: the authority they sign
//! as `Host` or `@authority`, and requests sent with exactly the headers
//! given (for replays and tampered signatures).

use reqwest::Response;
use url::Url;

/// `host` or `host:port` of a URL: the `Host` and `@authority` both
/// signature styles sign.
pub fn authority(url: &Url) -> String {
    match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    }
}

/// Sends a POST with exactly these headers and body (for replays).
pub async fn send_raw(
    client: &reqwest::Client,
    inbox: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Response {
    let mut req = client.post(inbox).body(body.to_vec());
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("POST {inbox}: {e}"))
}

/// Sends a GET with exactly these headers.
pub async fn send_get(
    client: &reqwest::Client,
    url: &str,
    headers: &[(String, String)],
) -> Response {
    let mut req = client.get(url);
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}
