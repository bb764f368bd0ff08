//! Full-text search over the catalogue (local items and those of followed
//! agencies): `GET /api/v1/search`, with filters and facets; with
//! `peers=true` peers are asked too (`search_peers`).

use super::search_peers::{self, PeerItemView, PeerReportView};
use crate::{
    cache::{self, Key},
    dto::ItemView,
    error::{ApiError, Problem},
    ratelimit::{ip_key, too_many},
    state::AppState,
};
use actix_web::{HttpRequest, HttpResponse, web};
use deling_domain::{item::ItemKind, item::Tag, language::Language, search::SearchQuery};
use deling_federation::search_peers::PEER_SEARCH_HEADER;
use deling_store::queries::search::{Facets, SearchFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

pub(super) const PER_PAGE: u64 = 20;
/// Pages past this are past the ranked matches anyway (`CANDIDATES` / 20).
const MAX_PAGE: u64 = 50;

/// Query of `GET /api/v1/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for: words, `"a phrase"`, `prefix*`, `-excluded`.
    pub q: String,
    /// Only this kind.
    #[param(value_type = Option<crate::dto::ItemKindName>)]
    pub kind: Option<String>,
    /// Only this agency: a local slug, or `user@host` for another server's.
    pub agency: Option<String>,
    /// Only items from this instance (host).
    pub instance: Option<String>,
    /// Only this language (BCP 47).
    pub language: Option<String>,
    /// Only this licence (as shown in `facets.license`).
    pub license: Option<String>,
    /// Only items with this tag.
    pub tag: Option<String>,
    /// Only datasets with this theme (a URI).
    pub theme: Option<String>,
    /// Page number, 1 to 50 (20 per page, from each instance asked).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 50)]
    pub page: Option<String>,
    /// `true`: also ask peer instances (see the API guide); ignored in a
    /// search that a peer sent.
    #[param(value_type = Option<bool>)]
    pub peers: Option<String>,
}

/// An item a search found: stored here, or (with `peers=true`) held by a
/// peer that answered.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum HitItem {
    /// Stored here (a local item, or one of a followed agency).
    Here(Box<ItemView>),
    /// Found by a peer.
    Peer(Box<PeerItemView>),
}

/// One hit: the item, and its text around the matched words.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitView {
    /// The item.
    #[serde(flatten)]
    pub item: HitItem,
    /// HTML: a piece of the summary or body with each matched word in
    /// `<mark>`, everything else escaped; absent when only the title or
    /// tags matched.
    pub snippet: Option<String>,
    /// The instance (host) whose search found it: this one's domain for
    /// items stored here, a peer's for items only a peer holds.
    pub instance: String,
}

/// Counts per value of each facet.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsView {
    /// By kind.
    pub kind: BTreeMap<String, u64>,
    /// By agency (local slug, or `user@host`).
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

impl From<Facets> for FacetsView {
    fn from(f: Facets) -> Self {
        Self {
            kind: f.kind,
            agency: f.agency,
            instance: f.instance,
            language: f.language,
            license: f.license,
            tag: f.tag,
            theme: f.theme,
        }
    }
}

/// A page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResultsView {
    /// Every item that matches; when `total_exact` is false, a lower bound
    /// (counting stops at 10,000).
    pub total: u64,
    /// Whether `total` is exact.
    pub total_exact: bool,
    /// This page, from 1.
    pub page: u64,
    /// Hits per page.
    pub per_page: u64,
    /// The hits, best first.
    pub items: Vec<SearchHitView>,
    /// Counts over the newest 1,000 matches (all of them, unless `capped`).
    pub facets: FacetsView,
    /// More items matched than were ranked (the newest 1,000 are): narrow
    /// the query or filter.
    pub capped: bool,
    /// With `peers=true`: each peer considered, and how asking it went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peers: Option<Vec<PeerReportView>>,
}

fn bad(field: &str, problem: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(format!("query parameter {field}: {problem}"))
}

/// Searches the catalogue; with `peers=true`, peers' catalogues too.
#[utoipa::path(get, operation_id = "search", path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchResultsView), (status = 400, body = Problem),
        (status = 429, body = Problem)))]
pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    state
        .limiters
        .search_per_ip
        .check(&ip_key(state.client_ip(&req)))
        .map_err(|wait| too_many("too many searches from this address", wait))?;
    let q = q.into_inner();
    let query = SearchQuery::parse(&q.q).map_err(|e| bad("q", e))?;
    let ask_peers = match q.peers.as_deref().map(str::trim) {
        None | Some("false" | "0") => false,
        Some("true" | "1") => true,
        Some(_) => return Err(bad("peers", "must be true or false")),
    };
    // A peer's search never asks further, so searches cannot go round.
    let ask_peers = ask_peers && !req.headers().contains_key(PEER_SEARCH_HEADER);
    let page = match q.page.as_deref().map(str::trim) {
        None => 1,
        Some(p) => p
            .parse::<u64>()
            .ok()
            .filter(|p| (1..=MAX_PAGE).contains(p))
            .ok_or_else(|| {
                bad(
                    "page",
                    format!("must be a whole number from 1 to {MAX_PAGE}"),
                )
            })?,
    };
    let peer_query = ask_peers.then(|| search_peers::query_of(&q, page));
    let filter = SearchFilter {
        kind: q
            .kind
            .map(|k| k.parse::<ItemKind>().map(|k| k.as_str().to_owned()))
            .transpose()
            .map_err(|e| bad("kind", e))?,
        agency: q
            .agency
            .map(|a| a.trim().trim_start_matches('@').to_owned()),
        instance: q.instance.map(|i| i.trim().to_ascii_lowercase()),
        language: q
            .language
            .map(|l| Language::parse(&l).map(|l| l.to_string()))
            .transpose()
            .map_err(|e| bad("language", e))?,
        license: q.license.map(|l| l.trim().to_owned()),
        tag: q
            .tag
            .map(|t| Tag::parse(&t).map(|t| t.as_str().to_owned()))
            .transpose()
            .map_err(|e| bad("tag", e))?,
        theme: q.theme.map(|t| t.trim().to_owned()),
    };
    let local = local_search(&state, &query, &filter, page);
    let view = match peer_query {
        // This instance's answer alone: the same for everyone who asks
        // the same (the rate limit above still counts each request).
        None => {
            let key = Key::Search(req.query_string().to_owned());
            let answer = async { Ok(HttpResponse::Ok().json(local.await?)) };
            return cache::serve(&state, key, answer).await;
        }
        Some(peer_query) => {
            // Peers are asked while the local search runs; neither waits
            // for the other, and peers get no longer than the timeout.
            let (local, asked) = tokio::join!(local, search_peers::ask(&state, &peer_query));
            search_peers::merge(local?, asked)
        }
    };
    Ok(HttpResponse::Ok().json(view))
}

/// This instance's own page of results.
async fn local_search(
    state: &AppState,
    query: &SearchQuery,
    filter: &SearchFilter,
    page: u64,
) -> Result<SearchResultsView, ApiError> {
    let results = state
        .store
        .search_items(query, filter, page, PER_PAGE)
        .await?;
    let ids: Vec<i64> = results.hits.iter().map(|h| h.item.id).collect();
    let counts = state.store.count_reactions_of(&ids).await?;
    Ok(SearchResultsView {
        total: results.total,
        total_exact: results.total_exact,
        page,
        per_page: PER_PAGE,
        items: results
            .hits
            .into_iter()
            .map(|h| {
                let c = counts.get(&h.item.id).copied().unwrap_or_default();
                SearchHitView {
                    item: HitItem::Here(Box::new(ItemView::new(state, h.item, c))),
                    snippet: h.snippet,
                    instance: state.settings.domain.to_ascii_lowercase(),
                }
            })
            .collect(),
        facets: results.facets.into(),
        capped: results.capped,
        peers: None,
    })
}
