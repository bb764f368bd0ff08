//! The `audit_log` table: every administrative and moderation action.

use sea_orm::entity::prelude::*;

/// A row of `audit_log`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub staff_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: Json,
    pub created_at: DateTimeUtc,
    pub agency_id: Option<i64>,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
