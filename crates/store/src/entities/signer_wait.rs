//! The `signer_wait` table: until when one signer's deliveries to one host
//! wait, after the host refused its signature (`401`).

use sea_orm::entity::prelude::*;

/// A row of `signer_wait`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signer_wait")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub host: String,
    /// The signing agency's id; 0 for the instance actor.
    #[sea_orm(primary_key, auto_increment = false)]
    pub signer: i64,
    pub next_attempt_at: DateTimeUtc,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
