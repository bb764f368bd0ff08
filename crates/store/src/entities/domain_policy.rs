//! The `domain_policy` table: blocked (or, in allow-list mode, allowed) peer domains.

use sea_orm::entity::prelude::*;

/// A row of `domain_policy`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_policy")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub domain: String,
    pub severity: String,
    pub public_comment: Option<String>,
    pub private_comment: Option<String>,
    pub created_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
