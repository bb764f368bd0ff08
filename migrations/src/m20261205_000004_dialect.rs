//! Which remote actors speak Deling: they read an item as a `Page` with
//! its metadata, while the microblogging servers of everyone else are sent
//! a `Note` they show well and apply edits to.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("remote_actor")
                .add_column(boolean("speaks_deling").default(false))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("remote_actor")
                .drop_column("speaks_deling")
                .take(),
        )
        .await
    }
}
