//! Federated search: asking peer Deling instances' `GET /api/v1/search`
//! for what they hold, in parallel, within a deadline.
//!
//! A peer is asked only when its NodeInfo says it answers federated search
//! ([`nodeinfo`], remembered per host), only over the addresses deliveries
//! may use (https with a host name and the default port, no private
//! addresses, unless in debug mode), and only when the federation policy
//! neither suspends nor silences it. Its answer is read up to
//! [`MAX_ANSWER_BYTES`], parsed into typed structs and checked field by
//! field ([`answer`]); items of domains this server hides are dropped.
//! The request carries [`PEER_SEARCH_HEADER`] and `peers=false`, so the
//! peer answers from its own index and asks nobody further.

pub mod answer;
pub mod nodeinfo;
#[cfg(test)]
mod tests;

use crate::{
    context::Data,
    http_body::{ReadError, read_capped},
};
use answer::{Checks, WireResults};
use deling_store::queries::policy::Verdict;
use nodeinfo::{Support, SupportCache};
use std::{
    collections::HashSet,
    sync::Arc,
    time::{Duration, Instant},
};
use url::Url;

pub use answer::{FACETS, PeerAgency, PeerAnswer, PeerHit};

/// The header that marks a search as asked by a peer (its value: the
/// asking server's host). A search that carries it never asks further.
pub const PEER_SEARCH_HEADER: &str = "deling-peer-search";
/// The largest answer read from a peer, in bytes.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;
/// The largest NodeInfo document read, in bytes.
const MAX_NODEINFO_BYTES: usize = 64 << 10;
/// Hosts named in one answer whose policy is looked up; an answer naming
/// more has the rest dropped.
const MAX_HOSTS_CHECKED: usize = 100;

/// How asking one peer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerStatus {
    /// It answered, and the answer was usable.
    Ok,
    /// No answer before the deadline.
    Timeout,
    /// It could not be asked, or its answer was refused.
    Error,
}

impl PeerStatus {
    /// `ok`, `timeout` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Timeout => "timeout",
            Self::Error => "error",
        }
    }
}

/// What became of asking one peer.
#[derive(Debug, Clone)]
pub struct PeerReport {
    /// The peer (`host` or `host:port`).
    pub host: String,
    /// How it went.
    pub status: PeerStatus,
    /// Milliseconds from asking to its answer (or to giving up).
    pub took_ms: u64,
    /// Why it failed, in a few words.
    pub detail: Option<String>,
}

/// One peer's report and, when it answered, its checked answer.
#[derive(Debug, Clone)]
pub struct PeerResult {
    /// How it went.
    pub report: PeerReport,
    /// The answer, when `report.status` is `Ok`.
    pub answer: Option<PeerAnswer>,
}

/// Why one peer gave nothing.
enum Failure {
    Timeout,
    Error(String),
}

impl From<String> for Failure {
    fn from(e: String) -> Self {
        Self::Error(e)
    }
}

/// Asks peers; holds what is known of their NodeInfo. One per process,
/// shared by every request.
#[derive(Debug, Default, Clone)]
pub struct PeerSearch {
    support: Arc<SupportCache>,
}

impl PeerSearch {
    /// A searcher that knows nothing of any peer yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// What is known of whether `host` answers federated search.
    pub fn support(&self, host: &str) -> Option<Support> {
        self.support.get(host)
    }

    /// Asks each of `hosts` (those the federation policy hides are left
    /// out) with the query string `query` (plus `peers=false`), all at
    /// once; whatever has not answered `timeout` after the call is
    /// reported as a timeout. The reports are in the order of `hosts`.
    pub async fn ask(
        &self,
        data: &Data,
        hosts: &[String],
        query: &[(String, String)],
        timeout: Duration,
    ) -> Vec<PeerResult> {
        let start = Instant::now();
        let deadline = tokio::time::Instant::from_std(start + timeout);
        let mut seen = HashSet::new();
        let mut asked = Vec::new();
        for host in hosts {
            let host = host.trim().to_ascii_lowercase();
            if host.is_empty()
                || host.eq_ignore_ascii_case(&data.settings.domain)
                || !seen.insert(host.clone())
                || hidden(data, &host).await
            {
                continue;
            }
            let (data, support, h, query) = (
                data.clone(),
                self.support.clone(),
                host.clone(),
                query.to_vec(),
            );
            // Each measures its own time: results are collected in order,
            // and a fast peer must not be charged for a slow one.
            let task = tokio::spawn(async move {
                let outcome = ask_one(data, support, h, query, deadline).await;
                (outcome, elapsed_ms(start))
            });
            asked.push((host, task));
        }
        let mut results = Vec::with_capacity(asked.len());
        for (host, mut task) in asked {
            let (outcome, took_ms) = match tokio::time::timeout_at(deadline, &mut task).await {
                Ok(Ok(done)) => done,
                Ok(Err(e)) => (
                    Err(Failure::Error(format!("the request failed: {e}"))),
                    elapsed_ms(start),
                ),
                Err(_) => {
                    task.abort();
                    (Err(Failure::Timeout), elapsed_ms(start))
                }
            };
            let (status, detail, answer) = match outcome {
                Ok(answer) => (PeerStatus::Ok, None, Some(answer)),
                Err(Failure::Timeout) => (
                    PeerStatus::Timeout,
                    Some(format!("no answer within {} ms", timeout.as_millis())),
                    None,
                ),
                Err(Failure::Error(e)) => (PeerStatus::Error, Some(e), None),
            };
            if status != PeerStatus::Ok {
                tracing::debug!(%host, status = status.as_str(), ?detail, "peer search failed");
            }
            results.push(PeerResult {
                report: PeerReport {
                    host,
                    status,
                    took_ms,
                    detail,
                },
                answer,
            });
        }
        results
    }
}

fn elapsed_ms(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Whether this server hides `host`: suspended, silenced, or (in
/// allow-list mode) not allowed. Fails closed.
async fn hidden(data: &Data, host: &str) -> bool {
    !matches!(
        data.store.get_host_verdict(host).await,
        Ok(Verdict::Open | Verdict::NoMedia)
    )
}

/// The peer's root URL, if it may be asked at all: a host name (with a
/// port, and over plain http, only in debug mode) that does not resolve
/// to a private address outside debug mode.
async fn peer_base(data: &Data, host: &str) -> Result<Url, String> {
    if !deling_domain::host::authority_ok(host) {
        return Err("not a host name".into());
    }
    let debug = data.settings.debug;
    let scheme = if debug { "http" } else { "https" };
    let base = Url::parse(&format!("{scheme}://{host}/")).map_err(|e| e.to_string())?;
    if !debug {
        if base.port().is_some() {
            return Err("peers with an explicit port are only asked in debug mode".into());
        }
        if !matches!(base.host(), Some(url::Host::Domain(_))) {
            return Err("peers must be named by host name, not IP address".into());
        }
    }
    // Private addresses are refused at connect time, by the client's
    // resolver (`dns`), on the addresses it would connect to.
    Ok(base)
}

/// The `agency` filter as `peer` names the agency: one of ours (a slug
/// here) is `slug@own` there, and one of the peer's (`user@peer` here) is
/// its slug there.
fn agency_there(agency: &str, own: &str, peer: &str) -> String {
    let agency = agency.trim().trim_start_matches('@');
    match agency.rsplit_once('@') {
        None => format!("{agency}@{own}"),
        Some((user, host)) if host.eq_ignore_ascii_case(peer) => user.to_owned(),
        Some(_) => agency.to_owned(),
    }
}

/// Asks one peer: NodeInfo first (unless known), then its search.
async fn ask_one(
    data: Data,
    support: Arc<SupportCache>,
    host: String,
    query: Vec<(String, String)>,
    deadline: tokio::time::Instant,
) -> Result<PeerAnswer, Failure> {
    let base = peer_base(&data, &host).await?;
    let known = match support.get(&host) {
        Some(s) => s,
        None => {
            // Its own task, not aborted with this one: a NodeInfo fetch
            // that outlives the deadline still tells the next search.
            let client = data.client.clone();
            let (cache, h, b) = (support.clone(), host.clone(), base.clone());
            tokio::spawn(async move {
                let found = nodeinfo::fetch(&client, &b).await;
                cache.put(&h, found.clone());
                found
            })
            .await
            .map_err(|e| format!("NodeInfo: {e}"))?
        }
    };
    match known {
        Support::Yes => {}
        Support::No => {
            return Err("does not answer federated search (its NodeInfo)"
                .to_owned()
                .into());
        }
        Support::Failed(e) => return Err(e.into()),
    }
    let mut url = base.join("api/v1/search").map_err(|e| e.to_string())?;
    let own = data.settings.domain.to_ascii_lowercase();
    url.query_pairs_mut()
        .extend_pairs(
            query
                .iter()
                .filter(|(k, _)| k != "peers")
                .map(|(k, v)| match k.as_str() {
                    "agency" => (k.as_str(), agency_there(v, &own, &host)),
                    _ => (k.as_str(), v.clone()),
                }),
        )
        .append_pair("peers", "false");
    let ask = |url: Url| {
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        data.client
            .get(url)
            .header("Accept", "application/json")
            .header(PEER_SEARCH_HEADER, data.settings.domain.as_str())
            .timeout(remaining.max(Duration::from_millis(1)))
            .send()
    };
    let sent = match ask(url.clone()).await {
        // A kept-alive connection the peer closed (it restarted, or
        // dropped it idle) fails at once: ask again, on a new connection,
        // within what is left of the deadline. A refused connection or a
        // timeout would only fail again.
        Err(e) if !e.is_timeout() && !e.is_connect() => ask(url).await,
        sent => sent,
    };
    let resp = sent.map_err(|e| {
        if e.is_timeout() {
            Failure::Timeout
        } else {
            Failure::Error(format!("cannot ask: {e}"))
        }
    })?;
    if !resp.status().is_success() {
        return Err(format!("status {}", resp.status().as_u16()).into());
    }
    let body = read_capped(resp, MAX_ANSWER_BYTES)
        .await
        .map_err(|e| match e {
            ReadError::Http(e) if e.is_timeout() => Failure::Timeout,
            e => Failure::Error(e.to_string()),
        })?;
    let wire: WireResults =
        serde_json::from_slice(&body).map_err(|e| format!("not a search answer: {e}"))?;
    let hosts = wire.hosts();
    // The peer itself was checked before it was asked (its own agencies
    // are `slug@peer` in the facets even when none of its items is on
    // this page).
    let mut shown = HashSet::from([host.clone()]);
    for h in hosts.iter().take(MAX_HOSTS_CHECKED) {
        if !hidden(&data, h).await {
            shown.insert(h.clone());
        }
    }
    let checks = Checks {
        peer: &host,
        own: &own,
        debug: data.settings.debug,
    };
    Ok(wire.check(&checks, |h| !shown.contains(&h.to_ascii_lowercase())))
}
