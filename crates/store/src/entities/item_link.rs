//! The `item_link` table: an item's links and attachments, in order.

use sea_orm::entity::prelude::*;

/// A row of `item_link`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "item_link")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_id: i64,
    pub position: i32,
    pub href: String,
    pub title: Option<String>,
    pub media_type: Option<String>,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
