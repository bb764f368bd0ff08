//! Objects their authors sent here as not public (direct or followers-
//! only), by id and author: so that a public version arriving later (an
//! earlier Create retried after the author narrowed it, or the same id
//! sent again as a `Page`) is never published as a comment or catalogued
//! as an item, even when nothing of it was kept (it named no one here).
//! Pruned after 30 days, long after any peer stops retrying.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "private_object";
const INDEX: &str = "idx_private_object_ap_id_remote_actor_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TABLE)
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(string("ap_id"))
                .col(big_integer("remote_actor_id"))
                .col(timestamp_with_time_zone("seen_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(TABLE)
                .col("ap_id")
                .col("remote_actor_id")
                .unique()
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TABLE).to_owned()).await
    }
}
