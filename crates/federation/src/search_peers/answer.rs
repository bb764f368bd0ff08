//! A peer's search answer: read as typed JSON, then every field checked as
//! any remote input is (URLs are http(s) URLs, strings bounded, snippets
//! re-sanitised, items of hidden domains dropped) before it is merged.

use chrono::{DateTime, Utc};
use deling_domain::{
    item::{ItemKind, Tag},
    language::Language,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use url::Url;

/// Hits kept from one answer (a peer sends a page of 20).
pub const MAX_HITS: usize = 50;
/// Values kept per facet from one answer.
pub const MAX_FACET_VALUES: usize = 200;
/// Longest facet value kept, in characters.
const MAX_FACET_KEY: usize = 300;
/// Longest URL kept, in bytes.
const MAX_URL: usize = 2048;
/// Tags kept per hit.
const MAX_TAGS: usize = 30;
/// Longest snippet looked at, in bytes (ours are a few hundred).
const MAX_SNIPPET: usize = 4096;
/// The largest count believed (more than any catalogue holds).
const MAX_COUNT: u64 = 1_000_000_000;

fn exact() -> bool {
    true
}

/// What a peer's `GET /api/v1/search` answers, as far as it is used.
#[derive(Debug, Deserialize)]
pub(super) struct WireResults {
    total: u64,
    /// Older peers do not say; their totals were exact.
    #[serde(default = "exact")]
    total_exact: bool,
    #[serde(default)]
    items: Vec<WireHit>,
    #[serde(default)]
    facets: BTreeMap<String, BTreeMap<String, u64>>,
}

#[derive(Debug, Deserialize)]
struct WireHit {
    ap_id: String,
    url: String,
    agency: WireAgency,
    kind: String,
    title: String,
    #[serde(default)]
    summary: String,
    language: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    license: Option<String>,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
    #[serde(default)]
    snippet: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WireAgency {
    actor_id: String,
    #[serde(default)]
    handle: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// Who published a hit a peer found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAgency {
    /// ActivityPub actor id.
    pub actor_id: Url,
    /// `@user@host`, as the peer gives it.
    pub handle: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

/// One item a peer found, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerHit {
    /// ActivityPub id: what duplicates are recognised by.
    pub ap_id: Url,
    /// Its public page.
    pub url: Url,
    /// Who published it.
    pub agency: PeerAgency,
    /// Kind, one this server knows.
    pub kind: String,
    /// Title (at most 200 characters).
    pub title: String,
    /// Summary (at most 500 characters).
    pub summary: String,
    /// Language (BCP 47).
    pub language: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Licence.
    pub license: Option<String>,
    /// First published.
    pub published: DateTime<Utc>,
    /// Last changed.
    pub updated: DateTime<Utc>,
    /// HTML with only `<mark>` left in it.
    pub snippet: Option<String>,
}

/// One peer's checked answer.
#[derive(Debug, Clone, Default)]
pub struct PeerAnswer {
    /// Items that matched there.
    pub total: u64,
    /// Whether `total` is exact rather than a lower bound.
    pub total_exact: bool,
    /// Its page of hits, best first, without those this server hides.
    pub hits: Vec<PeerHit>,
    /// Facet counts by facet name (`kind`, `agency`, ...), agencies named
    /// as this server names them (`user@host`, or a local slug).
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The facets a Deling search answers with.
pub const FACETS: [&str; 7] = [
    "kind", "agency", "instance", "language", "license", "tag", "theme",
];

/// What the checks need to know about this server.
pub(super) struct Checks<'a> {
    /// The peer that answered (`host` or `host:port`).
    pub peer: &'a str,
    /// This server's own host.
    pub own: &'a str,
    /// Plain http allowed (debug mode).
    pub debug: bool,
}

/// `s` without control characters, cut to at most `max` characters.
fn bounded(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// `host` or `host:port` of a URL, lower case.
pub(super) fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}").to_ascii_lowercase(),
        (Some(h), None) => h.to_ascii_lowercase(),
        _ => String::new(),
    }
}

impl Checks<'_> {
    fn url(&self, s: &str) -> Option<Url> {
        if s.len() > MAX_URL {
            return None;
        }
        let u = Url::parse(s).ok()?;
        let scheme_ok = u.scheme() == "https" || (self.debug && u.scheme() == "http");
        (scheme_ok && u.host_str().is_some_and(|h| !h.is_empty()) && u.username().is_empty())
            .then_some(u)
    }

    /// A hit, checked, or `None` when it cannot be shown.
    fn hit(&self, w: WireHit) -> Option<PeerHit> {
        let ap_id = self.url(&w.ap_id)?;
        let actor_id = self.url(&w.agency.actor_id)?;
        // Our own items are answered by our own index, not a peer's copy.
        if host_of(&ap_id) == self.own || host_of(&actor_id) == self.own {
            return None;
        }
        let kind = w.kind.parse::<ItemKind>().ok()?.as_str().to_owned();
        let language = Language::parse(&w.language).ok()?.to_string();
        let title = bounded(w.title.trim(), 200);
        if title.is_empty() {
            return None;
        }
        Some(PeerHit {
            url: self.url(&w.url).unwrap_or_else(|| ap_id.clone()),
            ap_id,
            agency: PeerAgency {
                actor_id,
                handle: w.agency.handle.map(|h| bounded(&h, 300)),
                name: w.agency.name.map(|n| bounded(&n, 200)),
            },
            kind,
            title,
            summary: bounded(&w.summary, 500),
            language,
            tags: w
                .tags
                .iter()
                .filter_map(|t| Tag::parse(t).ok().map(|t| t.as_str().to_owned()))
                .take(MAX_TAGS)
                .collect(),
            license: w.license.map(|l| bounded(&l, 300)),
            published: w.published,
            updated: w.updated,
            snippet: w
                .snippet
                .filter(|s| s.len() <= MAX_SNIPPET)
                .map(|s| snippet(&s)),
        })
    }

    /// A facet value as this server names it: a peer's own agencies are
    /// `slug` there and `slug@peer` here, and ours are `slug@own` there.
    fn facet_key(&self, facet: &str, key: &str) -> String {
        let key = bounded(key, MAX_FACET_KEY);
        if facet != "agency" {
            return key;
        }
        match key.rsplit_once('@') {
            None => format!("{key}@{}", self.peer),
            Some((user, host)) if host.eq_ignore_ascii_case(self.own) => user.to_owned(),
            Some(_) => key,
        }
    }
}

/// The host a facet value names, if any (instances, and agencies as
/// `user@host`).
pub(super) fn facet_host<'k>(facet: &str, key: &'k str) -> Option<&'k str> {
    match facet {
        "instance" => Some(key),
        "agency" => key.rsplit_once('@').map(|(_, h)| h),
        _ => None,
    }
}

/// A peer's snippet with every tag but `<mark>` (and every attribute)
/// removed, so no markup of the peer's reaches our users.
pub fn snippet(html: &str) -> String {
    ammonia::Builder::empty()
        .add_tags(["mark"])
        .clean(html)
        .to_string()
}

impl WireResults {
    /// The checked answer; `hidden` says which hosts' items this server
    /// never shows (blocked or silenced domains).
    pub(super) fn check(self, checks: &Checks<'_>, hidden: impl Fn(&str) -> bool) -> PeerAnswer {
        let hits = self
            .items
            .into_iter()
            .take(MAX_HITS)
            .filter_map(|w| checks.hit(w))
            .filter(|h| !hidden(&host_of(&h.ap_id)) && !hidden(&host_of(&h.agency.actor_id)))
            .collect();
        let mut facets = BTreeMap::new();
        for (name, values) in self.facets {
            if !FACETS.contains(&name.as_str()) {
                continue;
            }
            let values: BTreeMap<String, u64> = values
                .into_iter()
                .take(MAX_FACET_VALUES)
                .map(|(k, n)| (checks.facet_key(&name, &k), n.min(MAX_COUNT)))
                .filter(|(k, _)| !k.is_empty())
                .filter(|(k, _)| facet_host(&name, k).is_none_or(|h| !hidden(h)))
                .collect();
            facets.insert(name, values);
        }
        PeerAnswer {
            total: self.total.min(MAX_COUNT),
            total_exact: self.total_exact,
            hits,
            facets,
        }
    }

    /// Hosts named by the answer whose policy the caller must look up.
    pub(super) fn hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .items
            .iter()
            .take(MAX_HITS)
            .flat_map(|h| [&h.ap_id, &h.agency.actor_id])
            .filter_map(|u| Url::parse(u).ok())
            .map(|u| host_of(&u))
            .chain(self.facets.iter().flat_map(|(name, values)| {
                values
                    .keys()
                    .take(MAX_FACET_VALUES)
                    .filter_map(|k| facet_host(name, k))
                    .map(str::to_ascii_lowercase)
            }))
            .filter(|h| !h.is_empty() && h.len() <= 300)
            .collect();
        hosts.sort();
        hosts.dedup();
        hosts
    }
}

#[cfg(test)]
#[path = "answer_tests.rs"]
mod tests;
