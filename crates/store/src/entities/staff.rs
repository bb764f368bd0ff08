//! The `staff` table: staff accounts (not federated).

use sea_orm::entity::prelude::*;

/// A row of `staff`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub password_hash: String,
    pub instance_admin: bool,
    pub created_at: DateTimeUtc,
    pub disabled_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
