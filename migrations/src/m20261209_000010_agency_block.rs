//! Remote actors one agency has blocked: what they send that concerns
//! that agency (a follow, a comment on its items, a message, a like or a
//! boost) is refused, while the rest of the instance still hears them.
//! An editor's block; a block for the whole instance (`actor_block`) is
//! an instance administrator's.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "agency_block";
const INDEX: &str = "idx_agency_block_actor_agency_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TABLE)
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("agency_id"))
                .col(string("actor"))
                .col(text_null("reason"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;
        // Looked up by actor (is this sender blocked by these agencies?);
        // one block per agency and actor.
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(TABLE)
                .col("actor")
                .col("agency_id")
                .unique()
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TABLE).to_owned()).await
    }
}
