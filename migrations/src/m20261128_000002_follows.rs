//! Follow relations: remote actors following local agencies, and local
//! agencies following remote actors (with the state of their Follow).

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
        // Remote actor follows local agency; the Follow's id is kept so that
        // an Undo can be matched and an Accept can reference it.
        m.create_table(
            Table::create()
                .table("follower")
                .col(big_pk_auto("id"))
                .col(big_integer("agency_id"))
                .col(big_integer("remote_actor_id"))
                .col(string("follow_ap_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("follower", "agency_id", "agency"))
                .foreign_key(&mut fk("follower", "remote_actor_id", "remote_actor"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_follower_agency_id_remote_actor_id")
                .table("follower")
                .col("agency_id")
                .col("remote_actor_id")
                .unique()
                .take(),
        )
        .await?;

        // Local agency follows remote actor: pending until Accept arrives.
        m.create_table(
            Table::create()
                .table("following")
                .col(big_pk_auto("id"))
                .col(big_integer("agency_id"))
                .col(big_integer("remote_actor_id"))
                .col(string("follow_ap_id"))
                .col(string("state"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("following", "agency_id", "agency"))
                .foreign_key(&mut fk("following", "remote_actor_id", "remote_actor"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_following_agency_id_remote_actor_id")
                .table("following")
                .col("agency_id")
                .col("remote_actor_id")
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_following_follow_ap_id")
                .table("following")
                .col("follow_ap_id")
                .unique()
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("following").take())
            .await?;
        m.drop_table(Table::drop().table("follower").take()).await?;
        Ok(())
    }
}
