//! Shared items as `Page` objects.

use crate::protocol::collection::CountedCollection;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
