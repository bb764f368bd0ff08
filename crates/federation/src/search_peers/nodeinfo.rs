//! Whether a peer answers federated search, as its NodeInfo says
//! (`metadata.deling.federatedSearch`), remembered per host for a while so
//! a search does not fetch NodeInfo every time.

use super::{MAX_NODEINFO_BYTES, read_capped};
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
/// A NodeInfo fetch's own time limit: it may outlive the search that
/// started it, so that the next search knows.
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
/// document it names, which must be on the same host.
pub(super) async fn fetch(client: &reqwest::Client, base: &Url) -> Support {
    match try_fetch(client, base).await {
        Ok(true) => Support::Yes,
        Ok(false) => Support::No,
        Err(e) => Support::Failed(e),
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
