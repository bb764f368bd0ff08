//! The `reaction` table: likes and boosts of items by remote actors.

use sea_orm::entity::prelude::*;

/// A row of `reaction`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reaction")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ap_id: Option<String>,
    pub item_id: i64,
    pub remote_actor_id: i64,
    pub kind: String,
    pub created_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
