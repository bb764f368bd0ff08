//! What the store hands out: entity rows, and items assembled with their
//! tags, links and owner.

use chrono::{DateTime, SubsecRound, Utc};
use deling_domain::item::{RawItem, RawLink};

/// A local agency.
pub type Agency = crate::entities::agency::Model;
/// A staff account.
pub type Staff = crate::entities::staff::Model;
/// An API token's row (its hash, never the secret).
pub type ApiToken = crate::entities::api_token::Model;
/// A staff member's web session (the cookie's secret is stored hashed).
pub type WebSession = crate::entities::web_session::Model;
/// This server's own row.
pub type Instance = crate::entities::instance::Model;
/// An actor on another server.
pub type RemoteActor = crate::entities::remote_actor::Model;

/// The current time at the precision both databases keep (microseconds), so
/// a value reads back exactly as it was written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Who owns (published) an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOwner {
    /// A local agency.
    Local {
        /// Agency id.
        agency_id: i64,
        /// Its slug.
        slug: String,
        /// Its display name.
        name: String,
    },
    /// An actor on another server.
    Remote {
        /// Remote actor row id.
        actor_id: i64,
        /// Its ActivityPub id.
        ap_id: String,
        /// `@user@domain`, when the actor has a preferred username.
        handle: Option<String>,
        /// Its display name.
        name: Option<String>,
    },
}

/// A link on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemLink {
    /// Target.
    pub href: String,
    /// Title.
    pub title: Option<String>,
    /// Media type.
    pub media_type: Option<String>,
}

/// A shared item with everything needed to show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Local id.
    pub id: i64,
    /// ActivityPub id for remote items; local items derive theirs.
    pub ap_id: Option<String>,
    /// Who published it.
    pub owner: ItemOwner,
    /// Kind name.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Plain summary.
    pub summary: String,
    /// Markdown source (empty for remote items).
    pub body: String,
    /// Sanitised HTML body.
    pub body_html: String,
    /// BCP 47 language.
    pub language: String,
    /// License.
    pub license: Option<String>,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Links, in the order given.
    pub links: Vec<ItemLink>,
    /// Kind-specific metadata.
    pub metadata: serde_json::Value,
    /// The item this one adapts.
    pub based_on: Option<String>,
    /// HTML page of a remote item.
    pub url: Option<String>,
    /// First published.
    pub published_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When withdrawn; a withdrawn item is a tombstone.
    pub deleted_at: Option<DateTime<Utc>>,
    /// When its agency pinned it to its profile, if it is pinned.
    pub pinned_at: Option<DateTime<Utc>>,
    /// Likes, boosts and shown comments, as kept with the row.
    pub counts: crate::queries::item::ItemCounts,
}

impl Item {
    /// The stored content as raw input, to merge a partial update over.
    pub fn to_raw(&self) -> RawItem {
        RawItem {
            kind: Some(self.kind.clone()),
            title: Some(self.title.clone()),
            summary: Some(self.summary.clone()),
            body: Some(self.body.clone()),
            language: Some(self.language.clone()),
            tags: Some(self.tags.clone()),
            license: Some(self.license.clone()),
            links: Some(
                self.links
                    .iter()
                    .map(|l| RawLink {
                        href: l.href.clone(),
                        title: l.title.clone(),
                        media_type: l.media_type.clone(),
                    })
                    .collect(),
            ),
            metadata: Some(self.metadata.clone()),
            based_on: Some(self.based_on.clone()),
        }
    }

    /// The owning agency's id, for a local item.
    pub fn agency_id(&self) -> Option<i64> {
        match self.owner {
            ItemOwner::Local { agency_id, .. } => Some(agency_id),
            ItemOwner::Remote { .. } => None,
        }
    }
}

/// A comment's author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentAuthor {
    /// A local agency.
    Agency {
        /// Slug.
        slug: String,
        /// Display name.
        name: String,
    },
    /// A remote actor.
    Remote {
        /// ActivityPub id.
        ap_id: String,
        /// `@user@domain`.
        handle: Option<String>,
        /// Display name.
        name: Option<String>,
        /// Profile page.
        url: Option<String>,
    },
}

/// A comment on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Local id.
    pub id: i64,
    /// ActivityPub id of a remote comment.
    pub ap_id: Option<String>,
    /// The item it belongs to.
    pub item_id: i64,
    /// The comment it answers, if any.
    pub in_reply_to_id: Option<i64>,
    /// Who wrote it.
    pub author: CommentAuthor,
    /// Its content warning, shown before the text.
    pub content_warning: Option<String>,
    /// Marked sensitive by its author.
    pub sensitive: bool,
    /// How it was addressed: always public or unlisted, since nothing
    /// else is filed as a comment.
    pub visibility: deling_domain::audience::Visibility,
    /// Sanitised HTML.
    pub content_html: String,
    /// Language, when known.
    pub language: Option<String>,
    /// When written.
    pub published_at: DateTime<Utc>,
    /// When last edited.
    pub updated_at: Option<DateTime<Utc>>,
}

/// Builds `@user@domain` from a remote actor's fields.
pub fn handle_of(actor: &RemoteActor) -> Option<String> {
    actor
        .preferred_username
        .as_ref()
        .map(|u| format!("@{u}@{}", actor.domain))
}
