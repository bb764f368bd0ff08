//! An agency's page, served at its actor URL to browsers: logo and
//! profile, how to follow it from the fediverse, pinned items, its items
//! by page and kind, and whom it follows.

use super::{
    ctx::{Chrome, Ctx, FeedLink},
    errors::{self, Problem},
    views::{
        ItemCard, KindLink, Listing, PER_PAGE, Pager, image_href, kind_links, list_query, web_href,
    },
};
use crate::error::ApiError;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use deling_store::{ItemFilter, queries::follow::FOLLOWING_ACCEPTED, records::Agency};

/// An actor the agency follows.
struct Followed {
    name: String,
    handle: Option<String>,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    c: Chrome,
    name: String,
    actor_url: String,
    description: String,
    summary_html: String,
    logo: Option<String>,
    website: Option<String>,
    org_number: Option<String>,
    handle: String,
    moved_to: Option<String>,
    pinned: Vec<ItemCard>,
    items: Vec<ItemCard>,
    total_label: String,
    kinds: Vec<KindLink>,
    pager: Pager,
    following: Vec<Followed>,
    followers_label: String,
}

/// The HTML page of `agency` (already known to exist and not be withdrawn).
pub async fn page(ctx: &Ctx, req: &HttpRequest, agency: &Agency) -> HttpResponse {
    let Some(listing) = list_query(req) else {
        return errors::page(ctx, Problem::BadRequest);
    };
    match build(ctx, agency, listing).await {
        Ok(p) => ctx.ok(&p),
        Err(e) => errors::from_api(ctx, e),
    }
}

async fn build(ctx: &Ctx, agency: &Agency, l: Listing) -> Result<AgencyPage, ApiError> {
    let (state, t) = (&ctx.state, ctx.t);
    let actor_url = state.urls.agency(&agency.slug).to_string();
    let filter = ItemFilter {
        agency: Some(agency.slug.clone()),
        kind: l.kind.map(|k| k.as_str().to_owned()),
        ..Default::default()
    };
    let items = state.store.list_items(&filter, l.page, PER_PAGE).await?;
    // Pinned items lead the first page of the unfiltered list only.
    let pinned = if l.page == 1 && l.kind.is_none() {
        state.store.list_pinned_items(agency.id).await?
    } else {
        vec![]
    };
    let following = state
        .store
        .list_following(agency.id)
        .await?
        .into_iter()
        .filter(|f| f.state == FOLLOWING_ACCEPTED)
        .map(|f| {
            let handle = deling_store::records::handle_of(&f.actor);
            Followed {
                name: f
                    .actor
                    .name
                    .clone()
                    .or_else(|| handle.clone())
                    .unwrap_or_else(|| f.actor.ap_id.clone()),
                href: f
                    .actor
                    .url
                    .as_deref()
                    .and_then(web_href)
                    .or_else(|| web_href(&f.actor.ap_id)),
                handle,
            }
        })
        .collect();
    let followers = state.store.count_followers(agency.id).await?;
    let kind = l.kind.map(|k| k.as_str());
    let extra: Vec<(&str, &str)> = kind.map(|k| ("kind", k)).into_iter().collect();
    let mut c = ctx.chrome(agency.name.clone());
    c.feeds.push(FeedLink {
        title: t.msg_with("feed-agency", &[("name", &agency.name)]),
        href: format!("{actor_url}/feed.atom"),
    });
    let path = state.urls.agency(&agency.slug).path().to_owned();
    Ok(AgencyPage {
        c,
        name: agency.name.clone(),
        description: agency.summary.trim().to_owned(),
        summary_html: agency.summary_html.clone(),
        logo: agency.icon_url.as_deref().and_then(image_href),
        website: agency.website.as_deref().and_then(web_href),
        org_number: agency.org_number.clone(),
        handle: state.handle(&agency.slug),
        moved_to: agency.moved_to.as_deref().and_then(web_href),
        pinned: pinned.iter().map(|i| ItemCard::new(state, t, i)).collect(),
        total_label: t.msg_n("items-total", items.total),
        items: items
            .items
            .iter()
            .map(|i| ItemCard::new(state, t, i))
            .collect(),
        kinds: kind_links(t, &path, l.kind),
        pager: Pager::new(t, &path, &extra, l.page, PER_PAGE, items.total),
        following,
        followers_label: t.msg_n("agency-followers", followers),
        actor_url,
    })
}
