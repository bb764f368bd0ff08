//! The `delivery_body` table: an outgoing activity's JSON, stored once for
//! all the deliveries (one per inbox) that send it.

use sea_orm::entity::prelude::*;

/// A row of `delivery_body`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery_body")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub body: String,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
