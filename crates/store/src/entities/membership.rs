//! The `membership` table: a staff member's role in an agency.

use sea_orm::entity::prelude::*;

/// A row of `membership`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub staff_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub agency_id: i64,
    pub role: String,
    pub created_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
