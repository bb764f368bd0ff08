//! Minimal HTML pages for people who open an agency's or item's URL, with
//! OpenGraph tags so Mastodon builds a preview card for a shared link.

use crate::{error::ApiError, state::AppState};
use actix_web::HttpResponse;
use deling_store::{
    queries::item::ItemCounts,
    records::{Agency, Item, ItemOwner},
};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(lang: &str, title: &str, head: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Vary", "Accept"))
        .body(format!(
            "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{}</title>{head}</head><body>{body}</body></html>",
            escape(lang),
            escape(title)
        ))
}

/// An agency's profile page.
pub async fn agency_page(state: &AppState, agency: &Agency) -> Result<HttpResponse, ApiError> {
    let items = state
        .store
        .list_items(
            &deling_store::ItemFilter {
                agency: Some(agency.slug.clone()),
                ..Default::default()
            },
            1,
            20,
        )
        .await?;
    let actor = state.urls.agency(&agency.slug);
    let entry = |i: &Item| {
        format!(
            "<li><a href=\"{}\">{}</a> <small>({}, {})</small></li>",
            escape(state.urls.item(i.id).as_str()),
            escape(&i.title),
            escape(&i.kind),
            i.published_at.format("%Y-%m-%d")
        )
    };
    let pinned: String = state
        .store
        .list_pinned_items(agency.id)
        .await?
        .iter()
        .map(entry)
        .collect();
    let pinned = if pinned.is_empty() {
        String::new()
    } else {
        format!("<h2>Pinned</h2><ul>{pinned}</ul>")
    };
    let list: String = items.items.iter().map(entry).collect();
    let icon = agency.icon_url.as_deref().map(escape);
    let head = format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{}\">\
         <meta property=\"og:title\" content=\"{}\"><meta property=\"og:type\" content=\"profile\">\
         <meta property=\"og:site_name\" content=\"{}\">{}",
        escape(actor.as_str()),
        escape(&agency.name),
        escape(&state.settings.instance_name),
        icon.as_deref()
            .map(|u| format!("<meta property=\"og:image\" content=\"{u}\">"))
            .unwrap_or_default()
    );
    let logo = icon
        .map(|u| format!("<img src=\"{u}\" alt=\"\" width=\"96\" height=\"96\">"))
        .unwrap_or_default();
    let website = agency
        .website
        .as_deref()
        .map(|w| {
            let w = escape(w);
            format!("<p><a href=\"{w}\" rel=\"me nofollow noopener noreferrer\">{w}</a></p>")
        })
        .unwrap_or_default();
    let body = format!(
        "{logo}<h1>{}</h1><p>Follow from Mastodon or any fediverse server: <code>{}</code></p>{}{website}\
         {pinned}<h2>Shared items ({})</h2><ul>{}</ul>",
        escape(&agency.name),
        escape(&state.handle(&agency.slug)),
        agency.summary_html,
        items.total,
        list
    );
    Ok(page("en", &agency.name, &head, &body))
}

/// A local item's page.
pub async fn item_page(
    state: &AppState,
    item: &Item,
    counts: ItemCounts,
) -> Result<HttpResponse, ApiError> {
    let (slug, agency_name) = match &item.owner {
        ItemOwner::Local { slug, name, .. } => (slug.clone(), name.clone()),
        ItemOwner::Remote { .. } => return Err(ApiError::NotFound(format!("no item {}", item.id))),
    };
    let url = state.urls.item(item.id);
    let head = format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{url}\">\
         <meta name=\"description\" content=\"{summary}\">\
         <meta property=\"og:title\" content=\"{title}\"><meta property=\"og:description\" content=\"{summary}\">\
         <meta property=\"og:url\" content=\"{url}\"><meta property=\"og:type\" content=\"article\">\
         <meta property=\"og:site_name\" content=\"{site}\">\
         <meta property=\"article:published_time\" content=\"{published}\">",
        url = escape(url.as_str()),
        summary = escape(&item.summary),
        title = escape(&item.title),
        site = escape(&state.settings.instance_name),
        published = item.published_at.to_rfc3339(),
    );
    let tags: String = item
        .tags
        .iter()
        .map(|t| format!("<li>#{}</li>", escape(t)))
        .collect();
    let links: String = item
        .links
        .iter()
        .map(|l| {
            format!(
                "<li><a href=\"{}\" rel=\"nofollow noopener noreferrer\">{}</a></li>",
                escape(&l.href),
                escape(l.title.as_deref().unwrap_or(&l.href))
            )
        })
        .collect();
    let body = format!(
        "<article><p><a href=\"{agency_url}\">{agency}</a> · {kind} · {published}</p>\
         <h1>{title}</h1><p><strong>{summary}</strong></p>{body}\
         <ul>{tags}</ul><ul>{links}</ul>\
         <p>License: {license} · {likes} likes · {shares} boosts · {comments} comments</p></article>",
        agency_url = escape(state.urls.agency(&slug).as_str()),
        agency = escape(&agency_name),
        kind = escape(&item.kind),
        published = item.published_at.format("%Y-%m-%d"),
        title = escape(&item.title),
        summary = escape(&item.summary),
        body = item.body_html,
        license = escape(item.license.as_deref().unwrap_or("not stated")),
        likes = counts.likes,
        shares = counts.shares,
        comments = counts.comments,
    );
    Ok(page(&item.language, &item.title, &head, &body))
}
