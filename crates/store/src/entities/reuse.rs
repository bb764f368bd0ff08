//! The `reuse` table: declarations that an agency uses or adapted an item.

use sea_orm::entity::prelude::*;

/// A row of `reuse`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reuse")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ap_id: Option<String>,
    pub item_id: i64,
    pub agency_id: Option<i64>,
    pub remote_actor_id: Option<i64>,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
