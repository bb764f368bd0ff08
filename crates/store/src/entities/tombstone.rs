//! The `tombstone` table: remote objects deleted before we held them, by
//! whom. An id is unique with its actor (an index), not alone: the id is
//! only as good as the actor who named it.

use sea_orm::entity::prelude::*;

/// A row of `tombstone`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tombstone")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ap_id: String,
    pub remote_actor_id: i64,
    pub created_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
