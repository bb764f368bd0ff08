//! The search page (`GET /search?q=`): the search box's results, from the
//! same index and ranking as `GET /api/v1/search` (this server's
//! catalogue: its own items and those of followed agencies), rendered
//! here; the kind filter and pages as on the other listings.

use super::{
    ctx::{Chrome, Ctx},
    errors::{self, Problem},
    views::{ItemCard, KindLink, PER_PAGE, Pager, kind_links},
};
use crate::{
    ratelimit::{ip_key, too_many},
    state::AppState,
};
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use deling_domain::search::{QueryError, SearchQuery};
use deling_store::queries::search::SearchFilter;
use serde::Deserialize;

/// Pages past this are past the ranked matches (as in the API).
const MAX_PAGE: u64 = 50;

#[derive(Debug, Default, Deserialize)]
struct Params {
    q: Option<String>,
    kind: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    asked: bool,
    problem: Option<String>,
    total_label: String,
    capped: bool,
    items: Vec<ItemCard>,
    kinds: Vec<KindLink>,
    pager: Pager,
}

fn query_problem(e: &QueryError) -> &'static str {
    match e {
        QueryError::TooLong => "search-error-too-long",
        QueryError::UnbalancedQuote => "search-error-quote",
        QueryError::WordTooLong => "search-error-word",
        QueryError::TooManyClauses => "search-error-clauses",
        QueryError::PrefixTooShort => "search-error-prefix",
    }
}

/// `GET /search`.
pub async fn page(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let ctx = Ctx::new(state, &req);
    let Ok(params) = web::Query::<Params>::from_query(req.query_string()) else {
        return errors::page(&ctx, Problem::BadRequest);
    };
    let listing = super::views::ListQuery {
        kind: params.kind.clone(),
        page: params.page.clone(),
    }
    .parse()
    .filter(|l| l.page <= MAX_PAGE);
    let Some(listing) = listing else {
        return errors::page(&ctx, Problem::BadRequest);
    };
    let t = ctx.t;
    let q = params.q.clone().unwrap_or_default();
    let mut c = ctx.chrome(t.msg("search-title"));
    c.query = q.clone();
    c.site_search = false;
    let kind = listing.kind.map(|k| k.as_str());
    let mut extra = vec![("q", q.as_str())];
    extra.extend(kind.map(|k| ("kind", k)));
    let base = "/search";
    let mut page = SearchPage {
        kinds: kind_links(t, base, listing.kind)
            .into_iter()
            .map(|mut k| {
                // Keep the words when the filter changes.
                let sep = if k.href.contains('?') { '&' } else { '?' };
                let words = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", &q)
                    .finish();
                k.href = format!("{}{sep}{words}", k.href);
                k
            })
            .collect(),
        c,
        asked: !q.trim().is_empty(),
        problem: None,
        total_label: String::new(),
        capped: false,
        items: vec![],
        pager: Pager::default(),
    };
    if !page.asked {
        return ctx.ok(&page);
    }
    let query = match SearchQuery::parse(&q) {
        Ok(query) => query,
        Err(e) => {
            page.problem = Some(t.msg(query_problem(&e)));
            return ctx.render(StatusCode::BAD_REQUEST, &page);
        }
    };
    let state = &ctx.state;
    if let Err(wait) = state
        .limiters
        .search_per_ip
        .check(&ip_key(state.client_ip(&req)))
    {
        return errors::from_api(&ctx, too_many("too many searches", wait));
    }
    let filter = SearchFilter {
        kind: kind.map(str::to_owned),
        ..Default::default()
    };
    let found = match state
        .store
        .search_items(&query, &filter, listing.page, PER_PAGE)
        .await
    {
        Ok(found) => found,
        Err(e) => return errors::from_api(&ctx, e.into()),
    };
    page.total_label = t.msg_n("search-found", found.total);
    page.capped = found.capped;
    page.pager = Pager::new(t, base, &extra, listing.page, PER_PAGE, found.total);
    page.items = found
        .hits
        .into_iter()
        .map(|h| {
            let mut card = ItemCard::new(state, t, &h.item);
            card.snippet = h.snippet;
            card
        })
        .collect();
    ctx.ok(&page)
}
