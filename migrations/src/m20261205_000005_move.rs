//! Moving accounts: an agency's other names (`alsoKnownAs`, which a peer
//! checks before it lets an account move to it) and where it moved
//! (`movedTo`), and the same of remote actors whose Move we followed, so
//! a Move is not acted on again too soon.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite alters one column per statement.
async fn add_column(
    m: &SchemaManager<'_>,
    table: &'static str,
    col: ColumnDef,
) -> Result<(), DbErr> {
    let mut col = col;
    m.alter_table(Table::alter().table(table).add_column(&mut col).take())
        .await
}

async fn drop_column(
    m: &SchemaManager<'_>,
    table: &'static str,
    col: &'static str,
) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).drop_column(col).take())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A JSON array of actor ids; most agencies never have one.
        add_column(m, "agency", text("also_known_as").default("[]").take()).await?;
        add_column(m, "agency", string_null("moved_to")).await?;
        add_column(m, "agency", timestamp_with_time_zone_null("moved_at")).await?;
        add_column(m, "remote_actor", string_null("moved_to")).await?;
        add_column(m, "remote_actor", timestamp_with_time_zone_null("moved_at")).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_column(m, "remote_actor", "moved_at").await?;
        drop_column(m, "remote_actor", "moved_to").await?;
        drop_column(m, "agency", "moved_at").await?;
        drop_column(m, "agency", "moved_to").await?;
        drop_column(m, "agency", "also_known_as").await
    }
}
