//! Whether a peer answers federated search, as its NodeInfo says
//! (`metadata.deling.federatedSearch`), remembered per host for a while so
//! a search does not fetch NodeInfo every time.

use super::MAX_NODEINFO_BYTES;
use crate::http_body::read_capped;
use serde::Deserialize;
use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};
use url::Url;

/// How long an answer (yes or no) is believed.
const KNOWN_FOR: Duration = Duration::from_secs(3600);
/// How long a failed look-up stands before NodeInfo is tried again.
const FAILED_FOR: Duration = Duration::from_secs(60);
/// Hosts remembered at most.
const MAX_HOSTS: usize = 10_000;
/// A NodeInfo look-up's own time limit, both its requests together: it
/// may outlive the search that started it, so that the next search knows.
pub(super) const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// What is known of a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    /// It answers federated search.
    Yes,
    /// Its NodeInfo does not say it does.
    No,
    /// Its NodeInfo could not be read (why).
    Failed(String),
}

/// Look-ups per host, shared by every request of a process.
#[derive(Debug, Default)]
pub struct SupportCache {
    hosts: Mutex<HashMap<String, (Support, Instant)>>,
}

impl SupportCache {
    /// What is still known of `host`.
    pub fn get(&self, host: &str) -> Option<Support> {
        let map = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        let (support, until) = map.get(host)?;
        (Instant::now() < *until).then(|| support.clone())
    }

    /// Remembers what was found of `host`.
    pub fn put(&self, host: &str, support: Support) {
        let ttl = match support {
            Support::Failed(_) => FAILED_FOR,
            _ => KNOWN_FOR,
        };
        let now = Instant::now();
        let mut map = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_HOSTS {
            map.retain(|_, (_, until)| *until > now);
            if map.len() >= MAX_HOSTS {
                map.clear();
            }
        }
        map.insert(host.to_owned(), (support, now + ttl));
    }
}

#[derive(Deserialize)]
struct Links {
    links: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    rel: String,
    href: String,
}

#[derive(Deserialize)]
struct NodeInfo {
    #[serde(default)]
    metadata: Metadata,
}

#[derive(Default, Deserialize)]
struct Metadata {
    #[serde(default)]
    deling: Option<DelingMetadata>,
}

#[derive(Deserialize)]
struct DelingMetadata {
    #[serde(default, rename = "federatedSearch")]
    federated_search: bool,
}

const SCHEMAS: [&str; 2] = [
    "http://nodeinfo.diaspora.software/ns/schema/2.1",
    "http://nodeinfo.diaspora.software/ns/schema/2.0",
];

/// Reads `base`'s NodeInfo: the links document, then the 2.1 (or 2.0)
/// document it names, which must be on the same host; within
/// [`FETCH_TIMEOUT`] in all.
pub(super) async fn fetch(client: &reqwest::Client, base: &Url) -> Support {
    fetch_within(client, base, FETCH_TIMEOUT).await
}

/// [`fetch`] within `limit`: one bound for both requests, each of which
/// could otherwise take the whole of it.
async fn fetch_within(client: &reqwest::Client, base: &Url, limit: Duration) -> Support {
    match tokio::time::timeout(limit, try_fetch(client, base)).await {
        Ok(Ok(true)) => Support::Yes,
        Ok(Ok(false)) => Support::No,
        Ok(Err(e)) => Support::Failed(e),
        Err(_) => Support::Failed(format!(
            "NodeInfo: no answer within {} s",
            limit.as_secs_f32()
        )),
    }
}

async fn get_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: Url,
) -> Result<T, String> {
    let resp = client
        .get(url)
        .header("Accept", "application/json")
        .timeout(FETCH_TIMEOUT)
        .send()
        .await
        .map_err(|e| format!("NodeInfo: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("NodeInfo: status {}", resp.status().as_u16()));
    }
    let body = read_capped(resp, MAX_NODEINFO_BYTES)
        .await
        .map_err(|e| format!("NodeInfo: {e}"))?;
    serde_json::from_slice(&body).map_err(|e| format!("NodeInfo: not the JSON expected: {e}"))
}

async fn try_fetch(client: &reqwest::Client, base: &Url) -> Result<bool, String> {
    let well_known = base
        .join(".well-known/nodeinfo")
        .map_err(|e| e.to_string())?;
    let links: Links = get_json(client, well_known).await?;
    let href = SCHEMAS
        .iter()
        .find_map(|rel| links.links.iter().find(|l| l.rel == *rel))
        .ok_or("NodeInfo: no 2.0 or 2.1 document")?;
    let href = Url::parse(&href.href).map_err(|e| format!("NodeInfo: bad link: {e}"))?;
    // Only the peer's own host: a link elsewhere would make us fetch
    // whatever it names.
    if href.scheme() != base.scheme()
        || href.host_str() != base.host_str()
        || href.port_or_known_default() != base.port_or_known_default()
    {
        return Err("NodeInfo: the document is on another host".into());
    }
    let doc: NodeInfo = get_json(client, href).await?;
    Ok(doc.metadata.deling.is_some_and(|d| d.federated_search))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server on loopback that answers every request with `body(base)`
    /// after `delay`, each connection once; its base URL.
    async fn slow_server(delay: Duration, body: fn(&str) -> String) -> Url {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let shared = base.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                let text = body(&shared);
                tokio::spawn(async move {
                    let mut buf = [0_u8; 4096];
                    let _ = conn.read(&mut buf).await;
                    tokio::time::sleep(delay).await;
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = conn.write_all(answer.as_bytes()).await;
                });
            }
        });
        Url::parse(&base).unwrap()
    }

    fn both_documents(base: &str) -> String {
        // The links document and the NodeInfo it names, in one: each
        // request is answered alike.
        format!(
            r#"{{"links":[{{"rel":"{}","href":"{base}nodeinfo/2.1"}}],"metadata":{{"deling":{{"federatedSearch":true}}}}}}"#,
            SCHEMAS[0]
        )
    }

    #[tokio::test]
    async fn the_limit_bounds_both_requests_together() {
        let client = reqwest::Client::new();
        // Each answer alone comes well within the limit; the two together
        // do not.
        let base = slow_server(Duration::from_millis(400), both_documents).await;
        let found = fetch_within(&client, &base, Duration::from_millis(600)).await;
        assert!(matches!(found, Support::Failed(_)), "{found:?}");
        // With time for both, the same server is read.
        let found = fetch_within(&client, &base, Duration::from_secs(5)).await;
        assert_eq!(found, Support::Yes);
    }
}
