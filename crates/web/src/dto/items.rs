//! Items: the body a client sends, and what the API shows of a stored item,
//! its reactions and a page of them.

use super::{ActorRef, double_option};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use deling_domain::{
    FieldError,
    item::{RawItem, RawLink},
};
use deling_store::{
    queries::item::ItemCounts,
    records::{Item, ItemOwner},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A link in an item body.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// Absolute http(s) URL.
    pub href: String,
    /// What to call it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Media type, e.g. `application/pdf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// An item as sent on create or update. On update any subset: `null`
/// clears `summary`, `body`, `tags`, `links`, `license` and `based_on`,
/// resets `metadata`, and is refused for `kind`, `title` and `language`.
/// Create reads this too; [`NewItemBody`] describes what it requires.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// `guide`, `dataset`, `software`, `service`, `question` or `event`.
    // `null` is read (to be refused by name), but is not a value to send.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = super::ItemKindName)]
    pub kind: Option<Option<String>>,
    /// 1 to 200 characters.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = String)]
    pub title: Option<Option<String>>,
    /// Plain text, at most 500 characters; Mastodon shows this.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    /// Markdown (CommonMark).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub body: Option<Option<String>>,
    /// BCP 47 tag: `nb`, `nn`, `se`, `sma`, `smj`, `en`, ...
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = String)]
    pub language: Option<Option<String>>,
    /// Hashtags without `#`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<String>>)]
    pub tags: Option<Option<Vec<String>>>,
    /// SPDX expression (`CC-BY-4.0`, `NLOD-2.0`) or an http(s) URI.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub license: Option<Option<String>>,
    /// Links and attachments.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<LinkBody>>)]
    pub links: Option<Option<Vec<LinkBody>>>,
    /// Kind-specific metadata (see the API guide).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Option<serde_json::Value>>,
    /// URL of the item this one adapts.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub based_on: Option<Option<String>>,
}

/// An item as sent on create (`POST /api/v1/agencies/{slug}/items`):
/// `kind`, `title` and `language` required, the rest as in [`ItemBody`].
/// Only a schema: create reads an [`ItemBody`], whose missing fields are
/// `422`s naming each one; a test holds the two lists of fields equal.
#[derive(Debug, ToSchema)]
pub struct NewItemBody {
    /// `guide`, `dataset`, `software`, `service`, `question` or `event`.
    pub kind: super::ItemKindName,
    /// 1 to 200 characters.
    pub title: String,
    /// Plain text, at most 500 characters; Mastodon shows this.
    pub summary: Option<String>,
    /// Markdown (CommonMark).
    pub body: Option<String>,
    /// BCP 47 tag: `nb`, `nn`, `se`, `sma`, `smj`, `en`, ...
    pub language: String,
    /// Hashtags without `#`.
    pub tags: Option<Vec<String>>,
    /// SPDX expression (`CC-BY-4.0`, `NLOD-2.0`) or an http(s) URI.
    pub license: Option<String>,
    /// Links and attachments.
    pub links: Option<Vec<LinkBody>>,
    /// Kind-specific metadata (see the API guide).
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
    /// URL of the item this one adapts.
    pub based_on: Option<String>,
}

impl TryFrom<ItemBody> for RawItem {
    type Error = Vec<FieldError>;

    /// `null` clears `summary`, `body`, `license`, `based_on`, `tags` and
    /// `links`; for the other fields, which cannot be empty, it is an error
    /// rather than a silent "keep".
    fn try_from(b: ItemBody) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut required = |name: &str, v: Option<Option<String>>| -> Option<String> {
            match v {
                Some(None) => {
                    errors.push(FieldError::new(name, "cannot be null"));
                    None
                }
                other => other.flatten(),
            }
        };
        let kind = required("kind", b.kind);
        let title = required("title", b.title);
        let language = required("language", b.language);
        let metadata = match b.metadata {
            Some(None) => Some(serde_json::Value::Null),
            other => other.flatten(),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(RawItem {
            kind,
            title,
            summary: b.summary.map(Option::unwrap_or_default),
            body: b.body.map(Option::unwrap_or_default),
            language,
            tags: b.tags.map(Option::unwrap_or_default),
            license: b.license,
            links: b.links.map(|ls| {
                ls.unwrap_or_default()
                    .into_iter()
                    .map(|l| RawLink {
                        href: l.href,
                        title: l.title,
                        media_type: l.media_type,
                    })
                    .collect()
            }),
            metadata,
            based_on: b.based_on,
        })
    }
}

/// A link on a stored item.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    /// Target.
    pub href: String,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Media type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// A stored item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    /// Local id, for the API.
    pub id: i64,
    /// Public page (and, for local items, the ActivityPub id).
    pub url: String,
    /// ActivityPub id.
    pub ap_id: String,
    /// Who published it.
    pub agency: ActorRef,
    /// Kind.
    #[schema(value_type = super::ItemKindName)]
    pub kind: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Markdown source.
    pub body: String,
    /// Rendered, sanitised HTML.
    pub body_html: String,
    /// Language.
    pub language: String,
    /// Tags.
    pub tags: Vec<String>,
    /// License.
    pub license: Option<String>,
    /// Links.
    pub links: Vec<LinkView>,
    /// Kind-specific metadata.
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    /// The item it adapts.
    pub based_on: Option<String>,
    /// First published.
    pub published: DateTime<Utc>,
    /// Last changed.
    pub updated: DateTime<Utc>,
    /// Reactions seen here: likes and boosts from the fediverse, visible
    /// comments.
    pub counts: CountsView,
    /// Pinned to its agency's profile (local items only).
    pub pinned: bool,
}

/// A like or boost of an item, as `GET /api/v1/items/{id}/reactions`
/// lists them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReactionView {
    /// `like` or `announce` (a boost).
    pub kind: String,
    /// Who.
    pub actor: ActorRef,
    /// When it arrived.
    pub at: DateTime<Utc>,
}

/// What an item has drawn.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsView {
    /// Likes.
    pub likes: u64,
    /// Boosts (Announces).
    pub shares: u64,
    /// Visible comments.
    pub comments: u64,
}

impl From<ItemCounts> for CountsView {
    fn from(c: ItemCounts) -> Self {
        Self {
            likes: c.likes,
            shares: c.shares,
            comments: c.comments,
        }
    }
}

impl ItemView {
    /// Shapes a stored item with its counts.
    pub fn new(state: &AppState, item: Item, counts: ItemCounts) -> Self {
        let local_url = state.urls.item(item.id).to_string();
        let (agency, url, ap_id) = match item.owner {
            ItemOwner::Local { slug, name, .. } => (
                ActorRef::agency(state, slug, name),
                local_url.clone(),
                local_url,
            ),
            ItemOwner::Remote {
                ap_id: actor,
                handle,
                name,
                ..
            } => {
                let ap_id = item.ap_id.unwrap_or_default();
                (
                    ActorRef::remote(actor, handle, name),
                    item.url.unwrap_or_else(|| ap_id.clone()),
                    ap_id,
                )
            }
        };
        Self {
            id: item.id,
            url,
            ap_id,
            agency,
            kind: item.kind,
            title: item.title,
            summary: item.summary,
            body: item.body,
            body_html: item.body_html,
            language: item.language,
            tags: item.tags,
            license: item.license,
            links: item
                .links
                .into_iter()
                .map(|l| LinkView {
                    href: l.href,
                    title: l.title,
                    media_type: l.media_type,
                })
                .collect(),
            metadata: item.metadata,
            based_on: item.based_on,
            published: item.published_at,
            updated: item.updated_at,
            counts: counts.into(),
            pinned: item.pinned_at.is_some(),
        }
    }
}

/// One page of items, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemPage {
    /// The items.
    pub items: Vec<ItemView>,
    /// This page (1-based).
    pub page: u64,
    /// Page size.
    pub per_page: u64,
    /// Items on all pages.
    pub total: u64,
    /// URL of the next page, if there is one.
    pub next: Option<String>,
}

/// Query of `GET /api/v1/items`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// Only this agency's items (slug).
    pub agency: Option<String>,
    /// Only this kind.
    #[param(value_type = Option<super::ItemKindName>)]
    pub kind: Option<String>,
    /// Only items with this tag.
    pub tag: Option<String>,
    /// Only this language (BCP 47).
    pub language: Option<String>,
    /// `local` (default), `remote` or `all`.
    #[param(value_type = Option<super::OriginName>)]
    pub origin: Option<String>,
    /// Page number, from 1. With `cursor` it only numbers the page. The
    /// items before the page (`(page - 1) * per_page`) must number fewer
    /// than 2^63, or the answer is `400`.
    // The largest page any `per_page` allows is 2^63 (with `per_page=1`).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 9223372036854775808_u64)]
    pub page: Option<String>,
    /// Where to go on from: the `cursor` of a `next` link (opaque).
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}
