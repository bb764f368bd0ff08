//! The `item_tally` table: how many items each listing holds, kept by
//! triggers on `item` so that a page never counts the table.

use sea_orm::entity::prelude::*;

/// A row of `item_tally`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "item_tally")]
pub struct Model {
    /// `local`, `remote` or `agency:<id>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    /// Items in that listing that are not withdrawn.
    pub n: i64,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
