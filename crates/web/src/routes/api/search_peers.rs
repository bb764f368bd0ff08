//! Federated search in the API (`GET /api/v1/search?peers=true`): which
//! peers are asked, the per-peer rate limit, and how their answers are
//! merged into this instance's page. Asking itself, and checking what
//! peers answer, is `deling_federation::search_peers`.

use super::search::{HitItem, SearchHitView, SearchParams, SearchResultsView};
use crate::{dto::ActorRef, state::AppState};
use chrono::{DateTime, Utc};
use deling_federation::search_peers::{PeerHit, PeerReport, PeerResult, PeerStatus};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use utoipa::ToSchema;

/// Peers asked at most by one search (configured ones first).
pub const MAX_PEERS: usize = 32;

/// An item a peer found (peers' items have no id here, and only what a
/// result list shows).
#[derive(Debug, Serialize, ToSchema)]
pub struct PeerItemView {
    /// Public page.
    pub url: String,
    /// ActivityPub id.
    pub ap_id: String,
    /// Who published it.
    pub agency: ActorRef,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Language.
    pub language: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Licence.
    pub license: Option<String>,
    /// First published.
    pub published: DateTime<Utc>,
    /// Last changed.
    pub updated: DateTime<Utc>,
}

/// How asking one peer went.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeerReportView {
    /// The peer (`host` or `host:port`).
    pub host: String,
    /// `ok`, `timeout` or `error`.
    pub status: &'static str,
    /// Milliseconds until it answered (or was given up).
    pub took_ms: u64,
    /// Why it failed, in a few words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl From<PeerReport> for PeerReportView {
    fn from(r: PeerReport) -> Self {
        Self {
            host: r.host,
            status: r.status.as_str(),
            took_ms: r.took_ms,
            detail: r.detail,
        }
    }
}

/// The query string a peer is asked with: the same words, filters and page.
pub fn query_of(q: &SearchParams, page: u64) -> Vec<(String, String)> {
    let mut pairs = vec![("q".to_owned(), q.q.clone())];
    for (key, value) in [
        ("kind", &q.kind),
        ("agency", &q.agency),
        ("instance", &q.instance),
        ("language", &q.language),
        ("license", &q.license),
        ("tag", &q.tag),
        ("theme", &q.theme),
    ] {
        if let Some(v) = value {
            pairs.push((key.to_owned(), v.trim().to_owned()));
        }
    }
    pairs.push(("page".to_owned(), page.to_string()));
    pairs
}

/// The peers to ask: the configured ones, then the Deling servers of
/// followed and following agencies, at most [`MAX_PEERS`].
async fn peer_hosts(state: &AppState) -> Vec<String> {
    let mut hosts = state.settings.search.peers.clone();
    match state.store.list_peer_hosts(MAX_PEERS as u64).await {
        Ok(found) => hosts.extend(found),
        Err(e) => tracing::warn!(error = %e, "cannot list the peers to search"),
    }
    let own = state.settings.domain.to_ascii_lowercase();
    let mut seen = HashSet::new();
    hosts.retain(|h| *h != own && seen.insert(h.clone()));
    hosts.truncate(MAX_PEERS);
    hosts
}

/// Asks the peers, within the configured timeout; a peer asked too often
/// from here is skipped and reported as an error.
pub async fn ask(state: &AppState, query: &[(String, String)]) -> Vec<PeerResult> {
    let (allowed, limited): (Vec<String>, Vec<String>) = peer_hosts(state)
        .await
        .into_iter()
        .partition(|h| state.limiters.search_per_peer.check(h).is_ok());
    let mut results = state
        .peer_search
        .ask(
            &state.fed_data(),
            &allowed,
            query,
            state.settings.search.peer_timeout,
        )
        .await;
    results.extend(limited.into_iter().map(|host| PeerResult {
        report: PeerReport {
            host,
            status: PeerStatus::Error,
            took_ms: 0,
            detail: Some("asked too often from here; skipped".into()),
        },
        answer: None,
    }));
    results
}

fn peer_hit(host: &str, h: PeerHit) -> SearchHitView {
    SearchHitView {
        item: HitItem::Peer(Box::new(PeerItemView {
            url: h.url.to_string(),
            ap_id: h.ap_id.to_string(),
            agency: ActorRef::remote(
                h.agency.actor_id.to_string(),
                h.agency.handle,
                h.agency.name,
            ),
            kind: h.kind,
            title: h.title,
            summary: h.summary,
            language: h.language,
            tags: h.tags,
            license: h.license,
            published: h.published,
            updated: h.updated,
        })),
        snippet: h.snippet,
        instance: host.to_owned(),
    }
}

fn ap_id_of(hit: &SearchHitView) -> &str {
    match &hit.item {
        HitItem::Here(i) => &i.ap_id,
        HitItem::Peer(i) => &i.ap_id,
    }
}

fn add(into: &mut BTreeMap<String, u64>, from: BTreeMap<String, u64>) {
    for (k, n) in from {
        let sum = into.entry(k).or_default();
        *sum = sum.saturating_add(n);
    }
}

/// This instance's page with the peers' answers merged in: hits taken in
/// turn from each list (scores of different servers do not compare),
/// an item already listed (by ActivityPub id) left out, so a copy stored
/// here wins; totals and facet counts summed (the total exact only when
/// every part of it is).
pub fn merge(mut local: SearchResultsView, results: Vec<PeerResult>) -> SearchResultsView {
    let mut seen: HashSet<String> = local.items.iter().map(|h| ap_id_of(h).to_owned()).collect();
    let mut lists = vec![
        std::mem::take(&mut local.items)
            .into_iter()
            .collect::<Vec<_>>(),
    ];
    let mut reports = Vec::with_capacity(results.len());
    for r in results {
        if let Some(answer) = r.answer {
            local.total = local.total.saturating_add(answer.total);
            local.total_exact &= answer.total_exact;
            lists.push(
                answer
                    .hits
                    .into_iter()
                    .map(|h| peer_hit(&r.report.host, h))
                    .collect(),
            );
            let f = &mut local.facets;
            for (name, values) in answer.facets {
                let into = match name.as_str() {
                    "kind" => &mut f.kind,
                    "agency" => &mut f.agency,
                    "instance" => &mut f.instance,
                    "language" => &mut f.language,
                    "license" => &mut f.license,
                    "tag" => &mut f.tag,
                    "theme" => &mut f.theme,
                    _ => continue,
                };
                add(into, values);
            }
        }
        reports.push(r.report.into());
    }
    let mut lists: Vec<_> = lists.into_iter().map(Vec::into_iter).collect();
    loop {
        let mut any = false;
        for (i, list) in lists.iter_mut().enumerate() {
            if let Some(hit) = list.next() {
                any = true;
                // The local list (the first) is already free of duplicates.
                if i == 0 || seen.insert(ap_id_of(&hit).to_owned()) {
                    local.items.push(hit);
                }
            }
        }
        if !any {
            break;
        }
    }
    local.peers = Some(reports);
    local
}

/// Facet counts of nothing, for tests.
#[cfg(test)]
fn no_facets() -> super::search::FacetsView {
    super::search::FacetsView {
        kind: BTreeMap::new(),
        agency: BTreeMap::new(),
        instance: BTreeMap::new(),
        language: BTreeMap::new(),
        license: BTreeMap::new(),
        tag: BTreeMap::new(),
        theme: BTreeMap::new(),
    }
}

#[cfg(test)]
#[path = "search_peers_tests.rs"]
mod tests;
