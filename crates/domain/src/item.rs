//! Shared items: what an agency publishes.

use crate::{
    FieldError, Invalid,
    error::Errors,
    language::Language,
    license::License,
    markdown,
    media_type::MediaType,
    metadata::ItemMetadata,
    text::{LinkTitle, MarkdownSource, Summary, Title},
    web_url::WebUrl,
};

// The kind has its own module, which `metadata.rs` reads too; its path
// here is the one callers know.
pub use crate::kind::ItemKind;

/// A hashtag: letters, digits and `_`, lower-cased, without the leading `#`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    /// Longest tag accepted, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Parses a tag, dropping one leading `#` and folding case.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        // Lower-cased before checking: folding can change length and
        // characters (İ becomes i and a combining dot).
        let folded = s.strip_prefix('#').unwrap_or(s).to_lowercase();
        let s = folded.as_str();
        if s.is_empty() {
            return Err(Invalid::new("a tag must not be empty"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(format!(
                "a tag must be at most {} characters",
                Self::MAX_CHARS
            )));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_alphanumeric() || *c == '_' || ('\u{300}'..='\u{36f}').contains(c)))
        {
            return Err(Invalid::new(format!(
                "tag {s:?} may contain only letters, digits and _ (found {c:?})"
            )));
        }
        // `___` or a lone combining mark is no word anyone can search for.
        if !s.chars().any(char::is_alphanumeric) {
            return Err(Invalid::new(format!(
                "tag {s:?} needs at least one letter or digit"
            )));
        }
        Ok(Self(s.to_owned()))
    }

    /// The tag without `#`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A link or attachment on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Where it points.
    pub href: WebUrl,
    /// What to call it.
    pub title: Option<LinkTitle>,
    /// Its media type, if known (`application/pdf`).
    pub media_type: Option<MediaType>,
}

/// An item's link as it arrives, before parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawLink {
    /// Unparsed URL.
    pub href: String,
    /// Title.
    pub title: Option<String>,
    /// Media type.
    pub media_type: Option<String>,
}

/// An item's fields as they arrive from a client, before parsing. `None`
/// means "not given": on create that takes the default, on update it keeps
/// the stored value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawItem {
    /// Kind name.
    pub kind: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Markdown body.
    pub body: Option<String>,
    /// BCP 47 tag.
    pub language: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// License; `Some(None)` clears it.
    pub license: Option<Option<String>>,
    /// Links.
    pub links: Option<Vec<RawLink>>,
    /// Kind-specific metadata object.
    pub metadata: Option<serde_json::Value>,
    /// URL of the item this one adapts; `Some(None)` clears it.
    pub based_on: Option<Option<String>>,
}

/// The content of a shared item, every field parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemContent {
    /// Kind.
    pub kind: ItemKind,
    /// Title.
    pub title: Title,
    /// Plain-text summary.
    pub summary: Summary,
    /// Markdown source of the body.
    pub body: MarkdownSource,
    /// The body rendered and sanitised.
    pub body_html: String,
    /// Language of title, summary and body.
    pub language: Language,
    /// Tags, deduplicated, in the order given.
    pub tags: Vec<Tag>,
    /// License.
    pub license: Option<License>,
    /// Links, in the order given.
    pub links: Vec<Link>,
    /// Kind-specific metadata.
    pub metadata: ItemMetadata,
    /// The item this one adapts (`schema:isBasedOn`).
    pub based_on: Option<WebUrl>,
}

/// Most tags on one item.
pub const MAX_TAGS: usize = 20;
/// Most links on one item.
pub const MAX_LINKS: usize = 50;

/// An optional field where blank means absent.
fn optional<T>(
    field: &str,
    s: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, Invalid>,
    errors: &mut Errors,
) -> Option<T> {
    let s = s.filter(|s| !s.trim().is_empty())?;
    errors.check(field, parse(&s))
}

impl ItemContent {
    /// Parses a complete item, reporting every bad field at once.
    pub fn parse(raw: RawItem) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::default();
        let kind = match raw.kind {
            Some(k) => e.check("kind", k.parse::<ItemKind>()),
            None => {
                e.push("kind", "is required");
                None
            }
        };
        let title = match raw.title {
            Some(t) => e.check("title", Title::parse(&t)),
            None => {
                e.push("title", "is required");
                None
            }
        };
        let language = match raw.language {
            Some(l) => e.check("language", Language::parse(&l)),
            None => {
                e.push("language", "is required");
                None
            }
        };
        let summary = e.check(
            "summary",
            Summary::parse(raw.summary.as_deref().unwrap_or("")),
        );
        let body = e.check(
            "body",
            MarkdownSource::parse(raw.body.as_deref().unwrap_or("")),
        );
        let raw_tags = raw.tags.unwrap_or_default();
        if raw_tags.len() > MAX_TAGS {
            e.push("tags", format!("at most {MAX_TAGS} tags"));
        }
        let mut tags: Vec<Tag> = Vec::new();
        for (i, t) in raw_tags.iter().enumerate() {
            if let Some(t) = e.check(&format!("tags[{i}]"), Tag::parse(t))
                && !tags.contains(&t)
            {
                tags.push(t);
            }
        }
        let license = match raw.license.flatten() {
            Some(l) => e.check("license", License::parse(&l)),
            None => None,
        };
        let raw_links = raw.links.unwrap_or_default();
        if raw_links.len() > MAX_LINKS {
            e.push("links", format!("at most {MAX_LINKS} links"));
        }
        let mut links = Vec::new();
        for (i, l) in raw_links.into_iter().enumerate() {
            let href = e.check(&format!("links[{i}].href"), WebUrl::parse(&l.href));
            let title = optional(
                &format!("links[{i}].title"),
                l.title,
                LinkTitle::parse,
                &mut e,
            );
            let media_type = optional(
                &format!("links[{i}].media_type"),
                l.media_type,
                MediaType::parse,
                &mut e,
            );
            if let Some(href) = href {
                links.push(Link {
                    href,
                    title,
                    media_type,
                });
            }
        }
        let metadata = kind.and_then(|k| {
            e.check(
                "metadata",
                ItemMetadata::parse(k, raw.metadata.unwrap_or(serde_json::Value::Null)),
            )
        });
        let based_on = match raw.based_on.flatten() {
            Some(u) => e.check("based_on", WebUrl::parse(&u)),
            None => None,
        };
        // Every `None` above recorded an error, so this only returns early
        // with a non-empty list.
        let (Some(kind), Some(title), Some(language), Some(summary), Some(body), Some(metadata)) =
            (kind, title, language, summary, body, metadata)
        else {
            return Err(e.into_errors());
        };
        e.finish(|| Self {
            body_html: markdown::render(body.as_str()),
            kind,
            title,
            summary,
            body,
            language,
            tags,
            license,
            links,
            metadata,
            based_on,
        })
    }

    /// The content as raw input, so that an update can be applied field by
    /// field and parsed again as a whole.
    pub fn to_raw(&self) -> RawItem {
        RawItem {
            kind: Some(self.kind.as_str().to_owned()),
            title: Some(self.title.as_str().to_owned()),
            summary: Some(self.summary.as_str().to_owned()),
            body: Some(self.body.as_str().to_owned()),
            language: Some(self.language.as_str().to_owned()),
            tags: Some(self.tags.iter().map(|t| t.as_str().to_owned()).collect()),
            license: Some(self.license.as_ref().map(|l| l.as_str().to_owned())),
            links: Some(
                self.links
                    .iter()
                    .map(|l| RawLink {
                        href: l.href.as_str().to_owned(),
                        title: l.title.as_ref().map(|t| t.as_str().to_owned()),
                        media_type: l.media_type.as_ref().map(|m| m.as_str().to_owned()),
                    })
                    .collect(),
            ),
            metadata: Some(self.metadata.to_json()),
            based_on: Some(self.based_on.as_ref().map(|u| u.as_str().to_owned())),
        }
    }

    /// Applies a partial update: given fields replace stored ones, then the
    /// whole is parsed again so the result is as valid as a new item.
    pub fn patch(&self, patch: RawItem) -> Result<Self, Vec<FieldError>> {
        Self::parse(patch.over(self.to_raw()))
    }
}

impl RawItem {
    /// Lays this partial input over `cur`: fields given here win. When the
    /// kind changes, the old kind's metadata is dropped rather than carried
    /// into a shape it does not fit.
    pub fn over(self, cur: RawItem) -> RawItem {
        let patch = self;
        let kind_changes = patch.kind.is_some() && patch.kind != cur.kind;
        RawItem {
            // A new kind cannot inherit the old kind's metadata.
            metadata: patch
                .metadata
                .or(if kind_changes { None } else { cur.metadata }),
            kind: patch.kind.or(cur.kind),
            title: patch.title.or(cur.title),
            summary: patch.summary.or(cur.summary),
            body: patch.body.or(cur.body),
            language: patch.language.or(cur.language),
            tags: patch.tags.or(cur.tags),
            license: patch.license.or(cur.license),
            links: patch.links.or(cur.links),
            based_on: patch.based_on.or(cur.based_on),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw() -> RawItem {
        RawItem {
            kind: Some("guide".into()),
            title: Some("Digital byggesak".into()),
            summary: Some("Slik gjorde vi det".into()),
            body: Some("# Steg 1\n\nLes *dette*.".into()),
            language: Some("nb".into()),
            tags: Some(vec!["#Byggesak".into(), "byggesak".into(), "plan".into()]),
            license: Some(Some("CC-BY-4.0".into())),
            links: Some(vec![RawLink {
                href: "https://example.no/a.pdf".into(),
                title: Some("PDF".into()),
                media_type: None,
            }]),
            metadata: None,
            based_on: None,
        }
    }

    #[test]
    fn tags_need_a_letter_or_digit() {
        for bad in ["___", "_", "#_", "\u{301}", "\u{200B}"] {
            assert!(Tag::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Tag::parse("_2026").is_ok());
        assert!(Tag::parse("å_b").is_ok());
    }

    #[test]
    fn parses_a_whole_item() {
        let item = ItemContent::parse(raw()).expect("valid");
        assert_eq!(item.kind, ItemKind::Guide);
        assert_eq!(
            item.tags.iter().map(Tag::as_str).collect::<Vec<_>>(),
            ["byggesak", "plan"]
        );
        assert!(item.body_html.contains("<h1>Steg 1</h1>"));
    }

    #[test]
    fn reports_every_bad_field() {
        let errs = ItemContent::parse(RawItem {
            kind: Some("poem".into()),
            title: Some("".into()),
            language: Some("klingon!".into()),
            tags: Some(vec!["ok".into(), "not ok".into()]),
            license: Some(Some("whatever".into())),
            links: Some(vec![
                RawLink {
                    href: "javascript:alert(1)".into(),
                    ..Default::default()
                },
                RawLink {
                    href: "https://example.no/a".into(),
                    title: Some("abc\u{202E}fdp.exe".into()),
                    media_type: Some("pdf".into()),
                },
            ]),
            ..raw()
        })
        .expect_err("invalid");
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "kind",
                "title",
                "language",
                "tags[1]",
                "license",
                "links[0].href",
                "links[1].title",
                "links[1].media_type"
            ]
        );
    }

    #[test]
    fn patch_keeps_unnamed_fields_and_revalidates_kind_change() {
        let item = ItemContent::parse(raw()).expect("valid");
        let patched = item
            .patch(RawItem {
                title: Some("Ny tittel".into()),
                ..Default::default()
            })
            .expect("valid patch");
        assert_eq!(patched.title.as_str(), "Ny tittel");
        assert_eq!(patched.tags, item.tags);
        // software needs a repository_url, so a bare kind change is refused
        assert!(
            item.patch(RawItem {
                kind: Some("software".into()),
                ..Default::default()
            })
            .is_err()
        );
        let sw = item.patch(RawItem {
            kind: Some("software".into()),
            metadata: Some(json!({"repository_url": "https://github.com/x/y"})),
            ..Default::default()
        });
        assert!(sw.is_ok());
    }
}
