//! The `delivery` table: one activity to one inbox, retried until done.

use sea_orm::entity::prelude::*;

/// `status`: waiting for (another) attempt.
pub const STATUS_PENDING: &str = "pending";
/// Delivered (2xx).
pub const STATUS_DONE: &str = "done";
/// Given up: refused for good, or out of retries.
pub const STATUS_FAILED: &str = "failed";

/// A row of `delivery`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub activity_id: String,
    pub agency_id: Option<i64>,
    pub inbox: String,
    pub host: String,
    /// The activity's JSON, in `delivery_body` (one per activity and
    /// form, shared by all its inboxes).
    pub body_id: i64,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
