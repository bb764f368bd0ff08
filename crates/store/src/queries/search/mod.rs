//! Full-text search over items, local and federated: keeping the index in
//! step with the items (in the transaction that changes them) and running
//! a parsed [`SearchQuery`] with filters and facets.
//!
//! The index holds terms made in Rust (`deling_domain::search`); SQLite
//! matches them with FTS5 and ranks with bm25, PostgreSQL with a `tsvector`
//! under a GIN index and `ts_rank`, both weighing title and tags above the
//! summary above the body. At most [`CANDIDATES`] of the newest matches
//! are read, ranked, paged and counted into facets, and matches are
//! counted up to [`COUNTED`], so a term that is in every item costs about
//! what one in a tenth does, however large the catalogue.
//!
//! `index` keeps the index, `syntax` turns a query into each database's
//! match syntax, `facets` counts and filters the ranked matches.

mod facets;
mod index;
mod plan;
mod syntax;

pub(crate) use index::{index_item, unindex, unindex_owner};

use crate::{Store, StoreError, records::Item};
use deling_domain::search::{SearchQuery, Stemming, document::plain_text, snippet::snippet};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, TransactionTrait};
use std::collections::{BTreeMap, HashMap};

/// The newest matches ranked, paged and counted into facets, at most.
pub const CANDIDATES: usize = 1000;

/// Matches counted, at most; past it `total` is a lower bound.
pub const COUNTED: usize = 10_000;

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
    /// Facet counts over the newest [`CANDIDATES`] matches (all of them when
    /// there are no more).
    pub facets: Facets,
    /// Whether there were more matches than were ranked.
    pub capped: bool,
    /// Whether `total` is exact; when not, at least [`COUNTED`] matched.
    pub total_exact: bool,
}

/// A ranked match with what its facets count: a row (PostgreSQL) or an
/// element of the JSON array the candidates come in (SQLite; its fields
/// in order).
#[derive(Debug, FromQueryResult, serde::Deserialize)]
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
    pub(super) score: f64,
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
            // Nothing, exactly: `total_exact: false` would say "more than
            // COUNTED".
            return Ok(SearchResults {
                total_exact: true,
                ..SearchResults::default()
            });
        }
        let backend = self.backend();
        let local_domain = self.get_instance().await?.map(|i| i.domain);
        let plan = plan::plan(backend, query, filter, local_domain.as_deref());
        // Prepared statements would get PostgreSQL's generic plan, which
        // cannot see how common the words are: it then reads the index in
        // id order for a rare word too. Custom plans, for this search only.
        let txn = self.reader().begin().await?;
        if backend == DbBackend::Postgres {
            txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
                .await?;
        }
        let mut probed = false;
        let mut candidates = match plan.probe {
            Some(probe) => {
                let found = read_candidates(&txn, probe).await?;
                probed = found.len() >= CANDIDATES;
                if probed {
                    found
                } else {
                    read_candidates(&txn, plan.candidates).await?
                }
            }
            None => read_candidates(&txn, plan.candidates).await?,
        };
        if probed {
            // The prefix is common among the newest items, which
            // PostgreSQL does not know: count in a plain read that stops
            // at the bound, rather than read every match from the index.
            txn.execute_unprepared("SET LOCAL enable_bitmapscan = off")
                .await?;
        }
        let capped = candidates.len() >= CANDIDATES;
        // Counting stops at COUNTED: past that, an exact figure costs a
        // read of every match and tells a person nothing more.
        let counted = if capped {
            let n = Count::find_by_statement(plan.count)
                .one(&txn)
                .await?
                .map_or(0, |c| u64::try_from(c.n).unwrap_or(0));
            Some(n)
        } else {
            None
        };
        txn.commit().await?;
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.id.cmp(&a.id)));
        let before = candidates.len();
        let candidates = self.without_refused_hosts(candidates).await?;
        let refused = (before - candidates.len()) as u64;
        let (total, total_exact) = match counted {
            Some(n) => (
                n.min(COUNTED as u64).saturating_sub(refused),
                n <= COUNTED as u64,
            ),
            None => (candidates.len() as u64, true),
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
            total_exact,
        })
    }
}

/// The candidates a [`plan::Plan`] statement reads: a row each on
/// PostgreSQL, gathered into one row on SQLite.
async fn read_candidates(
    db: &impl ConnectionTrait,
    statement: sea_orm::Statement,
) -> Result<Vec<Candidate>, StoreError> {
    if db.get_database_backend() == DbBackend::Postgres {
        return Ok(Candidate::find_by_statement(statement).all(db).await?);
    }
    crate::queries::params::json_rows(db, statement, "candidates").await
}
