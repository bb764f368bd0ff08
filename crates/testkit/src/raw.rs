//! Requests written byte for byte to a test server's socket, for what an
//! HTTP client library will not send.

use crate::app::TestApp;

/// A response read off a raw socket.
#[derive(Debug)]
pub struct RawResponse {
    /// Status code.
    pub status: u16,
    /// Header lines, as sent.
    pub headers: Vec<(String, String)>,
    /// The body (assumed to be sent with Content-Length or until close).
    pub body: String,
}

impl RawResponse {
    /// The Content-Type header, or "".
    pub fn content_type(&self) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// Writes `request` as is to the server and reads the response, for what an
/// HTTP client library will not send. The server may answer (and stop
/// reading) before the whole request is written; write errors are ignored.
pub async fn raw_request(app: &TestApp, request: Vec<u8>) -> RawResponse {
    use std::io::{Read, Write};
    let addr = app.base.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        let timeout = Some(std::time::Duration::from_secs(20));
        stream.set_read_timeout(timeout).expect("read timeout");
        stream.set_write_timeout(timeout).expect("write timeout");
        let _ = stream.write_all(&request);
        let _ = stream.flush();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    if complete(&buf) {
                        break;
                    }
                }
                Err(e) if buf.is_empty() => panic!("no response: {e}"),
                Err(_) => break,
            }
        }
        parse_raw(&buf)
    })
    .await
    .expect("raw request task")
}

fn split_head(buf: &[u8]) -> Option<(String, &[u8])> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some((
        String::from_utf8_lossy(&buf[..end]).into_owned(),
        &buf[end + 4..],
    ))
}

fn content_length(head: &str) -> Option<usize> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse().ok())?
    })
}

fn complete(buf: &[u8]) -> bool {
    split_head(buf)
        .is_some_and(|(head, body)| content_length(&head).is_some_and(|n| body.len() >= n))
}

fn parse_raw(buf: &[u8]) -> RawResponse {
    let (head, body) = split_head(buf).unwrap_or_else(|| {
        panic!(
            "no HTTP response head in {:?}",
            String::from_utf8_lossy(buf)
        )
    });
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {head:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let body = match content_length(&head) {
        Some(n) => &body[..n.min(body.len())],
        None => body,
    };
    RawResponse {
        status,
        headers,
        body: String::from_utf8_lossy(body).into_owned(),
    }
}
