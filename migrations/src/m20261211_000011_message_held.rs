//! A message held for the agency's staff to release (`held_at`, when it
//! was held): one whose author's host the operator silenced. Held
//! messages stay out of the staff inbox's listing and counts until
//! released; the rows received before this version were let through as
//! they came, so they have none and stay as they are. Indexed with the
//! agency, so the list of an agency's held messages is one index range
//! rather than a walk through its whole inbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "message";
const INDEX: &str = "idx_message_agency_id_held_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(TABLE)
                .add_column(timestamp_with_time_zone_null("held_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(TABLE)
                .col("agency_id")
                .col("held_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table(TABLE).to_owned())
            .await?;
        m.alter_table(Table::alter().table(TABLE).drop_column("held_at").take())
            .await
    }
}
