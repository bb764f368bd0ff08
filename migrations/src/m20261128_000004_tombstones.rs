//! Tombstones of remote objects deleted before we held them, so that a
//! Create delivered after its Delete (deliveries are not ordered) cannot
//! bring the object back.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tombstone")
                .col(big_pk_auto("id"))
                .col(string_uniq("ap_id"))
                .col(big_integer("remote_actor_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_tombstone_remote_actor_id")
                        .from("tombstone", "remote_actor_id")
                        .to("remote_actor", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tombstone_created_at")
                .table("tombstone")
                .col("created_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("tombstone").take()).await
    }
}
