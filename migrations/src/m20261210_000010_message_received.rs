//! An index to count the messages one remote actor sent lately, for the
//! hourly quota on what reaches the agencies' staff inboxes (as the
//! comments' quota counts by `idx_comment_author_remote_actor_id_received_at`).
//! A message's `created_at` is when it arrived here.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "message";
const INDEX: &str = "idx_message_author_remote_actor_id_created_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(TABLE)
                .col("author_remote_actor_id")
                .col("created_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table(TABLE).to_owned())
            .await
    }
}
