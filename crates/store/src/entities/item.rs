//! The `item` table: shared items, local (agency_id) and remote (remote_actor_id).

use sea_orm::entity::prelude::*;

/// A row of `item`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ap_id: Option<String>,
    pub agency_id: Option<i64>,
    pub remote_actor_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub body_html: String,
    pub language: String,
    pub license: Option<String>,
    pub metadata: Json,
    pub based_on: Option<String>,
    pub url: Option<String>,
    pub published_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    pub pinned_at: Option<DateTimeUtc>,
    /// Likes, kept by a trigger (see the `counts` migration).
    pub like_count: i64,
    /// Announces and current local shares, kept by triggers.
    pub share_count: i64,
    /// Shown comments (public or unlisted, not deleted or hidden), kept by a trigger.
    pub comment_count: i64,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
