//! Comments on items: the types here; an agency's own comments (`own`:
//! written, edited, deleted, each with its outbox event), comments
//! received from peers (`received`), reading them (`read`), an item's
//! comments a page at a time (`page`) and moderating them (`moderation`)
//! in the submodules.

mod moderation;
mod own;
mod page;
mod read;
mod received;

pub use page::{CommentCursor, CommentPage, CommentsFrom};

use crate::entities::comment;
use crate::records::{Comment, now};
use chrono::{DateTime, Utc};
use deling_domain::audience::Visibility;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

/// A comment from a remote actor, already sanitised.
#[derive(Debug, Clone)]
pub struct RemoteCommentData {
    /// Its ActivityPub id.
    pub ap_id: String,
    /// The item it belongs to.
    pub item_id: i64,
    /// The comment it answers.
    pub in_reply_to_id: Option<i64>,
    /// Its author.
    pub author_remote_actor_id: i64,
    /// Sanitised HTML.
    pub content_html: String,
    /// Language.
    pub language: Option<String>,
    /// Written.
    pub published_at: DateTime<Utc>,
    /// Held hidden for a moderator (the author's domain is silenced, or
    /// the author is past the hourly quota of comments).
    pub hidden: bool,
    /// Public or unlisted: nothing else may be filed as a comment.
    pub visibility: PublicVisibility,
    /// Content warning.
    pub content_warning: Option<String>,
    /// Marked sensitive.
    pub sensitive: bool,
}

/// What public reads of comments accept: a second guard behind
/// [`PublicVisibility`], so a damaged row is never shown.
pub(crate) const PUBLIC_VISIBILITIES: [&str; 2] = ["public", "unlisted"];

/// The two visibilities a comment may have. A separate type, so that a
/// followers-only or direct post cannot be filed as a public comment by
/// mistake: the caller must decide, and has nothing to pass for those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicVisibility {
    /// Addressed to the public.
    Public,
    /// Public in copy only.
    Unlisted,
}

impl PublicVisibility {
    /// The visibility a post must have to be a comment, if it has it.
    pub fn of(v: Visibility) -> Option<Self> {
        match v {
            Visibility::Public => Some(Self::Public),
            Visibility::Unlisted => Some(Self::Unlisted),
            Visibility::Followers | Visibility::Direct => None,
        }
    }

    fn visibility(self) -> Visibility {
        match self {
            Self::Public => Visibility::Public,
            Self::Unlisted => Visibility::Unlisted,
        }
    }
}

/// A comment as moderators see it: hidden ones included.
#[derive(Debug, Clone)]
pub struct ModeratedComment {
    /// The comment.
    pub comment: Comment,
    /// The item it belongs to.
    pub item_id: i64,
    /// Whether it is hidden.
    pub hidden: bool,
    /// The remote author's id, if remote.
    pub remote_author: Option<String>,
}

/// An UPDATE that turns the comments it is narrowed to (by further
/// filters) into tombstones: content erased, `deleted_at` set. The row
/// stays, so a late Create or Update of the same id cannot bring it back.
pub(crate) fn tombstone_comments() -> sea_orm::UpdateMany<comment::Entity> {
    comment::Entity::update_many()
        .col_expr(comment::Column::DeletedAt, Expr::value(Some(now())))
        .col_expr(comment::Column::ContentHtml, Expr::value(String::new()))
        .col_expr(
            comment::Column::ContentSource,
            Expr::value(Option::<String>::None),
        )
        // A content warning says what the text was about: it goes with it.
        .col_expr(
            comment::Column::Summary,
            Expr::value(Option::<String>::None),
        )
        .filter(comment::Column::DeletedAt.is_null())
}

/// A comment in whatever state it is, from [`crate::Store::get_comment_any`].
#[derive(Debug, Clone)]
pub struct CommentState {
    /// The comment (content erased once deleted).
    pub comment: Comment,
    /// The item it is on.
    pub item: crate::records::Item,
    /// When it was deleted, if it was.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Hidden by a moderator.
    pub hidden: bool,
}
