//! Full-text search over items, local and federated: keeping the index in
//! step with the items (in the transaction that changes them) and running
//! a parsed [`SearchQuery`] with filters and facets.
//!
//! The index holds terms made in Rust (`deling_domain::search`); SQLite
//! matches them with FTS5 and ranks with bm25, PostgreSQL with a `tsvector`
//! under a GIN index and `ts_rank`, both weighing title and tags above the
//! summary above the body. At most [`CANDIDATES`] of the best matches are
//! ranked, paged and counted into facets, so a term that is in every item
//! costs no more than one in a thousand; `total` still counts them all.
//!
//! `index` keeps the index, `syntax` turns a query into each database's
//! match syntax, `facets` counts and filters the ranked matches.

mod facets;
mod index;
mod syntax;

pub(crate) use index::{index_item, unindex, unindex_owner};

use crate::queries::params::Params;
use crate::{Store, StoreError, records::Item};
use deling_domain::search::{SearchQuery, Stemming, document::plain_text, snippet::snippet};
use sea_orm::{DbBackend, FromQueryResult, Statement};
use std::collections::{BTreeMap, HashMap};
use syntax::{fts5_match, tsquery};

/// The best matches ranked, paged and counted into facets, at most.
pub const CANDIDATES: usize = 1000;

/// Filters that narrow a search; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Kind name.
    pub kind: Option<String>,
    /// A local agency's slug, or a remote agency's `user@host`.
    pub agency: Option<String>,
    /// The instance (host) an item comes from; this server's own domain
    /// means local items.
    pub instance: Option<String>,
    /// BCP 47 language, as stored.
    pub language: Option<String>,
    /// Licence, as stored.
    pub license: Option<String>,
    /// Tag.
    pub tag: Option<String>,
    /// Dataset theme URI.
    pub theme: Option<String>,
}

/// One hit.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// The item.
    pub item: Item,
    /// Its text around the matched words, as HTML with `<mark>`.
    pub snippet: Option<String>,
}

/// Counts per value of each facet, over the ranked matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    /// By kind.
    pub kind: BTreeMap<String, u64>,
    /// By agency: slug for local ones, `user@host` for others.
    pub agency: BTreeMap<String, u64>,
    /// By instance (host).
    pub instance: BTreeMap<String, u64>,
    /// By language.
    pub language: BTreeMap<String, u64>,
    /// By licence.
    pub license: BTreeMap<String, u64>,
    /// By tag.
    pub tag: BTreeMap<String, u64>,
    /// By dataset theme.
    pub theme: BTreeMap<String, u64>,
}

/// A page of results.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// Every item that matches.
    pub total: u64,
    /// The hits on this page, best first.
    pub hits: Vec<SearchHit>,
    /// Facet counts over the best [`CANDIDATES`] matches (all of them when
    /// there are no more).
    pub facets: Facets,
    /// Whether there were more matches than were ranked.
    pub capped: bool,
}

/// A ranked match with what its facets count.
#[derive(Debug, FromQueryResult)]
pub(super) struct Candidate {
    pub(super) id: i64,
    pub(super) kind: String,
    pub(super) language: String,
    pub(super) license: Option<String>,
    pub(super) agency_slug: Option<String>,
    pub(super) remote_user: Option<String>,
    pub(super) remote_domain: Option<String>,
    pub(super) remote_ap_id: Option<String>,
    pub(super) themes: String,
}

#[derive(Debug, FromQueryResult)]
pub(super) struct Count {
    pub(super) n: i64,
}

impl Store {
    /// Searches items. An empty query (nothing but function words or
    /// exclusions) finds nothing.
    pub async fn search_items(
        &self,
        query: &SearchQuery,
        filter: &SearchFilter,
        page: u64,
        per_page: u64,
    ) -> Result<SearchResults, StoreError> {
        if query.is_empty() {
            return Ok(SearchResults::default());
        }
        let backend = self.backend();
        let local_domain = self.get_instance().await?.map(|i| i.domain);
        let mut p = Params::new(backend);
        let (from, matches, score, themes) = match backend {
            DbBackend::Postgres => {
                let q = p.push(tsquery(query));
                (
                    format!(
                        "item_search s CROSS JOIN to_tsquery('simple', {q}) q \
                         JOIN item i ON i.id = s.item_id"
                    ),
                    "s.tsv @@ q".to_owned(),
                    "ts_rank(s.tsv, q)::float8".to_owned(),
                    "s.themes",
                )
            }
            _ => {
                let q = p.push(fts5_match(query));
                (
                    "item_search JOIN item i ON i.id = item_search.rowid".to_owned(),
                    format!("item_search MATCH {q}"),
                    // bm25 is better when lower; weights per column.
                    "-bm25(item_search, 10.0, 10.0, 4.0, 1.0)".to_owned(),
                    "item_search.themes",
                )
            }
        };
        let mut filters = String::new();
        if let Some(kind) = &filter.kind {
            filters.push_str(&format!(" AND i.kind = {}", p.push(kind.as_str())));
        }
        if let Some(language) = &filter.language {
            filters.push_str(&format!(" AND i.language = {}", p.push(language.as_str())));
        }
        if let Some(license) = &filter.license {
            filters.push_str(&format!(" AND i.license = {}", p.push(license.as_str())));
        }
        if let Some(agency) = &filter.agency {
            match agency.split_once('@') {
                Some((user, host)) => {
                    let user = p.push(user);
                    let host = p.push(host.to_ascii_lowercase());
                    filters.push_str(&format!(
                        " AND r.preferred_username = {user} AND r.domain = {host}"
                    ));
                }
                None => filters.push_str(&format!(" AND a.slug = {}", p.push(agency.as_str()))),
            }
        }
        if let Some(instance) = &filter.instance {
            if local_domain
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(instance))
            {
                filters.push_str(" AND i.agency_id IS NOT NULL");
            } else {
                let host = p.push(instance.to_ascii_lowercase());
                filters.push_str(&format!(" AND r.domain = {host}"));
            }
        }
        if let Some(tag) = &filter.tag {
            let tag = p.push(tag.as_str());
            filters.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM item_tag t WHERE t.item_id = i.id AND t.tag = {tag})"
            ));
        }
        if let Some(theme) = &filter.theme {
            let escaped = theme
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = p.push(format!("% {escaped} %"));
            filters.push_str(&format!(" AND {themes} LIKE {pattern} ESCAPE '\\'"));
        }
        let joins = "LEFT JOIN agency a ON a.id = i.agency_id \
                     LEFT JOIN remote_actor r ON r.id = i.remote_actor_id";
        let where_ = format!("WHERE {matches} AND i.deleted_at IS NULL{filters}");
        let count_values = p.values.clone();
        let limit = p.push(CANDIDATES as i64);
        let sql = format!(
            "SELECT i.id AS id, i.kind AS kind, i.language AS language, i.license AS license, \
             a.slug AS agency_slug, r.preferred_username AS remote_user, \
             r.domain AS remote_domain, r.ap_id AS remote_ap_id, {themes} AS themes \
             FROM {from} {joins} {where_} ORDER BY {score} DESC, i.id DESC LIMIT {limit}"
        );
        let candidates =
            Candidate::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values))
                .all(self.db())
                .await?;
        let capped = candidates.len() >= CANDIDATES;
        let before = candidates.len();
        let candidates = self.without_refused_hosts(candidates).await?;
        let refused = (before - candidates.len()) as u64;
        let total = if capped {
            let sql = format!("SELECT COUNT(*) AS n FROM {from} {joins} {where_}");
            Count::find_by_statement(Statement::from_sql_and_values(backend, sql, count_values))
                .one(self.db())
                .await?
                .map_or(0, |c| u64::try_from(c.n).unwrap_or(0))
                .saturating_sub(refused)
        } else {
            candidates.len() as u64
        };
        let facets = self
            .facets(&candidates, local_domain.as_deref().unwrap_or_default())
            .await?;
        let per_page = per_page.max(1);
        let skip = usize::try_from(page.max(1).saturating_sub(1).saturating_mul(per_page))
            .unwrap_or(usize::MAX);
        let page_ids: Vec<i64> = candidates
            .iter()
            .skip(skip)
            .take(usize::try_from(per_page).unwrap_or(usize::MAX))
            .map(|c| c.id)
            .collect();
        let mut items: HashMap<i64, Item> = self
            .get_items(&page_ids)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let (stems, prefixes) = query.wanted();
        let hits = page_ids
            .iter()
            .filter_map(|id| items.remove(id))
            .map(|item| {
                let text = format!("{}\n{}", item.summary, plain_text(&item.body_html));
                let snippet = snippet(
                    &text,
                    Stemming::for_language(&item.language),
                    &stems,
                    &prefixes,
                );
                SearchHit { item, snippet }
            })
            .collect();
        Ok(SearchResults {
            total,
            hits,
            facets,
            capped,
        })
    }
}
