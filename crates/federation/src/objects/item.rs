//! Shared items as `Page` objects, and as the `Note` made from one for
//! servers that do not speak Deling. Their activities are in
//! `crate::outbox::item`.

use crate::{
    Urls,
    protocol::{
        PUBLIC,
        collection::{CountedCollection, cursor_page_url},
        page::{Attachment, DistributionJson, Hashtag, ItemNoteJson, PageJson, Place, Source},
    },
};
use deling_store::{
    queries::item::ItemCounts,
    records::{Item, ItemOwner},
};
use std::collections::BTreeMap;
use url::Url;

/// Why a local item cannot be shown as a `Page`.
#[derive(Debug, thiserror::Error)]
pub enum ItemJsonError {
    /// Only local items are served from here.
    #[error("item {0} is not local")]
    NotLocal(i64),
}

/// An SPDX identifier as its license page URL; an expression of several
/// licenses has no single URL and is left to `itemMetadata`.
fn license_url(license: &str) -> Option<Url> {
    if license.starts_with("http://") || license.starts_with("https://") {
        return Url::parse(license).ok();
    }
    if license.contains(char::is_whitespace) {
        return None;
    }
    Url::parse(&format!("https://spdx.org/licenses/{license}.html")).ok()
}

fn counted(id: Url, total_items: u64) -> CountedCollection {
    CountedCollection {
        kind: "Collection".into(),
        id,
        total_items,
        first: None,
    }
}

/// The kind-specific metadata in terms other software reads: an event's
/// time and place, a software item's repository, a dataset's themes and
/// distributions. Not as attachments: a Deling peer would take those for
/// the item's own links.
#[derive(Default)]
struct As2Terms {
    start_time: Option<chrono::DateTime<chrono::Utc>>,
    end_time: Option<chrono::DateTime<chrono::Utc>>,
    location: Option<Place>,
    code_repository: Option<Url>,
    theme: Vec<Url>,
    distribution: Vec<DistributionJson>,
}

fn as2_terms(item: &Item) -> As2Terms {
    use deling_domain::metadata::ItemMetadata;
    let Ok(kind) = item.kind.parse::<deling_domain::item::ItemKind>() else {
        return As2Terms::default();
    };
    let url = |u: &deling_domain::web_url::WebUrl| Url::parse(u.as_str()).ok();
    // Stored metadata was checked when it was written; a shape that no
    // longer parses is left to `itemMetadata` alone.
    match ItemMetadata::parse(kind, item.metadata.clone()) {
        Ok(ItemMetadata::Event(e)) => As2Terms {
            start_time: Some(e.starts_at),
            end_time: e.ends_at,
            location: e.location.map(|name| Place {
                kind: "Place".into(),
                name,
            }),
            ..As2Terms::default()
        },
        Ok(ItemMetadata::Software(s)) => As2Terms {
            code_repository: url(&s.repository_url),
            ..As2Terms::default()
        },
        Ok(ItemMetadata::Dataset(d)) => {
            let distribution: Vec<DistributionJson> = d
                .distributions
                .iter()
                .filter_map(|dist| {
                    Some(DistributionJson {
                        kind: "Distribution".into(),
                        access_url: url(&dist.access_url)?,
                        format: dist.format.clone(),
                        title: dist.title.clone(),
                    })
                })
                .collect();
            As2Terms {
                theme: d.themes.iter().filter_map(url).collect(),
                distribution,
                ..As2Terms::default()
            }
        }
        _ => As2Terms::default(),
    }
}

/// A local item's `Page`.
pub fn item_page(urls: &Urls, item: &Item, counts: ItemCounts) -> Result<PageJson, ItemJsonError> {
    let ItemOwner::Local { slug, .. } = &item.owner else {
        return Err(ItemJsonError::NotLocal(item.id));
    };
    let id = urls.item(item.id);
    let lang = item.language.clone();
    let mut metadata = serde_json::Map::new();
    if let Some(license) = &item.license {
        metadata.insert("license".into(), license.clone().into());
    }
    if item.metadata.as_object().is_some_and(|m| !m.is_empty()) {
        metadata.insert("metadata".into(), item.metadata.clone());
    }
    let extra = as2_terms(item);
    let attachment: Vec<Attachment> = item
        .links
        .iter()
        .filter_map(|l| {
            let target = Url::parse(&l.href).ok()?;
            let document = l.media_type.is_some();
            Some(Attachment {
                kind: if document { "Document" } else { "Link" }.into(),
                href: (!document).then(|| target.clone()),
                url: document.then_some(target),
                name: l.title.clone(),
                media_type: l.media_type.clone(),
            })
        })
        .collect();
    Ok(PageJson {
        start_time: extra.start_time,
        end_time: extra.end_time,
        location: extra.location,
        code_repository: extra.code_repository,
        theme: extra.theme,
        distribution: extra.distribution,
        kind: "Page".into(),
        attributed_to: urls.agency(slug),
        name: item.title.clone(),
        name_map: BTreeMap::from([(lang.clone(), item.title.clone())]),
        summary: (!item.summary.is_empty()).then(|| item.summary.clone()),
        content: (!item.body_html.is_empty()).then(|| item.body_html.clone()),
        content_map: if item.body_html.is_empty() {
            BTreeMap::new()
        } else {
            BTreeMap::from([(lang, item.body_html.clone())])
        },
        media_type: Some("text/html".into()),
        source: Some(Source {
            content: item.body.clone(),
            media_type: "text/markdown".into(),
        }),
        url: Some(id.clone()),
        to: vec![Url::parse(PUBLIC).unwrap_or_else(|_| id.clone())],
        cc: vec![urls.agency_followers(slug)],
        tag: item
            .tags
            .iter()
            .map(|t| Hashtag {
                kind: "Hashtag".into(),
                href: urls.tag(t),
                name: format!("#{t}"),
            })
            .collect(),
        attachment,
        published: Some(item.published_at),
        updated: (item.updated_at != item.published_at).then_some(item.updated_at),
        replies: Some(CountedCollection {
            first: Some(cursor_page_url(&urls.item_replies(item.id), None)),
            ..counted(urls.item_replies(item.id), counts.comments)
        }),
        likes: Some(counted(urls.item_likes(item.id), counts.likes)),
        shares: Some(counted(urls.item_shares(item.id), counts.shares)),
        item_kind: Some(item.kind.clone()),
        license: item.license.as_deref().and_then(license_url),
        is_based_on: item.based_on.as_deref().and_then(|u| Url::parse(u).ok()),
        item_metadata: (!metadata.is_empty()).then_some(serde_json::Value::Object(metadata)),
        id,
    })
}

/// Links listed in the text of an item's `Note`; the rest are on its page.
const MAX_NOTE_LINKS: usize = 5;

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Plain text as HTML paragraphs: a blank line parts paragraphs, a single
/// line break stays one.
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>")))
        .collect()
}

/// A local item's `Page` as the `Note` sent to servers that do not speak
/// Deling: the title in bold, the summary, a link to the item's page, and
/// its hashtags linked as Mastodon links them, in `content`; no `summary`
/// (Misskey would fold the post behind it), no attachments (Mastodon would
/// take documents for media). Same id, audience and times as the `Page`.
pub fn item_note(page: &PageJson) -> ItemNoteJson {
    let link = page.url.clone().unwrap_or_else(|| page.id.clone());
    let mut content = format!("<p><strong>{}</strong></p>", escape_html(&page.name));
    if let Some(summary) = &page.summary {
        content.push_str(&paragraphs(summary));
    }
    let href = escape_html(link.as_str());
    content.push_str(&format!("<p><a href=\"{href}\">{href}</a></p>"));
    // Links as links in the text: Mastodon shows no `Link` attachment, and
    // takes a `Document` for media to download.
    let anchor = |target: &Url, name: Option<&str>| {
        let href = escape_html(target.as_str());
        let text = name.map_or_else(|| href.clone(), escape_html);
        format!("<a href=\"{href}\">{text}</a>")
    };
    let links: Vec<String> = page
        .code_repository
        .iter()
        .map(|u| anchor(u, Some("Source code")))
        .chain(
            page.distribution
                .iter()
                .map(|d| anchor(&d.access_url, d.title.as_deref().or(d.format.as_deref()))),
        )
        .chain(page.attachment.iter().filter_map(|a| {
            Some(anchor(
                a.href.as_ref().or(a.url.as_ref())?,
                a.name.as_deref(),
            ))
        }))
        .take(MAX_NOTE_LINKS)
        .collect();
    if !links.is_empty() {
        content.push_str(&format!("<p>{}</p>", links.join("<br>")));
    }
    if !page.tag.is_empty() {
        let tags: Vec<String> = page
            .tag
            .iter()
            .map(|t| {
                format!(
                    "<a href=\"{}\" class=\"mention hashtag\" rel=\"tag\">#<span>{}</span></a>",
                    escape_html(t.href.as_str()),
                    escape_html(t.name.trim_start_matches('#'))
                )
            })
            .collect();
        content.push_str(&format!("<p>{}</p>", tags.join(" ")));
    }
    ItemNoteJson {
        kind: "Note".into(),
        id: page.id.clone(),
        attributed_to: page.attributed_to.clone(),
        content_map: page
            .name_map
            .keys()
            .map(|lang| (lang.clone(), content.clone()))
            .collect(),
        content,
        url: Some(link),
        to: page.to.clone(),
        cc: page.cc.clone(),
        tag: page.tag.clone(),
        published: page.published,
        updated: page.updated,
        replies: page.replies.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_ids_become_urls() {
        assert_eq!(
            license_url("CC-BY-4.0").map(|u| u.to_string()),
            Some("https://spdx.org/licenses/CC-BY-4.0.html".into())
        );
        assert_eq!(license_url("MIT OR Apache-2.0"), None);
        assert_eq!(
            license_url("https://data.norge.no/nlod/no/2.0").map(|u| u.to_string()),
            Some("https://data.norge.no/nlod/no/2.0".into())
        );
    }
}
