//! JSON shapes of the API, with their OpenAPI schemas.

use crate::state::AppState;
use chrono::{DateTime, Utc};
use deling_domain::{
    FieldError,
    agency::RawAgencyProfile,
    item::{RawItem, RawLink},
};
use deling_store::{
    queries::item::ItemCounts,
    records::{Agency, Comment, CommentAuthor, Item, ItemOwner},
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Tells "absent" (keep) from `null` in a body: `Some(None)` is an
/// explicit `null`.
fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A body that must be a JSON object. Derived struct deserialisers also
/// accept an array (field by field, in order), and with every field
/// optional `[]` would read as an empty item; this refuses it, while
/// keeping the derived checks (unknown and duplicate fields).
#[derive(Debug)]
pub struct ObjectOnly<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}

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

/// An item as sent on create (`kind`, `title` and `language` required) or
/// update (any subset; `null` clears `summary`, `body`, `tags`, `links`,
/// `license` and `based_on`, resets `metadata`, and is refused for `kind`,
/// `title` and `language`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// `guide`, `dataset`, `software`, `service`, `question` or `event`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub kind: Option<Option<String>>,
    /// 1 to 200 characters.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
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
    #[schema(value_type = Option<String>)]
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

/// Changes to an agency's profile (`PATCH /api/v1/agencies/{slug}`): any
/// subset; `null` clears `summary`, `website`, `icon_url` and `org_number`
/// and is refused for `name`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyBody {
    /// Display name, 1 to 100 characters.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Description in Markdown, at most 2,000 characters; shown as the bio.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    /// The agency's web site (http or https).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    /// Logo or avatar: the URL of an image (http or https).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub icon_url: Option<Option<String>>,
    /// Norwegian organisation number (nine digits).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub org_number: Option<Option<String>>,
    /// Whether other servers may find its posts by full-text search
    /// (Mastodon's `indexable`); `true` unless set otherwise.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub indexable: Option<Option<bool>>,
}

impl TryFrom<AgencyBody> for RawAgencyProfile {
    type Error = Vec<FieldError>;

    fn try_from(b: AgencyBody) -> Result<Self, Vec<FieldError>> {
        if matches!(b.name, Some(None)) {
            return Err(vec![FieldError::new("name", "cannot be null")]);
        }
        if matches!(b.indexable, Some(None)) {
            return Err(vec![FieldError::new("indexable", "must be true or false")]);
        }
        Ok(RawAgencyProfile {
            name: b.name.flatten(),
            summary: b.summary.map(Option::unwrap_or_default),
            website: b.website,
            icon_url: b.icon_url,
            org_number: b.org_number,
            indexable: b.indexable.flatten(),
        })
    }
}

/// Who published an item or wrote a comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorRef {
    /// `local` (an agency here) or `remote`.
    pub origin: &'static str,
    /// Slug, for a local agency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// `@slug@domain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ActivityPub actor id.
    pub actor_id: String,
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
                ActorRef {
                    origin: "local",
                    handle: Some(state.handle(&slug)),
                    actor_id: state.urls.agency(&slug).to_string(),
                    slug: Some(slug),
                    name: Some(name),
                },
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
                    ActorRef {
                        origin: "remote",
                        slug: None,
                        handle,
                        name,
                        actor_id: actor,
                    },
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
    pub kind: Option<String>,
    /// Only items with this tag.
    pub tag: Option<String>,
    /// Only this language (BCP 47).
    pub language: Option<String>,
    /// `local` (default), `remote` or `all`.
    pub origin: Option<String>,
    /// Page number, from 1.
    #[param(value_type = Option<u64>)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u64>)]
    pub per_page: Option<String>,
}

/// An agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyView {
    /// Slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// `@slug@domain`, to follow from Mastodon.
    pub handle: String,
    /// ActivityPub actor id and profile page.
    pub url: String,
    /// Description (Markdown).
    pub summary: String,
    /// Description as HTML.
    pub summary_html: String,
    /// Organisation number.
    pub org_number: Option<String>,
    /// Web site.
    pub website: Option<String>,
    /// Logo.
    pub icon_url: Option<String>,
    /// Whether other servers may find its posts by full-text search.
    pub indexable: bool,
    /// Created.
    pub created: DateTime<Utc>,
}

impl AgencyView {
    /// Shapes a stored agency.
    pub fn new(state: &AppState, a: Agency) -> Self {
        Self {
            handle: state.handle(&a.slug),
            url: state.urls.agency(&a.slug).to_string(),
            slug: a.slug,
            name: a.name,
            summary: a.summary,
            summary_html: a.summary_html,
            org_number: a.org_number,
            website: a.website,
            icon_url: a.icon_url,
            indexable: a.indexable,
            created: a.created_at,
        }
    }
}

/// A comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentView {
    /// Local id.
    pub id: i64,
    /// The item.
    pub item_id: i64,
    /// The comment answered, if any.
    pub in_reply_to_id: Option<i64>,
    /// ActivityPub id.
    pub ap_id: String,
    /// Who wrote it.
    pub author: ActorRef,
    /// `public` or `unlisted`: nothing else is ever a comment.
    pub visibility: String,
    /// The author's content warning: show it, and the text only on request.
    pub content_warning: Option<String>,
    /// Marked sensitive by its author.
    pub sensitive: bool,
    /// Sanitised HTML.
    pub content_html: String,
    /// Language.
    pub language: Option<String>,
    /// Written.
    pub published: DateTime<Utc>,
    /// Edited.
    pub updated: Option<DateTime<Utc>>,
}

impl CommentView {
    /// Shapes a stored comment.
    pub fn new(state: &AppState, c: Comment) -> Self {
        let author = match c.author {
            CommentAuthor::Agency { slug, name } => ActorRef {
                origin: "local",
                handle: Some(state.handle(&slug)),
                actor_id: state.urls.agency(&slug).to_string(),
                slug: Some(slug),
                name: Some(name),
            },
            CommentAuthor::Remote {
                ap_id,
                handle,
                name,
                ..
            } => ActorRef {
                origin: "remote",
                slug: None,
                handle,
                name,
                actor_id: ap_id,
            },
        };
        Self {
            ap_id: c
                .ap_id
                .unwrap_or_else(|| state.urls.comment(c.id).to_string()),
            id: c.id,
            item_id: c.item_id,
            in_reply_to_id: c.in_reply_to_id,
            author,
            visibility: c.visibility.as_str().to_owned(),
            content_warning: c.content_warning,
            sensitive: c.sensitive,
            content_html: c.content_html,
            language: c.language,
            published: c.published_at,
            updated: c.updated_at,
        }
    }
}

/// Credentials for `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A new bearer token, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Body of `PUT /api/v1/agencies/{slug}/members/{username}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    /// `editor` (publishes, edits, comments, follows, shares) or `admin`
    /// (also manages the profile and the staff).
    pub role: String,
}

/// A staff member's role in an agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// Username.
    pub username: String,
    /// `editor` or `admin`.
    pub role: String,
    /// Whether the account is an instance admin as well.
    pub instance_admin: bool,
}

/// The caller: `GET /api/v1/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    /// Username.
    pub username: String,
    /// An instance admin acts for every agency.
    pub instance_admin: bool,
    /// The agencies the caller has a role in.
    pub agencies: Vec<MembershipView>,
}

/// One of the caller's roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipView {
    /// Agency slug.
    pub slug: String,
    /// Agency name.
    pub name: String,
    /// `editor` or `admin`.
    pub role: String,
}

/// Body of `POST /api/v1/agencies/{slug}/following`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowBody {
    /// `@user@host` or an actor URL.
    pub target: String,
}

/// An actor an agency follows.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowingView {
    /// The actor.
    pub actor: ActorRef,
    /// `pending`, `accepted` or `rejected`.
    pub state: String,
}

/// Body of `POST /api/v1/items/{id}/shares`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareBody {
    /// Slug of the agency that shares.
    pub agency: String,
}

/// Which agency's share `DELETE /api/v1/items/{id}/shares` takes back.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ShareQuery {
    /// The agency's slug.
    pub agency: String,
}

/// A local agency's share (boost) of an item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareView {
    /// Local id.
    pub id: i64,
    /// The `Announce` id followers receive.
    pub ap_id: String,
    /// The item shared.
    pub item_id: i64,
    /// The agency sharing it.
    pub agency: ActorRef,
    /// When.
    pub created: DateTime<Utc>,
}

/// One of an agency's shares with the item shared, as
/// `GET /api/v1/agencies/{slug}/shares` lists them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharedItemView {
    /// The share.
    pub share: ShareView,
    /// The item shared.
    pub item: ItemView,
}

impl ShareView {
    /// Shapes a share by `agency`.
    pub fn new(state: &AppState, s: &deling_store::queries::share::Share, agency: &Agency) -> Self {
        Self {
            id: s.id,
            ap_id: state.urls.share(s.id).to_string(),
            item_id: s.item_id,
            agency: ActorRef::local(state, agency),
            created: s.created_at,
        }
    }
}

impl ActorRef {
    /// A local agency.
    pub fn local(state: &AppState, a: &Agency) -> Self {
        Self {
            origin: "local",
            handle: Some(state.handle(&a.slug)),
            actor_id: state.urls.agency(&a.slug).to_string(),
            slug: Some(a.slug.clone()),
            name: Some(a.name.clone()),
        }
    }
}

/// Body of `PATCH /api/v1/comments/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentEditBody {
    /// The new text, Markdown.
    pub body: String,
}

/// Body of `POST /api/v1/items/{id}/comments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    /// Slug of the agency that speaks.
    pub agency: String,
    /// Markdown.
    pub body: String,
    /// Id of the comment this answers, if any.
    #[serde(default)]
    pub in_reply_to: Option<i64>,
}

/// A message in an agency's staff inbox (or the agency's answer to one).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    /// Local id.
    pub id: i64,
    /// `in` for a received message, `out` for the agency's answer.
    pub direction: &'static str,
    /// ActivityPub id.
    pub ap_id: String,
    /// Who wrote it: the remote author, or the agency.
    pub author: ActorRef,
    /// `public`, `unlisted`, `followers` (the author's followers and those
    /// named) or `direct` (only those named).
    pub visibility: String,
    /// The author's content warning: show it, and the text only on request.
    pub content_warning: Option<String>,
    /// Marked sensitive by its author.
    pub sensitive: bool,
    /// Sanitised HTML.
    pub content_html: String,
    /// Language.
    pub language: Option<String>,
    /// What it answers (an ActivityPub id), if anything.
    pub in_reply_to: Option<String>,
    /// The message here it answers, if any.
    pub in_reply_to_message_id: Option<i64>,
    /// The item it concerns, if it replies to one.
    pub item_id: Option<i64>,
    /// Primary addressees.
    pub to: Vec<String>,
    /// Secondary addressees.
    pub cc: Vec<String>,
    /// Written.
    pub published: DateTime<Utc>,
    /// Edited.
    pub updated: Option<DateTime<Utc>>,
}

impl MessageView {
    /// Shapes a stored message of agency `agency` (slug and name).
    pub fn new(
        state: &AppState,
        agency: &Agency,
        m: deling_store::queries::message::Message,
    ) -> Self {
        let (direction, ap_id, author) = match m.author {
            Some(a) => (
                "in",
                m.ap_id.unwrap_or_default(),
                ActorRef {
                    origin: "remote",
                    slug: None,
                    handle: a.handle,
                    name: a.name,
                    actor_id: a.ap_id,
                },
            ),
            None => (
                "out",
                state.urls.message(m.id).to_string(),
                ActorRef {
                    origin: "local",
                    handle: Some(state.handle(&agency.slug)),
                    actor_id: state.urls.agency(&agency.slug).to_string(),
                    slug: Some(agency.slug.clone()),
                    name: Some(agency.name.clone()),
                },
            ),
        };
        Self {
            id: m.id,
            direction,
            ap_id,
            author,
            visibility: m.visibility.as_str().to_owned(),
            content_warning: m.content_warning,
            sensitive: m.sensitive,
            content_html: m.content_html,
            language: m.language,
            in_reply_to: m.in_reply_to,
            in_reply_to_message_id: m.in_reply_to_message_id,
            item_id: m.item_id,
            to: m.addressed.to,
            cc: m.addressed.cc,
            published: m.published_at,
            updated: m.updated_at,
        }
    }
}

/// A page of an agency's staff inbox, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessagePage {
    /// The messages.
    pub messages: Vec<MessageView>,
    /// The query for the next (older) page, if there may be one.
    pub next: Option<String>,
}

/// Body of `POST /api/v1/agencies/{slug}/messages/{id}/replies`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageReplyBody {
    /// The answer, Markdown.
    pub body: String,
}
