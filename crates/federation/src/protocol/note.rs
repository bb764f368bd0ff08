//! Comments as `Note` objects.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// A comment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NoteJson {
    /// `Note`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Object id.
    pub id: Url,
    /// Author.
    pub attributed_to: Url,
    /// What it answers (an item or another comment).
    pub in_reply_to: Url,
    /// Sanitised HTML.
    pub content: String,
    /// Audience.
    #[serde(default)]
    pub to: Vec<Url>,
    /// Secondary audience.
    #[serde(default)]
    pub cc: Vec<Url>,
    /// Who is mentioned (the authors answered), so their servers notify
    /// them, and the hashtags the text names, so they index it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Mention>,
    /// Written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// Edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
}

/// A `Mention` or `Hashtag` tag (both name an `href` and a `name`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Mention {
    /// `Mention` or `Hashtag`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The actor mentioned, or the tag's page.
    pub href: Url,
    /// `@user@host`, or `#tag`.
    pub name: String,
}
