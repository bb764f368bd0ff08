//! The `agency` table: local agencies, each an ActivityPub actor.

use sea_orm::entity::prelude::*;

/// A row of `agency`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agency")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub summary_html: String,
    pub icon_url: Option<String>,
    pub website: Option<String>,
    pub org_number: Option<String>,
    pub public_key_pem: String,
    pub private_key_pem: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    pub also_known_as: String,
    pub moved_to: Option<String>,
    pub moved_at: Option<DateTimeUtc>,
    pub indexable: bool,
}

/// Relations are followed with explicit queries in `queries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
