//! The `private_object` table: remote objects their authors sent here as
//! not public, so that no later public version of them is published.

use sea_orm::entity::prelude::*;

/// A row of `private_object`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "private_object")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ap_id: String,
    pub remote_actor_id: i64,
    pub seen_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
