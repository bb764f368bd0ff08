//! Pinned items: an agency features a few of its items at the top of its
//! profile (the actor's `featured` collection).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("item")
                .add_column(timestamp_with_time_zone_null("pinned_at"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("item").drop_column("pinned_at").take())
            .await
    }
}
