//! The `comment` table: replies to items, from local agencies or remote actors.

use sea_orm::entity::prelude::*;

/// A row of `comment`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ap_id: Option<String>,
    pub item_id: i64,
    pub in_reply_to_id: Option<i64>,
    pub author_agency_id: Option<i64>,
    pub author_remote_actor_id: Option<i64>,
    pub content_source: Option<String>,
    pub content_html: String,
    pub language: Option<String>,
    pub published_at: DateTimeUtc,
    pub updated_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub hidden_at: Option<DateTimeUtc>,
    pub visibility: String,
    pub summary: Option<String>,
    pub sensitive: bool,
    /// When a remote comment arrived here (this server's clock), for the
    /// per-author quota; none for comments written here.
    pub received_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
