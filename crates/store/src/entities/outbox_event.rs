//! The `outbox_event` table: local changes waiting to be fanned out.

use sea_orm::entity::prelude::*;

/// What an outbox event announces: one kind per outgoing activity. Stored
/// as the text it always was (`item_create`, ...), so rows written before
/// the kinds were typed still read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum OutboxKind {
    /// An item published: its `Create`.
    #[sea_orm(string_value = "item_create")]
    ItemCreate,
    /// An item edited: an `Update` of it.
    #[sea_orm(string_value = "item_update")]
    ItemUpdate,
    /// An item withdrawn: its `Delete`.
    #[sea_orm(string_value = "item_delete")]
    ItemDelete,
    /// An agency pinned one of its items: an `Add` to its featured
    /// collection.
    #[sea_orm(string_value = "item_pin")]
    ItemPin,
    /// An agency unpinned an item: a `Remove` from its featured collection.
    #[sea_orm(string_value = "item_unpin")]
    ItemUnpin,
    /// A local agency commented: the `Create` of its `Note`.
    #[sea_orm(string_value = "comment_create")]
    CommentCreate,
    /// A local agency edited one of its comments: an `Update`.
    #[sea_orm(string_value = "comment_update")]
    CommentUpdate,
    /// A local agency deleted one of its comments: a `Delete`.
    #[sea_orm(string_value = "comment_delete")]
    CommentDelete,
    /// A local agency shared (boosted) an item: an `Announce`.
    #[sea_orm(string_value = "share_create")]
    ShareCreate,
    /// A local agency took a share back: the `Undo` of its `Announce`.
    #[sea_orm(string_value = "share_undo")]
    ShareUndo,
    /// A local agency answered a message in its staff inbox: a `Create`.
    #[sea_orm(string_value = "message_create")]
    MessageCreate,
    /// An agency's profile (or other names) changed: an `Update` of its actor.
    #[sea_orm(string_value = "agency_update")]
    AgencyUpdate,
    /// An agency's key pair was rotated: an `Update` of its actor carrying
    /// the new key, signed with the old, to its followers and those it
    /// follows.
    #[sea_orm(string_value = "agency_key_rotate")]
    AgencyKeyRotate,
    /// An agency was withdrawn: a `Delete` of its actor.
    #[sea_orm(string_value = "agency_delete")]
    AgencyDelete,
    /// An agency moved to an actor elsewhere: a `Move` to its followers.
    #[sea_orm(string_value = "agency_move")]
    AgencyMove,
    /// An agency asked to follow a remote actor: the `Follow`
    /// (payload: [`crate::queries::outbox::FollowSent`]).
    #[sea_orm(string_value = "follow")]
    Follow,
    /// An agency stopped following a remote actor: the `Undo` of its
    /// Follow (payload: [`crate::queries::outbox::FollowUndone`]).
    #[sea_orm(string_value = "follow_undo")]
    FollowUndo,
    /// A remote actor's Follow of an agency was recorded: the `Accept`
    /// (payload: [`crate::queries::outbox::FollowAccepted`]).
    #[sea_orm(string_value = "follow_accept")]
    FollowAccept,
    /// A remote actor's Follow of an agency was refused, or a follow
    /// accepted before was ended, because the agency blocks the actor (or
    /// a Follow because its server is at a cap of followers,
    /// [`crate::queries::follower_cap`]): the `Reject` (payload: [`crate::queries::outbox::FollowRejected`]).
    #[sea_orm(string_value = "follow_reject")]
    FollowReject,
    /// Staff of an agency reported a remote comment on its item: a `Flag`
    /// to the author's server (payload:
    /// [`crate::queries::outbox::FlagSent`]).
    #[sea_orm(string_value = "comment_flag")]
    CommentFlag,
}

/// A row of `outbox_event`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: OutboxKind,
    pub agency_id: Option<i64>,
    pub item_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub share_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
    pub message_id: Option<i64>,
    /// What the activity needs that no kept row holds, as JSON text (see
    /// `queries::outbox`); `None` for kinds that name their rows.
    pub payload: Option<String>,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
