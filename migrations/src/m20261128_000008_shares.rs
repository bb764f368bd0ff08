//! Shares: a local agency boosting (`Announce`) an item, its own, another
//! local agency's or a peer's, to its followers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_{col}"))
        .from(from, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A share taken back keeps its row (with `undone_at`): its Announce
        // id answers 410 Gone and its queued Undo can still be built.
        // Sharing again adds a row, so a new Announce id that peers do not
        // take for a replay. At most one share per agency and item is
        // current, which a partial unique index keeps (the same SQL on
        // SQLite and PostgreSQL).
        m.create_table(
            Table::create()
                .table("share")
                .col(big_pk_auto("id"))
                .col(big_integer("agency_id"))
                .col(big_integer("item_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("undone_at"))
                .foreign_key(&mut fk("share", "agency_id", "agency"))
                .foreign_key(&mut fk("share", "item_id", "item"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_share_item_id_agency_id")
                .table("share")
                .col("item_id")
                .col("agency_id")
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_share_current ON share (agency_id, item_id) \
                 WHERE undone_at IS NULL",
            )
            .await?;
        // The Undo of a share is built from the event after the fact.
        m.alter_table(
            Table::alter()
                .table("outbox_event")
                .add_column(big_integer_null("share_id"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("outbox_event")
                .drop_column("share_id")
                .take(),
        )
        .await?;
        m.drop_table(Table::drop().table("share").take()).await
    }
}
