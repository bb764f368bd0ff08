//! Which HTTP signature style each peer host took (RFC 9421 or
//! draft-cavage) and when that was learnt, so deliveries knock once with
//! the style that works and try RFC 9421 again now and then.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 2] = ["signature_style", "signature_style_at"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for column in [
            text_null(COLUMNS[0]),
            timestamp_with_time_zone_null(COLUMNS[1]),
        ] {
            m.alter_table(Table::alter().table("host_state").add_column(column).take())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            m.alter_table(
                Table::alter()
                    .table("host_state")
                    .drop_column(column)
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
