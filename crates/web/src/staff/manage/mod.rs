//! Staff pages: the dashboard an agency's staff land on after logging in
//! ([`dashboard`]), whom an agency follows and who follows it
//! ([`following`]), the comments on its items and their moderation
//! ([`moderation`], [`thread`]), and its private messages, those held
//! from silenced hosts apart ([`messages`]).
//!
//! Every change goes through the same functions as the API's
//! (`routes::api::{federation, comments, admin::reports}`), so the rights
//! and effects are the API's; every read is bounded (the newest N).

pub mod dashboard;
pub mod following;
pub mod messages;
pub mod moderation;
pub mod thread;

use crate::{
    pages::{ctx::Ctx, views::web_href},
    state::AppState,
};
use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use deling_store::records::{CommentAuthor, RemoteActor, handle_of};

/// Registers this area's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/staff", web::get().to(dashboard::page))
        .route(
            "/staff/agencies/{slug}/following",
            web::get().to(following::page),
        )
        .route(
            "/staff/agencies/{slug}/following",
            web::post().to(following::follow),
        )
        .route(
            "/staff/agencies/{slug}/following/unfollow",
            web::post().to(following::unfollow),
        )
        .route(
            "/staff/agencies/{slug}/messages",
            web::get().to(messages::page),
        )
        .route(
            "/staff/agencies/{slug}/messages/held",
            web::get().to(messages::held),
        )
        .route(
            "/staff/agencies/{slug}/messages/{id}/{action}",
            web::post().to(messages::act),
        )
        .route("/staff/moderation", web::get().to(moderation::page))
        .route(
            "/staff/moderation/reports/{id}/resolve",
            web::post().to(moderation::resolve),
        )
        .route(
            "/staff/moderation/domain-blocks",
            web::post().to(moderation::block_domain),
        )
        .route(
            "/staff/moderation/blocks/remove",
            web::post().to(moderation::unblock),
        )
        .route("/staff/moderation/items/{id}", web::get().to(thread::page))
        .route(
            "/staff/moderation/items/{id}/reply",
            web::post().to(thread::reply),
        )
        .route(
            "/staff/moderation/comments/{id}/edit",
            web::get().to(thread::edit_form),
        )
        .route(
            "/staff/moderation/comments/{id}/edit",
            web::post().to(thread::edit),
        )
        .route(
            "/staff/moderation/comments/{id}/report",
            web::post().to(thread::report),
        )
        .route(
            "/staff/moderation/comments/{id}/{action}",
            web::post().to(thread::act),
        );
}

/// Post/Redirect/Get: on to `to`, never cached.
pub(crate) fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// `path` with `?done=what` (or `&done=` when it has a query), before any
/// `#fragment`.
pub(crate) fn with_done(path: &str, what: &str) -> String {
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (path, None),
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = format!("{path}{sep}done={what}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// The notice for `?done=`: only the words this area knows, so the query
/// cannot put text on the page.
pub(crate) fn done_notice(ctx: &Ctx, done: Option<&str>) -> Option<String> {
    let key = match done? {
        "followed" => "follow-done-followed",
        "unfollowed" => "follow-done-unfollowed",
        "replied" => "mod-done-replied",
        "edited" => "mod-done-edited",
        "hidden" => "mod-done-hidden",
        "unhidden" => "mod-done-unhidden",
        "deleted" => "mod-done-deleted",
        "blocked" => "mod-done-blocked",
        "blocked-everywhere" => "mod-done-blocked-everywhere",
        "unblocked" => "mod-done-unblocked",
        "reported" => "mod-done-reported",
        "resolved" => "mod-done-resolved",
        "domain-blocked" => "mod-done-domain-blocked",
        "released" => "msg-done-released",
        "message-deleted" => "msg-done-deleted",
        _ => return None,
    };
    Some(ctx.t.msg(key))
}

/// The query every page of this area takes: which change just succeeded.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    /// What was done (see [`done_notice`]).
    pub done: Option<String>,
}

/// A time as the pages show it and as `<time datetime>` carries it.
pub(crate) fn when(d: DateTime<Utc>) -> (String, String) {
    (d.format("%Y-%m-%d %H:%M").to_string(), d.to_rfc3339())
}

/// Someone as the pages show them: a name, a handle and a link to their
/// profile, each from data another server sent, so every one is escaped
/// where shown and links are http(s) only. No picture: one from another
/// server would tell it when staff read the page, and from where.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    /// The display name (the handle, or the id, when there is none).
    pub name: String,
    /// `@user@host`.
    pub handle: Option<String>,
    /// Their profile page.
    pub href: Option<String>,
}

impl Person {
    /// A remote actor.
    pub fn remote(a: &RemoteActor) -> Self {
        let handle = handle_of(a);
        Self {
            name: a
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .or_else(|| handle.clone())
                .unwrap_or_else(|| a.ap_id.clone()),
            href: a
                .url
                .as_deref()
                .and_then(web_href)
                .or_else(|| web_href(&a.ap_id)),
            handle,
        }
    }

    /// A comment's author (an agency here or an actor elsewhere).
    pub fn author(state: &AppState, author: &CommentAuthor) -> Self {
        match author {
            CommentAuthor::Agency { slug, name } => Self {
                name: name.clone(),
                handle: Some(state.handle(slug)),
                href: Some(state.urls.agency(slug).to_string()),
            },
            CommentAuthor::Remote {
                ap_id,
                handle,
                name,
                url,
            } => Self {
                name: name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .or_else(|| handle.clone())
                    .unwrap_or_else(|| ap_id.clone()),
                handle: handle.clone(),
                href: url
                    .as_deref()
                    .and_then(web_href)
                    .or_else(|| web_href(ap_id)),
            },
        }
    }
}

/// The text of sanitised HTML, for a short excerpt: tags dropped, the
/// entities the sanitiser writes read back, at most `max` characters. The
/// template escapes it again, so nothing in it can become markup.
pub(crate) fn excerpt(html: &str, max: usize) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    let words: Vec<&str> = text.split_whitespace().collect();
    let text = words.join(" ");
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_text() {
        assert_eq!(
            excerpt(
                "<p>Nyttig, <em>takk</em>!</p><p>&lt;b&gt; &amp; mer</p>",
                100
            ),
            "Nyttig, takk ! <b> & mer"
        );
        assert_eq!(excerpt("<p>abcdef</p>", 3), "abc…");
    }

    #[test]
    fn done_goes_before_the_fragment() {
        assert_eq!(with_done("/a#c-1", "hidden"), "/a?done=hidden#c-1");
        assert_eq!(with_done("/a?x=1", "hidden"), "/a?x=1&done=hidden");
    }
}
