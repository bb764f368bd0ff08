//! A local item's page, served at the `Page`'s id to browsers: title,
//! summary and body in the item's language, its kind's metadata, tags,
//! links, counts and one page of the public comment thread (`?after=` and
//! `?before=` a cursor read the later and earlier ones) with "reply from
//! your own server"; OpenGraph and twitter:card tags for preview cards,
//! the ActivityStreams alternate, and schema.org JSON-LD.

use super::{
    ctx::{Chrome, Ctx, FeedLink},
    errors,
    metadata::{DistributionRow, MetaRow, layout},
    schema_org,
    views::{image_href, initial, kind_label, web_href},
};
use crate::error::ApiError;
use actix_web::HttpResponse;
use askama::Template;
use deling_store::{
    queries::{
        comment::{CommentCursor, CommentsFrom},
        item::ItemCounts,
    },
    records::{Comment, CommentAuthor, Item, ItemOwner},
};
use std::collections::HashMap;

/// Replies nest visibly this deep; deeper ones line up with the last.
const MAX_DEPTH: usize = 4;

/// Comments on one page: an item with thousands of them would otherwise
/// take as long to read and render as all of them, and be as large.
pub const COMMENTS_PER_PAGE: u64 = 100;

/// Which page of comments the query string asks for: `after=` or
/// `before=` a cursor from the page's own links, else the first. Any other
/// parameter (`lang`) is not ours; a cursor that is not one is a bad
/// request, answered 400.
pub fn comments_from(query: &str) -> Result<CommentsFrom, ApiError> {
    let mut from = CommentsFrom::Start;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let wrap: fn(CommentCursor) -> CommentsFrom = match k.as_ref() {
            "after" => CommentsFrom::After,
            "before" => CommentsFrom::Before,
            _ => continue,
        };
        if from != CommentsFrom::Start {
            return Err(ApiError::BadRequest(
                "only one of after and before, once".into(),
            ));
        }
        let cursor = CommentCursor::parse(&v).ok_or_else(|| {
            ApiError::BadRequest(format!("{k}: not a cursor from a comment page's link"))
        })?;
        from = wrap(cursor);
    }
    Ok(from)
}

/// A link on the item.
struct LinkView {
    href: String,
    title: String,
    media_type: Option<String>,
}

/// A tag and its page.
struct TagView {
    name: String,
    href: String,
}

/// A comment in the thread.
struct CommentView {
    anchor: String,
    depth: usize,
    author: String,
    author_href: Option<String>,
    handle: Option<String>,
    /// The placeholder's letter: authors' pictures are on their servers,
    /// which would learn who reads the thread (see [`initial`]).
    initial: String,
    date: String,
    datetime: String,
    lang: Option<String>,
    warning: Option<String>,
    content_html: String,
    reply_to: Option<String>,
}

/// Links to the comments before and after the page's.
struct CommentNav {
    earlier: Option<String>,
    later: Option<String>,
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    c: Chrome,
    url: String,
    title: String,
    summary: String,
    lang: String,
    body_html: String,
    kind_label: String,
    agency: String,
    agency_url: String,
    date: String,
    datetime: String,
    updated: Option<(String, String)>,
    published_iso: String,
    license: Option<(String, Option<String>)>,
    based_on: Option<String>,
    meta: Vec<MetaRow>,
    distributions: Vec<DistributionRow>,
    tags: Vec<TagView>,
    links: Vec<LinkView>,
    counts: Vec<String>,
    comments: Vec<CommentView>,
    comments_title: String,
    comments_empty: String,
    comment_nav: CommentNav,
    image: Option<String>,
    json_ld: String,
}

/// The HTML page of `item`, a local item that is not withdrawn, with the
/// page of its comments `from` says.
pub async fn page(ctx: &Ctx, item: &Item, counts: ItemCounts, from: CommentsFrom) -> HttpResponse {
    match build(ctx, item, counts, from).await {
        Ok(p) => ctx.ok(&p),
        Err(e) => errors::from_api(ctx, e),
    }
}

async fn build(
    ctx: &Ctx,
    item: &Item,
    counts: ItemCounts,
    from: CommentsFrom,
) -> Result<ItemPage, ApiError> {
    let (state, t) = (&ctx.state, ctx.t);
    let ItemOwner::Local {
        slug,
        name,
        agency_id,
    } = &item.owner
    else {
        return Err(ApiError::NotFound(format!("no item {}", item.id)));
    };
    let url = state.urls.item(item.id).to_string();
    let agency_url = state.urls.agency(slug).to_string();
    let icon = state
        .store
        .get_agency(*agency_id)
        .await?
        .and_then(|a| a.icon_url);
    let page = state
        .store
        .list_comments_page(item.id, from, COMMENTS_PER_PAGE)
        .await?;
    let comments = page.comments;
    // Replies to comments on other pages link to them there.
    let on_page: std::collections::HashSet<i64> = comments.iter().map(|c| c.id).collect();
    let elsewhere: Vec<i64> = comments
        .iter()
        .filter_map(|c| c.in_reply_to_id)
        .filter(|p| !on_page.contains(p))
        .collect();
    let starts = state.store.list_comment_starts(item.id, &elsewhere).await?;
    let parents: HashMap<i64, String> = starts
        .into_iter()
        .map(|(id, at)| (id, format!("{url}?after={at}#comment-{id}")))
        .collect();
    let comment_nav = CommentNav {
        earlier: match (page.prev, from) {
            (Some(at), _) => Some(format!("{url}?before={at}#comments")),
            // A page past the end (its cursor's comments deleted since)
            // leads back to the first.
            (None, CommentsFrom::After(_)) if comments.is_empty() => {
                Some(format!("{url}#comments"))
            }
            (None, _) => None,
        },
        later: page.next.map(|at| format!("{url}?after={at}#comments")),
    };
    let comments_empty = if from == CommentsFrom::Start {
        t.msg("comments-none")
    } else {
        t.msg("comments-page-empty")
    };
    let comments = thread(ctx, &comments, &parents);
    let (meta, distributions) = layout(t, &item.kind, &item.metadata);
    let mut c = ctx.chrome(item.title.clone());
    c.feeds.push(FeedLink {
        title: t.msg_with("feed-agency", &[("name", name)]),
        href: format!("{agency_url}/feed.atom"),
    });
    let day = |d: chrono::DateTime<chrono::Utc>| (d.format("%Y-%m-%d").to_string(), d.to_rfc3339());
    let (date, datetime) = day(item.published_at);
    Ok(ItemPage {
        json_ld: schema_org::document(item, &url, (name, &agency_url), counts),
        c,
        title: item.title.clone(),
        summary: item.summary.clone(),
        lang: item.language.clone(),
        body_html: demote_headings(&item.body_html),
        kind_label: kind_label(t, &item.kind),
        agency: name.clone(),
        date,
        datetime,
        updated: (item.updated_at.date_naive() != item.published_at.date_naive())
            .then(|| day(item.updated_at)),
        published_iso: item.published_at.to_rfc3339(),
        license: item.license.as_ref().map(|l| (l.clone(), license_href(l))),
        based_on: item.based_on.as_deref().and_then(web_href),
        meta,
        distributions,
        tags: item
            .tags
            .iter()
            .map(|tag| TagView {
                name: tag.clone(),
                href: tag_path(tag),
            })
            .collect(),
        links: item
            .links
            .iter()
            .filter_map(|l| {
                Some(LinkView {
                    href: web_href(&l.href)?,
                    title: l.title.clone().unwrap_or_else(|| l.href.clone()),
                    media_type: l.media_type.clone(),
                })
            })
            .collect(),
        counts: vec![
            t.msg_n("count-likes", counts.likes),
            t.msg_n("count-shares", counts.shares),
            t.msg_n("count-comments", counts.comments),
        ],
        // The item's, not the page's: the kept count of shown comments.
        comments_title: t.msg_n("comments-title", counts.comments),
        comments,
        comments_empty,
        comment_nav,
        image: icon.as_deref().and_then(image_href),
        agency_url,
        url,
    })
}

/// The body's headings one level down (`h1` to `h2`, ..., `h5` and `h6`
/// both to `h6`): the page's own `h1` is the item's title, so the body's
/// outline must sit under it. The body is sanitised HTML, whose heading
/// tags are exactly `<hN>` / `<hN ...>` and `</hN>`.
pub fn demote_headings(html: &str) -> String {
    let mut out = html.to_owned();
    for level in (1..=5).rev() {
        for (from, to) in [
            (format!("<h{level}>"), format!("<h{}>", level + 1)),
            (format!("<h{level} "), format!("<h{} ", level + 1)),
            (format!("</h{level}>"), format!("</h{}>", level + 1)),
        ] {
            out = out.replace(&from, &to);
        }
    }
    out
}

/// `/tags/{tag}`, the tag percent-encoded.
pub fn tag_path(tag: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(tag.as_bytes()).collect();
    format!("/tags/{encoded}")
}

/// A link for a licence: SPDX's page of an SPDX id, or the licence's own
/// address.
fn license_href(license: &str) -> Option<String> {
    if let Some(href) = web_href(license) {
        return Some(href);
    }
    let is_id = !license.is_empty()
        && license
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '+'));
    is_id.then(|| format!("https://spdx.org/licenses/{license}.html"))
}

/// The comments in reading order: each followed by its replies, oldest
/// first, with how deep it sits. A reply whose parent is not on this page
/// starts a thread of its own: with a link to the parent on its page
/// (`parents`, by id), or none if the parent is not shown (hidden,
/// deleted, not public).
fn thread(ctx: &Ctx, comments: &[Comment], parents: &HashMap<i64, String>) -> Vec<CommentView> {
    let shown: HashMap<i64, &Comment> = comments.iter().map(|c| (c.id, c)).collect();
    let mut children: HashMap<i64, Vec<&Comment>> = HashMap::new();
    let mut roots = vec![];
    for c in comments {
        match c.in_reply_to_id.filter(|p| shown.contains_key(p)) {
            Some(p) => children.entry(p).or_default().push(c),
            None => roots.push(c),
        }
    }
    let mut out = Vec::with_capacity(comments.len());
    // Depth-first, without recursion; the stack holds (comment, depth).
    let mut stack: Vec<(&Comment, usize)> = roots.into_iter().rev().map(|c| (c, 0)).collect();
    while let Some((c, depth)) = stack.pop() {
        out.push(view(ctx, c, depth.min(MAX_DEPTH), &shown, parents));
        if let Some(kids) = children.get(&c.id) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

fn view(
    ctx: &Ctx,
    c: &Comment,
    depth: usize,
    shown: &HashMap<i64, &Comment>,
    parents: &HashMap<i64, String>,
) -> CommentView {
    let state = &ctx.state;
    let (author, author_href, handle) = match &c.author {
        CommentAuthor::Agency { slug, name } => (
            name.clone(),
            Some(state.urls.agency(slug).to_string()),
            Some(state.handle(slug)),
        ),
        CommentAuthor::Remote {
            ap_id,
            handle,
            name,
            url,
        } => (
            name.clone()
                .filter(|n| !n.trim().is_empty())
                .or_else(|| handle.clone())
                .unwrap_or_else(|| ap_id.clone()),
            url.as_deref()
                .and_then(web_href)
                .or_else(|| web_href(ap_id)),
            handle.clone(),
        ),
    };
    let letter = initial(&author);
    let reply_to = c.in_reply_to_id.and_then(|p| {
        if shown.contains_key(&p) {
            Some(format!("#comment-{p}"))
        } else {
            parents.get(&p).cloned()
        }
    });
    CommentView {
        anchor: format!("comment-{}", c.id),
        depth,
        author,
        author_href,
        initial: letter,
        handle,
        date: c.published_at.format("%Y-%m-%d %H:%M").to_string(),
        datetime: c.published_at.to_rfc3339(),
        lang: c.language.clone(),
        warning: c.content_warning.clone().filter(|w| !w.trim().is_empty()),
        content_html: c.content_html.clone(),
        reply_to,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licences_link_to_their_text() {
        assert_eq!(
            license_href("CC-BY-4.0").as_deref(),
            Some("https://spdx.org/licenses/CC-BY-4.0.html")
        );
        assert_eq!(
            license_href("https://data.norge.no/nlod/no/2.0").as_deref(),
            Some("https://data.norge.no/nlod/no/2.0")
        );
        assert_eq!(license_href("MIT OR Apache-2.0"), None);
        assert_eq!(license_href("<b>x</b>"), None);
    }

    #[test]
    fn body_headings_sit_under_the_title() {
        assert_eq!(
            demote_headings("<h1>A</h1><p>x</p><h2 id=\"b\">B</h2><h6>F</h6><h5>E</h5>"),
            "<h2>A</h2><p>x</p><h3 id=\"b\">B</h3><h6>F</h6><h6>E</h6>"
        );
        assert_eq!(
            demote_headings("<p>h1 text &lt;h1&gt;</p>"),
            "<p>h1 text &lt;h1&gt;</p>"
        );
    }

    #[test]
    fn the_query_names_the_page_of_comments() {
        let at = "1790000000.123456789_42";
        let cursor = CommentCursor::parse(at).unwrap();
        assert_eq!(comments_from("").unwrap(), CommentsFrom::Start);
        assert_eq!(comments_from("lang=en").unwrap(), CommentsFrom::Start);
        assert_eq!(
            comments_from(&format!("lang=en&after={at}")).unwrap(),
            CommentsFrom::After(cursor)
        );
        assert_eq!(
            comments_from(&format!("before={at}")).unwrap(),
            CommentsFrom::Before(cursor)
        );
        for bad in [
            "after=".to_owned(),
            "after=42".to_owned(),
            format!("after={at}&before={at}"),
            format!("after={at}&after={at}"),
        ] {
            assert!(
                matches!(comments_from(&bad), Err(ApiError::BadRequest(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn tags_are_encoded_in_paths() {
        assert_eq!(tag_path("byggesak"), "/tags/byggesak");
        assert_eq!(tag_path("a/b?c"), "/tags/a%2Fb%3Fc");
    }
}
