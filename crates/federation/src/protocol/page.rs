//! Shared items as `Page` objects: ours as we send them ([`PageJson`],
//! [`ItemNoteJson`]) and a peer's as it sends it ([`RemotePageJson`]).

use crate::protocol::{
    collection::CountedCollection,
    lenient::{self, by_language},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use url::Url;

/// A shared item. Mastodon shows `name`, `summary` and a link to `url`, and
/// drops `content`; other software shows `content`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PageJson {
    /// `Page`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Object id.
    pub id: Url,
    /// The agency.
    pub attributed_to: Url,
    /// Title.
    pub name: String,
    /// Title by language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub name_map: BTreeMap<String, String>,
    /// Plain summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Sanitised HTML body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Body by language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub content_map: BTreeMap<String, String>,
    /// `text/html`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The Markdown source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// HTML page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    /// Audience.
    #[serde(default)]
    pub to: Vec<Url>,
    /// Secondary audience.
    #[serde(default)]
    pub cc: Vec<Url>,
    /// Hashtags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Hashtag>,
    /// Links and documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<Attachment>,
    /// First published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// Last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// Replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<CountedCollection>,
    /// Likes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes: Option<CountedCollection>,
    /// Boosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<CountedCollection>,
    /// `deling:itemKind`: guide, dataset, software, service, question, event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_kind: Option<String>,
    /// `schema:license`: an SPDX license URL or a license URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<Url>,
    /// `schema:isBasedOn`: the item this one adapts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_based_on: Option<Url>,
    /// `deling:itemMetadata`: the kind-specific metadata, as in the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_metadata: Option<serde_json::Value>,
    /// An event's start (ActivityStreams `startTime`, as Mobilizon and
    /// Mastodon's event support read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    /// An event's end (`endTime`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    /// Where an event happens (`location`, a `Place`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Place>,
    /// A software item's source repository (`schema:codeRepository`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_repository: Option<Url>,
    /// A dataset's themes (`dcat:theme`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub theme: Vec<Url>,
    /// A dataset's distributions (`dcat:distribution`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distribution: Vec<DistributionJson>,
}

/// A `Place`: where an event happens.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Place {
    /// `Place`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name or address, as the publisher wrote it.
    pub name: String,
}

/// A `dcat:Distribution` of a dataset.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DistributionJson {
    /// `Distribution`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where the data is (`dcat:accessURL`).
    #[serde(rename = "accessURL")]
    pub access_url: Url,
    /// Its format (`dcterms:format`), as the publisher gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Its title (`dcterms:title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// `source` of an object: its Markdown.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The text.
    pub content: String,
    /// `text/markdown`.
    pub media_type: String,
}

/// A `Hashtag`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hashtag {
    /// `Hashtag`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where the tag's items are listed.
    pub href: Url,
    /// `#tag`.
    pub name: String,
}

/// A link or document attached to an item.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// `Link` (or `Document` when a media type is known).
    #[serde(rename = "type")]
    pub kind: String,
    /// Target of a `Link`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<Url>,
    /// Target of a `Document` (ActivityStreams puts it in `url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// A shared item as a microblog post, for the servers of everyone who does
/// not speak Deling. Mastodon applies an `Update` only to a `Note` (or a
/// `Question`), and Misskey shows a `summary` as a content warning and
/// ignores `name`; so this form carries title, summary and link in its
/// `content` and has no `summary`. The `Page` at the same id stays the
/// item's one document: fetching the id gives the `Page`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ItemNoteJson {
    /// `Note`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The item's id (the same as its `Page`'s).
    pub id: Url,
    /// The agency.
    pub attributed_to: Url,
    /// Title, summary, link and hashtags as HTML.
    pub content: String,
    /// The same by language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub content_map: BTreeMap<String, String>,
    /// HTML page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    /// Audience.
    #[serde(default)]
    pub to: Vec<Url>,
    /// Secondary audience.
    #[serde(default)]
    pub cc: Vec<Url>,
    /// Hashtags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Hashtag>,
    /// First published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// Last changed: Mastodon applies an edit only when this is later than
    /// the last one it applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// Replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<CountedCollection>,
}

/// A peer's `Page` (or `Article`) as it sends it, every field read
/// leniently ([`crate::protocol::lenient`]): reading never fails, and a
/// field that is there but unusable is kept apart from one that is absent
/// (`Some(None)`), so that its drop can be reported. Which fields are kept
/// is decided by the checks of `inbox::page`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemotePageJson {
    /// Title.
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
    /// Title by language.
    #[serde(default, deserialize_with = "by_language")]
    pub name_map: Vec<(String, String)>,
    /// Plain summary.
    #[serde(default, deserialize_with = "lenient::text")]
    pub summary: Option<String>,
    /// HTML body.
    #[serde(default, deserialize_with = "lenient::text")]
    pub content: Option<String>,
    /// Body by language.
    #[serde(default, deserialize_with = "by_language")]
    pub content_map: Vec<(String, String)>,
    /// The Markdown source a Deling peer sends along.
    #[serde(default, deserialize_with = "lenient::object")]
    pub source: Option<RemoteSource>,
    /// `deling:itemKind`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub item_kind: Option<String>,
    /// The `Hashtag`s among its tags, in order.
    #[serde(default, deserialize_with = "hashtags")]
    pub tag: Vec<RemoteHashtag>,
    /// Its attachments in order; `None` for one that is not an object.
    #[serde(default, deserialize_with = "attachments")]
    pub attachment: Vec<Option<RemoteAttachment>>,
    /// `deling:itemMetadata`.
    #[serde(default, deserialize_with = "lenient::object")]
    pub item_metadata: Option<RemoteItemMetadata>,
    /// `schema:license`, if present: the URL it names.
    #[serde(default, deserialize_with = "present_url")]
    pub license: Option<Option<Url>>,
    /// `schema:isBasedOn`, if present: the URL it names.
    #[serde(default, deserialize_with = "present_url")]
    pub is_based_on: Option<Option<Url>>,
    /// Its HTML page, if present: the URL it names.
    #[serde(default, deserialize_with = "present_url")]
    pub url: Option<Option<Url>>,
    /// First published.
    #[serde(default, deserialize_with = "lenient::time")]
    pub published: Option<DateTime<Utc>>,
    /// Last changed.
    #[serde(default, deserialize_with = "lenient::time")]
    pub updated: Option<DateTime<Utc>>,
}

impl RemotePageJson {
    /// Reads an object a peer sent (embedded in an activity, or fetched).
    pub fn from_object(object: &Map<String, Value>) -> Self {
        // Every field is read leniently, so this does not fail; were it
        // to, no name would make the item refused.
        serde_json::from_value(Value::Object(object.clone())).unwrap_or_default()
    }
}

/// `source` of a peer's object.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteSource {
    /// The text.
    #[serde(default, deserialize_with = "lenient::text")]
    pub content: Option<String>,
    /// Its media type (`text/markdown` from a Deling peer).
    #[serde(default, deserialize_with = "lenient::text")]
    pub media_type: Option<String>,
}

/// A `Hashtag` of a peer's object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemoteHashtag {
    /// `#tag`, if a string.
    pub name: Option<String>,
}

/// A link or document attached to a peer's object.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteAttachment {
    /// `Link`, `Document`, ...
    #[serde(default, rename = "type", deserialize_with = "lenient::text")]
    pub kind: Option<String>,
    /// Target of a `Link`, if present: the URL it names.
    #[serde(default, deserialize_with = "present_url")]
    pub href: Option<Option<Url>>,
    /// Target of a `Document`, if present: the URL it names.
    #[serde(default, deserialize_with = "present_url")]
    pub url: Option<Option<Url>>,
    /// Title.
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
    /// Media type, if present: the string it is.
    #[serde(default, deserialize_with = "present_text")]
    pub media_type: Option<Option<String>>,
}

impl RemoteAttachment {
    /// Where it points: `href`, or `url` when there is no `href`.
    pub fn target(&self) -> Option<&Url> {
        self.href.as_ref().or(self.url.as_ref())?.as_ref()
    }

    /// A document (media) rather than a plain link: it has a media type,
    /// or is not a `Link`.
    pub fn is_media(&self) -> bool {
        self.media_type.is_some() || self.kind.as_deref() != Some("Link")
    }
}

/// `deling:itemMetadata` of a peer's item.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct RemoteItemMetadata {
    /// Its license (an SPDX expression or a URI), if a string.
    #[serde(default, deserialize_with = "lenient::text")]
    pub license: Option<String>,
    /// The kind-specific metadata, as sent.
    #[serde(default, deserialize_with = "lenient::present")]
    pub metadata: Option<Value>,
}

fn present_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Url>>, D::Error> {
    lenient::url(d).map(Some)
}

fn present_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    lenient::text(d).map(Some)
}

fn hashtags<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<RemoteHashtag>, D::Error> {
    let Value::Array(tags) = Value::deserialize(d)? else {
        return Ok(Vec::new());
    };
    Ok(tags
        .iter()
        .filter(|t| t.get("type").and_then(Value::as_str) == Some("Hashtag"))
        .map(|t| RemoteHashtag {
            name: t.get("name").and_then(Value::as_str).map(str::to_owned),
        })
        .collect())
}

fn attachments<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Option<RemoteAttachment>>, D::Error> {
    let Value::Array(list) = Value::deserialize(d)? else {
        return Ok(Vec::new());
    };
    Ok(list
        .into_iter()
        .map(|a| match a {
            a @ Value::Object(_) => serde_json::from_value(a).ok(),
            _ => None,
        })
        .collect())
}
