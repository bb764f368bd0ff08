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
    /// The key pair replaced by the last rotation, kept while the `Update`
    /// announcing the new key may still be signed with it.
    pub previous_public_key_pem: Option<String>,
    /// See `previous_public_key_pem`.
    pub previous_private_key_pem: Option<String>,
    /// When the previous key pair stops being used (and is erased).
    pub previous_key_expires_at: Option<DateTimeUtc>,
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
