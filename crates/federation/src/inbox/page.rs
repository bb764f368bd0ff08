//! A peer's `Page` ([`RemotePageJson`]) checked into the fields of a
//! catalogue entry, each through the same domain type as local input. A field that fails is dropped (and
//! reported, for the log) while the item is kept; only an item without a
//! usable name is refused. So a `javascript:` URL, an 800,000-character
//! license or a NUL in a link title never reaches storage or a reader.

use crate::protocol::{lenient::LangText, page::RemotePageJson};
use deling_domain::{
    FieldError, Invalid,
    item::{ItemKind, MAX_LINKS, MAX_TAGS, Tag},
    language::Language,
    license::License,
    markdown,
    media_type::MediaType,
    metadata::ItemMetadata,
    text::{LinkTitle, MarkdownSource, Summary, Title, find_control},
    web_url::WebUrl,
};
use deling_store::records::ItemLink;
use serde_json::{Map, Value};
use url::Url;

/// The checked fields of a remote item, and what was dropped on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct RemotePage {
    /// Kind (`guide` when the peer does not say or says something unknown).
    pub kind: ItemKind,
    /// Title, from `name`/`nameMap` as plain text.
    pub title: Title,
    /// Plain summary (empty when absent or dropped).
    pub summary: Summary,
    /// Markdown source a Deling peer sends along (empty otherwise).
    pub body: MarkdownSource,
    /// Sanitised HTML of `content`.
    pub body_html: String,
    /// Language, `und` when unknown.
    pub language: String,
    /// License.
    pub license: Option<License>,
    /// Tags, deduplicated.
    pub tags: Vec<Tag>,
    /// Links with http(s) targets.
    pub links: Vec<ItemLink>,
    /// Kind-specific metadata (an empty object when absent or dropped).
    pub metadata: Value,
    /// What it adapts.
    pub based_on: Option<WebUrl>,
    /// Its HTML page.
    pub url: Option<WebUrl>,
    /// Fields (or parts of them) left out, with why.
    pub dropped: Vec<FieldError>,
}

fn truncated(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Collects what is dropped, so the caller can log it once per item.
#[derive(Default)]
struct Drops(Vec<FieldError>);

/// Dropped fields noted one by one (and logged so); a page with thousands
/// of bad tags is noted with one more entry that says how many followed.
const MAX_DROPS_NOTED: usize = 20;
/// Entries of `tag` and of `attachment` read, at most: a few times what
/// is kept ([`MAX_TAGS`], [`MAX_LINKS`]), so that bad entries cannot
/// crowd out good ones, while a list of a hundred thousand costs nothing.
const READ_PER_KEPT: usize = 4;
/// The longest body kept, in characters once sanitised (as for notes).
const MAX_BODY_HTML_CHARS: usize = crate::inbox::note::MAX_CONTENT_CHARS;

impl Drops {
    fn keep<T>(&mut self, field: &str, r: Result<T, Invalid>) -> Option<T> {
        r.map_err(|e| self.note(field, e)).ok()
    }

    fn note(&mut self, field: &str, e: Invalid) {
        if self.0.len() < MAX_DROPS_NOTED {
            self.0.push(FieldError::new(field, e));
        } else if self.0.len() == MAX_DROPS_NOTED {
            self.0.push(FieldError::new(
                "…",
                Invalid::new("more fields dropped; not noted one by one"),
            ));
        }
    }

    /// Notes that `field` had `len` entries, of which only `read` were read.
    fn unread(&mut self, field: &str, len: usize, read: usize) {
        if len > read {
            self.note(
                field,
                Invalid::new(format!("{len} entries: only the first {read} read")),
            );
        }
    }

    /// An http(s) URL from a property, if present; a present but unusable
    /// one is dropped.
    fn web_url(&mut self, field: &str, value: &Option<Option<Url>>) -> Option<WebUrl> {
        let parsed = value
            .as_ref()?
            .clone()
            .ok_or_else(|| Invalid::new("not a URL"))
            .and_then(WebUrl::try_from);
        self.keep(field, parsed)
    }
}

/// Reads `object` (a `Page` as a peer sent it) and checks it, as
/// [`check_page`] does.
pub fn read_page(object: &Map<String, Value>, no_media: bool) -> Result<RemotePage, Invalid> {
    check_page(&RemotePageJson::from_object(object), no_media)
}

/// Checks a peer's `Page` field by field. With `no_media` (the peer's
/// domain has its media rejected) attachments that are documents rather
/// than links are left out. Refuses only a page whose name gives no valid
/// title.
pub fn check_page(page: &RemotePageJson, no_media: bool) -> Result<RemotePage, Invalid> {
    let mut drops = Drops::default();
    let (name, name_lang) = LangText {
        text: page.name.clone(),
        by_language: page.name_map.clone(),
    }
    .text_and_language();
    // Longer names are cut rather than refused: other servers have no
    // limit, and the start of a long name still names the item.
    let title = Title::parse(&truncated(
        &markdown::plain_text(&name.unwrap_or_default()),
        Title::MAX_CHARS,
    ))
    .map_err(|e| Invalid::new(format!("an item needs a usable name: the name {e}")))?;
    let (content, content_lang) = LangText {
        text: page.content.clone(),
        by_language: page.content_map.clone(),
    }
    .text_and_language();
    let language = content_lang
        .or(name_lang)
        .and_then(|l| Language::parse(&l).ok())
        .map_or_else(|| "und".to_owned(), |l| l.to_string());
    let summary = page.summary.as_deref().and_then(|s| {
        drops.keep(
            "summary",
            Summary::parse(&truncated(&markdown::plain_text(s), Summary::MAX_CHARS)),
        )
    });
    let kind = page
        .item_kind
        .as_deref()
        .and_then(|k| k.parse::<ItemKind>().ok())
        .unwrap_or(ItemKind::Guide);
    let mut tags: Vec<Tag> = Vec::new();
    let read = MAX_TAGS * READ_PER_KEPT;
    drops.unread("tag", page.tag.len(), read);
    for (i, t) in page.tag.iter().enumerate().take(read) {
        let parsed = t
            .name
            .as_deref()
            .ok_or_else(|| Invalid::new("a Hashtag without a name"))
            .and_then(Tag::parse);
        if let Some(tag) = drops.keep(&format!("tag[{i}]"), parsed)
            && !tags.contains(&tag)
            && tags.len() < MAX_TAGS
        {
            tags.push(tag);
        }
    }
    let mut links = Vec::new();
    let read = MAX_LINKS * READ_PER_KEPT;
    drops.unread("attachment", page.attachment.len(), read);
    for (i, att) in page.attachment.iter().enumerate().take(read) {
        let field = format!("attachment[{i}]");
        let Some(att) = att else {
            drops.keep::<()>(&field, Err(Invalid::new("not an object")));
            continue;
        };
        if att.is_media() && no_media {
            continue;
        }
        let href = att
            .target()
            .ok_or_else(|| Invalid::new("no URL"))
            .and_then(|u| WebUrl::try_from(u.clone()));
        let Some(href) = drops.keep(&format!("{field}.href"), href) else {
            continue;
        };
        let title = att.name.as_deref().and_then(|n| {
            drops.keep(
                &format!("{field}.name"),
                LinkTitle::parse(&truncated(n, LinkTitle::MAX_CHARS)),
            )
        });
        let media_type = att
            .media_type
            .as_ref()
            .and_then(Option::as_deref)
            .and_then(|m| drops.keep(&format!("{field}.mediaType"), MediaType::parse(m)));
        if links.len() < MAX_LINKS {
            links.push(ItemLink {
                href: href.to_string(),
                title: title.map(LinkTitle::into_inner),
                media_type: media_type.map(|m| m.as_str().to_owned()),
            });
        }
    }
    let extra = page.item_metadata.as_ref();
    let license = match extra.and_then(|m| m.license.as_deref()) {
        Some(l) => drops.keep("itemMetadata.license", License::parse(l)),
        None => match &page.license {
            Some(named) => drops.keep(
                "license",
                named
                    .as_ref()
                    .ok_or_else(|| Invalid::new("not a URL"))
                    .and_then(|u| License::parse(u.as_str())),
            ),
            None => None,
        },
    };
    let metadata = match extra.and_then(|m| m.metadata.as_ref()) {
        Some(m) => drops
            .keep(
                "itemMetadata.metadata",
                ItemMetadata::parse(kind, m.clone()),
            )
            .map(|m| m.to_json()),
        None => None,
    }
    .unwrap_or_else(|| Value::Object(Map::new()));
    // Deling peers send their Markdown along; keep it as the source.
    let body = page
        .source
        .as_ref()
        .filter(|src| src.media_type.as_deref() == Some("text/markdown"))
        .and_then(|src| src.content.as_deref())
        .and_then(|md| {
            drops.keep(
                "source.content",
                MarkdownSource::parse(&truncated(md, MarkdownSource::MAX_CHARS)),
            )
        });
    // As a remote post's: no images (a stranger's server would learn who
    // read the item, here and through the API and feeds that carry it)
    // and no relative links (they would point into this server).
    let body_html = markdown::sanitize_remote(&content.unwrap_or_default());
    // Sanitising keeps control characters in text; such a body is dropped
    // like any other field that fails the local rules.
    let body_html = match find_control(&body_html, true) {
        _ if body_html.chars().count() > MAX_BODY_HTML_CHARS => {
            drops.keep::<()>(
                "content",
                Err(Invalid::new(format!(
                    "longer than {MAX_BODY_HTML_CHARS} characters once sanitised"
                ))),
            );
            String::new()
        }
        Some(c) => {
            drops.keep::<()>(
                "content",
                Err(Invalid::new(format!(
                    "must not contain the control character U+{:04X}",
                    c as u32
                ))),
            );
            String::new()
        }
        None => body_html,
    };
    Ok(RemotePage {
        kind,
        title,
        summary: summary.unwrap_or_else(Summary::empty),
        body: body.unwrap_or_else(MarkdownSource::empty),
        body_html,
        language,
        license,
        tags,
        links,
        metadata,
        based_on: drops.web_url("isBasedOn", &page.is_based_on),
        url: drops.web_url("url", &page.url),
        dropped: drops.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(extra: Value) -> Map<String, Value> {
        let mut p = json!({
            "type": "Page",
            "name": "Digital byggesak",
            "summary": "Slik gjorde vi det",
            "content": "<p>Innhold</p>",
        });
        if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
            p.extend(extra.clone());
        }
        p.as_object().cloned().unwrap_or_default()
    }

    fn dropped(p: &RemotePage) -> Vec<&str> {
        p.dropped.iter().map(|d| d.field.as_str()).collect()
    }

    #[test]
    fn hostile_fields_are_dropped_and_the_item_kept() {
        let p = read_page(
            &page(json!({
                "url": "javascript:alert(1)",
                "isBasedOn": "javascript:alert(2)",
                "license": "javascript:alert(3)",
                "tag": [{"type": "Hashtag", "name": "#ok"}, {"type": "Hashtag", "name": "#___"}],
                "attachment": [
                    {"type": "Link", "href": "javascript:alert(4)"},
                    {"type": "Document", "url": "https://x.no/a.pdf", "mediaType": "pdf", "name": "a\u{202E}b"},
                ],
                "itemMetadata": {"metadata": {"audience": "a\u{0}"}},
            })),
            false,
        )
        .expect("kept");
        assert_eq!(p.url, None);
        assert_eq!(p.based_on, None);
        assert_eq!(p.license, None);
        assert_eq!(p.tags.iter().map(Tag::as_str).collect::<Vec<_>>(), ["ok"]);
        assert_eq!(
            p.links,
            [ItemLink {
                href: "https://x.no/a.pdf".into(),
                title: None,
                media_type: None
            }]
        );
        assert_eq!(p.metadata, json!({}));
        assert_eq!(
            dropped(&p),
            [
                "tag[1]",
                "attachment[0].href",
                "attachment[1].name",
                "attachment[1].mediaType",
                "license",
                "itemMetadata.metadata",
                "isBasedOn",
                "url"
            ]
        );
    }

    #[test]
    fn long_license_is_dropped_and_names_must_be_usable() {
        let long = vec!["MIT"; 100_000].join(" OR ");
        let p = read_page(&page(json!({"itemMetadata": {"license": long}})), false).expect("kept");
        assert_eq!(p.license, None);
        assert_eq!(dropped(&p), ["itemMetadata.license"]);
        for name in ["", "\u{200B}\u{200D}", "abc\u{202E}exe.txt", "<b></b>"] {
            assert!(
                read_page(&page(json!({"name": name})), false).is_err(),
                "{name:?}"
            );
        }
        // Whatever the HTML parser makes of a NUL or an escape, none
        // survives into a title or body.
        for bad in ["a\u{0}b", "a\u{1}b", "a\u{1b}[2Jb"] {
            if let Ok(p) = read_page(&page(json!({"name": bad, "content": bad})), false) {
                assert_eq!(find_control(p.title.as_str(), false), None, "{bad:?}");
                assert_eq!(find_control(&p.body_html, true), None, "{bad:?}");
            }
        }
        let long_name = "x".repeat(5_000);
        assert_eq!(
            read_page(&page(json!({"name": long_name})), false).map(|p| p
                .title
                .as_str()
                .chars()
                .count()),
            Ok(200)
        );
    }

    #[test]
    fn a_remote_body_carries_no_images_relative_links_or_megabytes() {
        let p = read_page(
            &page(json!({
                "content": "<p>Se <img src=\"https://sporing.example/p.gif\"> og \
                            <a href=\"/staff/agencies\">her</a> og \
                            <a href=\"https://x.no/a\">der</a></p>",
            })),
            false,
        )
        .expect("kept");
        assert!(!p.body_html.contains("<img"), "{}", p.body_html);
        assert!(!p.body_html.contains("/staff/agencies"), "{}", p.body_html);
        assert!(p.body_html.contains("https://x.no/a"), "{}", p.body_html);

        let huge = format!("<p>{}</p>", "x".repeat(MAX_BODY_HTML_CHARS + 1));
        let p = read_page(&page(json!({"content": huge})), false).expect("kept");
        assert_eq!(p.body_html, "");
        assert_eq!(dropped(&p), ["content"]);
    }

    #[test]
    fn a_hundred_thousand_bad_tags_cost_a_few_notes() {
        let tags: Vec<Value> = (0..100_000).map(|_| json!({"type": "Hashtag"})).collect();
        let mut good = vec![json!({"type": "Hashtag", "name": "#bra"})];
        good.extend(tags);
        let p = read_page(&page(json!({"tag": good})), false).expect("kept");
        assert_eq!(p.tags.iter().map(Tag::as_str).collect::<Vec<_>>(), ["bra"]);
        assert_eq!(p.dropped.len(), MAX_DROPS_NOTED + 1, "{:?}", dropped(&p));
        assert_eq!(dropped(&p)[0], "tag");
    }
}
