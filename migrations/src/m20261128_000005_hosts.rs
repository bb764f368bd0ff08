//! Delivery state per peer host, so a host that is down is probed by one
//! delivery at a time instead of being hammered by all of them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("host_state")
                .col(string("host").primary_key())
                .col(integer("consecutive_failures"))
                .col(timestamp_with_time_zone_null("next_attempt_at"))
                .col(timestamp_with_time_zone_null("unreachable_since"))
                .col(timestamp_with_time_zone_null("last_success_at"))
                .col(timestamp_with_time_zone_null("last_failure_at"))
                .col(text_null("last_error"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("host_state").take()).await
    }
}
