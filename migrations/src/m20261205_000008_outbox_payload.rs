//! `outbox_event.payload`: what an outbox event needs to build its
//! activity when no kept row holds it (a Follow's Undo after the Follow
//! is gone, the Follow an Accept embeds), so that every outgoing activity,
//! Follow, Undo and Accept included, is queued as an outbox event. Text, not
//! `json`: PostgreSQL takes bound JSON as `jsonb`, which would reorder the
//! fields of the Follow an Accept embeds as it was received.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("outbox_event")
                .add_column(text_null("payload"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("outbox_event")
                .drop_column("payload")
                .take(),
        )
        .await
    }
}
