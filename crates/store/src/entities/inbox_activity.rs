//! The `inbox_activity` table: verified incoming activities.

use sea_orm::entity::prelude::*;

/// A row of `inbox_activity`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbox_activity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unique only with `signer`: an id is its sender's word, and one
    /// sender cannot take it from another.
    pub ap_id: String,
    /// The actor whose key verified the delivery (the activity's actor,
    /// or a server that relayed it).
    pub signer: String,
    pub actor: String,
    pub kind: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub received_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
