//! Whether an agency's posts may be found by full-text search on other
//! servers (Mastodon 4.2+ reads `indexable` on the actor). On by default:
//! public bodies share to be found.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("agency")
                .add_column(boolean("indexable").default(true))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("agency")
                .drop_column("indexable")
                .take(),
        )
        .await
    }
}
