//! The `message` table: an agency's staff inbox. Direct messages,
//! followers-only replies and mentions outside a public thread, and the
//! agency's answers to them. Never read by a public route.

use sea_orm::entity::prelude::*;

/// A row of `message`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agency_id: i64,
    pub ap_id: Option<String>,
    pub author_remote_actor_id: Option<i64>,
    pub in_reply_to: Option<String>,
    pub in_reply_to_message_id: Option<i64>,
    pub item_id: Option<i64>,
    pub visibility: String,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub content_source: Option<String>,
    pub content_html: String,
    pub language: Option<String>,
    pub audience: String,
    pub published_at: DateTimeUtc,
    pub updated_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// When it was held for the agency's staff to release (its author's
    /// host silenced); `None` once released, and for what was let through.
    pub held_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
