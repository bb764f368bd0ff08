//! Rotating an agency's own key pair: the key it replaced is kept, with
//! the time it stops being used, so the `Update` that announces the new
//! key can be signed with the key followers still hold.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 3] = [
    "previous_public_key_pem",
    "previous_private_key_pem",
    "previous_key_expires_at",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for column in [
            text_null(COLUMNS[0]),
            text_null(COLUMNS[1]),
            timestamp_with_time_zone_null(COLUMNS[2]),
        ] {
            m.alter_table(Table::alter().table("agency").add_column(column).take())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            m.alter_table(Table::alter().table("agency").drop_column(column).take())
                .await?;
        }
        Ok(())
    }
}
