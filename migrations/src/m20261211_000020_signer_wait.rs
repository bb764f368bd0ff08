//! Until when one signer's deliveries to one host wait: the host answered
//! `401` to that agency's signatures (or the instance actor's, signer 0).
//! Deliveries queued meanwhile wait as long, so they go after the one
//! refused, in queue order (as `host_state` does for a host that fails).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "signer_wait";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TABLE)
                .col(string("host"))
                .col(big_integer("signer"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .primary_key(Index::create().col("host").col("signer"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TABLE).take()).await
    }
}
