//! The `host_state` table: delivery health of each peer host.

use sea_orm::entity::prelude::*;

/// A row of `host_state`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "host_state")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub host: String,
    pub consecutive_failures: i32,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub unreachable_since: Option<DateTimeUtc>,
    pub last_success_at: Option<DateTimeUtc>,
    pub last_failure_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    /// The HTTP signature style the host last took: `rfc9421` or `cavage`.
    pub signature_style: Option<String>,
    /// When `signature_style` was learnt.
    pub signature_style_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
