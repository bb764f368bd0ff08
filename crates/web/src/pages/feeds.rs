//! Atom feeds (RFC 4287) of the newest items: the instance's own
//! (`/feed.atom`), an agency's (`/agencies/{slug}/feed.atom`) and a
//! tag's (`/tags/{tag}/feed.atom`, from the whole catalogue), written
//! with `atom_syndication`. Titles follow the visitor's language; each
//! entry carries its summary, its rendered body and its tags.

use super::{
    ctx::Ctx,
    errors::{self, Problem},
    item::tag_path,
    views::{remote_page, web_href},
};
use crate::{error::ApiError, lookup, state::AppState};
use actix_web::{HttpRequest, HttpResponse, http::header, web};
use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text};
use deling_domain::item::Tag;
use deling_store::{
    ItemFilter,
    queries::item::Origin,
    records::{Item, ItemOwner},
};

/// Entries in a feed.
const ENTRIES: u64 = 50;

/// The Atom media type.
pub const ATOM: &str = "application/atom+xml; charset=utf-8";

fn link(href: &str, rel: &str, mime: Option<&str>) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel);
    l.set_mime_type(mime.map(str::to_owned));
    l
}

fn entry(state: &AppState, item: &Item) -> Entry {
    let (id, page, author, author_uri) = match &item.owner {
        ItemOwner::Local { slug, name, .. } => {
            let url = state.urls.item(item.id).to_string();
            (
                url.clone(),
                Some(url),
                name.clone(),
                Some(state.urls.agency(slug).to_string()),
            )
        }
        ItemOwner::Remote {
            ap_id,
            handle,
            name,
            ..
        } => (
            item.ap_id
                .clone()
                .unwrap_or_else(|| format!("{ap_id}#item-{}", item.id)),
            remote_page(item),
            name.clone()
                .or_else(|| handle.clone())
                .unwrap_or_else(|| ap_id.clone()),
            web_href(ap_id),
        ),
    };
    let mut e = Entry::default();
    e.set_id(id);
    e.set_title(Text::plain(item.title.clone()));
    e.set_published(Some(item.published_at.fixed_offset()));
    e.set_updated(item.updated_at.fixed_offset());
    let mut person = Person::default();
    person.set_name(author);
    person.set_uri(author_uri);
    e.set_authors(vec![person]);
    if let Some(page) = page {
        e.set_links(vec![link(&page, "alternate", Some("text/html"))]);
    }
    e.set_summary(Some(Text::plain(item.summary.clone())));
    if !item.body_html.trim().is_empty() {
        let mut content = Content::default();
        content.set_content_type(Some("html".to_owned()));
        content.set_lang(Some(item.language.clone()));
        content.set_value(Some(item.body_html.clone()));
        e.set_content(Some(content));
    }
    e.set_categories(
        item.tags
            .iter()
            .map(|t| {
                let mut c = Category::default();
                c.set_term(t.clone());
                c
            })
            .collect::<Vec<_>>(),
    );
    e
}

/// The feed at `self_url` titled `title`, about the page `page_url`.
async fn feed(
    ctx: &Ctx,
    filter: ItemFilter,
    title: String,
    self_url: String,
    page_url: String,
) -> Result<HttpResponse, ApiError> {
    let state = &ctx.state;
    let items = state.store.list_items(&filter, 1, ENTRIES).await?;
    let mut f = Feed::default();
    f.set_title(Text::plain(title));
    f.set_id(self_url.clone());
    f.set_lang(Some(ctx.t.lang().code().to_owned()));
    // A feed is as new as its newest change; an empty one as the epoch,
    // so that it does not look changed on every fetch.
    let updated = items
        .items
        .iter()
        .map(|i| i.updated_at)
        .max()
        .unwrap_or_default();
    f.set_updated(updated.fixed_offset());
    f.set_links(vec![
        link(&self_url, "self", Some("application/atom+xml")),
        link(&page_url, "alternate", Some("text/html")),
    ]);
    f.set_entries(
        items
            .items
            .iter()
            .map(|i| entry(state, i))
            .collect::<Vec<_>>(),
    );
    Ok(HttpResponse::Ok()
        .content_type(ATOM)
        .insert_header((header::VARY, "Accept-Language, Cookie"))
        .body(f.to_string()))
}

fn absolute(state: &AppState, path: &str) -> String {
    state
        .urls
        .base()
        .join(path.trim_start_matches('/'))
        .map(|u| u.to_string())
        .unwrap_or_default()
}

/// `GET /feed.atom`: this instance's agencies' items.
pub async fn instance(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let ctx = Ctx::new(state, &req);
    let name = ctx.state.settings.instance_name.clone();
    let title = ctx.t.msg_with("feed-instance", &[("name", &name)]);
    let (self_url, page) = (
        absolute(&ctx.state, "/feed.atom"),
        absolute(&ctx.state, "/"),
    );
    let filter = ItemFilter::default();
    feed(&ctx, filter, title, self_url, page)
        .await
        .unwrap_or_else(|e| errors::from_api(&ctx, e))
}

/// `GET /agencies/{slug}/feed.atom`.
pub async fn agency(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> HttpResponse {
    let ctx = Ctx::new(state, &req);
    let agency = match lookup::agency(&ctx.state, &slug).await {
        Ok(a) => a,
        Err(e) => return errors::from_api(&ctx, e),
    };
    let page = ctx.state.urls.agency(&agency.slug).to_string();
    let title = ctx.t.msg_with("feed-agency", &[("name", &agency.name)]);
    let filter = ItemFilter {
        agency: Some(agency.slug.clone()),
        ..Default::default()
    };
    feed(&ctx, filter, title, format!("{page}/feed.atom"), page)
        .await
        .unwrap_or_else(|e| errors::from_api(&ctx, e))
}

/// `GET /tags/{tag}/feed.atom`.
pub async fn tag(
    state: web::Data<AppState>,
    req: HttpRequest,
    tag: web::Path<String>,
) -> HttpResponse {
    let ctx = Ctx::new(state, &req);
    let Ok(tag) = Tag::parse(&tag) else {
        return errors::page(&ctx, Problem::BadRequest);
    };
    let path = tag_path(tag.as_str());
    let title = ctx.t.msg_with("feed-tag", &[("tag", tag.as_str())]);
    let filter = ItemFilter {
        tag: Some(tag.as_str().to_owned()),
        origin: Origin::All,
        ..Default::default()
    };
    let (self_url, page) = (
        absolute(&ctx.state, &format!("{path}/feed.atom")),
        absolute(&ctx.state, &path),
    );
    feed(&ctx, filter, title, self_url, page)
        .await
        .unwrap_or_else(|e| errors::from_api(&ctx, e))
}
