//! Failed logins per username, so that guessing a password locks the name
//! for a while, and every server process sees the same lock.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("login_attempt")
                .col(string("username").primary_key())
                .col(integer("failures"))
                .col(timestamp_with_time_zone("last_failure_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_attempt_last_failure_at")
                .table("login_attempt")
                .col("last_failure_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("login_attempt").take())
            .await
    }
}
