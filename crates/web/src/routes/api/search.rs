//! Full-text search over the catalogue (local items and those of followed
//! agencies): `GET /api/v1/search`, with filters and facets.

use crate::{
    dto::ItemView,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_domain::{item::ItemKind, item::Tag, language::Language, search::SearchQuery};
use deling_store::queries::search::{Facets, SearchFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

const PER_PAGE: u64 = 20;
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
    /// Page number, from 1 (20 per page).
    #[param(value_type = Option<u64>)]
    pub page: Option<String>,
}

/// One hit: the item, and its text around the matched words.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitView {
    /// The item.
    #[serde(flatten)]
    pub item: ItemView,
    /// HTML: a piece of the summary or body with each matched word in
    /// `<mark>`, everything else escaped; absent when only the title or
    /// tags matched.
    pub snippet: Option<String>,
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
    /// Every item that matches.
    pub total: u64,
    /// This page, from 1.
    pub page: u64,
    /// Hits per page.
    pub per_page: u64,
    /// The hits, best first.
    pub items: Vec<SearchHitView>,
    /// Counts over the best 1,000 matches (all of them, unless `capped`).
    pub facets: FacetsView,
    /// More items matched than were ranked: narrow the query or filter.
    pub capped: bool,
}

fn bad(field: &str, problem: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(format!("query parameter {field}: {problem}"))
}

/// Searches the catalogue.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchResultsView), (status = 400, body = Problem)))]
pub async fn search(
    state: web::Data<AppState>,
    q: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let query = SearchQuery::parse(&q.q).map_err(|e| bad("q", e))?;
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
    let results = state
        .store
        .search_items(&query, &filter, page, PER_PAGE)
        .await?;
    let ids: Vec<i64> = results.hits.iter().map(|h| h.item.id).collect();
    let counts = state.store.count_reactions_of(&ids).await?;
    Ok(HttpResponse::Ok().json(SearchResultsView {
        total: results.total,
        page,
        per_page: PER_PAGE,
        items: results
            .hits
            .into_iter()
            .map(|h| {
                let c = counts.get(&h.item.id).copied().unwrap_or_default();
                SearchHitView {
                    item: ItemView::new(&state, h.item, c),
                    snippet: h.snippet,
                }
            })
            .collect(),
        facets: results.facets.into(),
        capped: results.capped,
    }))
}
