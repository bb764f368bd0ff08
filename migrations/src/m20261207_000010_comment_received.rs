//! When a remote comment arrived here, by this server's clock: what the
//! per-author hourly quota of public comments counts (a comment's
//! `published` is the sender's word, and a flood dated last year would
//! escape a count by it). Indexed with its author, so the count is one
//! index range. Comments written here, and those received before this
//! version, have none and count for nothing.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_comment_author_remote_actor_id_received_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("comment")
                .add_column(timestamp_with_time_zone_null("received_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(INDEX)
                .table("comment")
                .col("author_remote_actor_id")
                .col("received_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table("comment").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("comment")
                .drop_column("received_at")
                .take(),
        )
        .await
    }
}
