//! The `remote_actor` table: actors on other servers we have met.

use sea_orm::entity::prelude::*;

/// A row of `remote_actor`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "remote_actor")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub actor_type: String,
    pub domain: String,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub url: Option<String>,
    pub icon_url: Option<String>,
    pub summary_html: Option<String>,
    pub public_key_pem: Option<String>,
    pub fetched_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub followers: Option<String>,
    pub speaks_deling: bool,
    pub moved_to: Option<String>,
    pub moved_at: Option<DateTimeUtc>,
    /// The registrable domain of `domain` (`deling_domain::site`), which
    /// the caps on one server's followers count by.
    pub site: String,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
