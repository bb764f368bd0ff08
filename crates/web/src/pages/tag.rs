//! A tag's page (`GET /tags/{tag}`): the items of this server's catalogue
//! (its own and followed agencies') with that tag, by kind and page.

use super::{
    ctx::{Chrome, Ctx, FeedLink},
    errors::{self, Problem},
    item::tag_path,
    views::{ItemCard, KindLink, Listing, PER_PAGE, Pager, kind_links, list_query},
};
use crate::{error::ApiError, state::AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use deling_domain::item::Tag;
use deling_store::{ItemFilter, queries::item::Origin};

#[derive(Template)]
#[template(path = "tag.html")]
struct TagPage {
    c: Chrome,
    heading: String,
    total_label: String,
    items: Vec<ItemCard>,
    kinds: Vec<KindLink>,
    pager: Pager,
}

/// `GET /tags/{tag}`.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    tag: web::Path<String>,
) -> HttpResponse {
    let ctx = Ctx::new(state, &req);
    let (Ok(tag), Some(listing)) = (Tag::parse(&tag), list_query(&req)) else {
        return errors::page(&ctx, Problem::BadRequest);
    };
    match build(&ctx, &tag, listing).await {
        Ok(p) => ctx.ok(&p),
        Err(e) => errors::from_api(&ctx, e),
    }
}

async fn build(ctx: &Ctx, tag: &Tag, l: Listing) -> Result<TagPage, ApiError> {
    let (state, t) = (&ctx.state, ctx.t);
    let filter = ItemFilter {
        tag: Some(tag.as_str().to_owned()),
        kind: l.kind.map(|k| k.as_str().to_owned()),
        origin: Origin::All,
        ..Default::default()
    };
    let items = state.store.list_items(&filter, l.page, PER_PAGE).await?;
    let path = tag_path(tag.as_str());
    let heading = t.msg_with("tag-title", &[("tag", tag.as_str())]);
    let mut c = ctx.chrome(heading.clone());
    c.feeds.push(FeedLink {
        title: t.msg_with("feed-tag", &[("tag", tag.as_str())]),
        href: state
            .urls
            .base()
            .join(&format!("{}/feed.atom", &path[1..]))
            .map(|u| u.to_string())
            .unwrap_or_default(),
    });
    let kind = l.kind.map(|k| k.as_str());
    let extra: Vec<(&str, &str)> = kind.map(|k| ("kind", k)).into_iter().collect();
    Ok(TagPage {
        c,
        heading,
        total_label: t.msg_n("items-total", items.total),
        items: items
            .items
            .iter()
            .map(|i| ItemCard::new(state, t, i))
            .collect(),
        kinds: kind_links(t, &path, l.kind),
        pager: Pager::new(t, &path, &extra, l.page, PER_PAGE, items.total),
    })
}
