//! The `outbox_event` table: local changes waiting to be fanned out.

use sea_orm::entity::prelude::*;

/// A row of `outbox_event`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub agency_id: Option<i64>,
    pub item_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub share_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
    pub message_id: Option<i64>,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
