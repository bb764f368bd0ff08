//! Staff sessions of the web pages, kept in the database so that every
//! server process behind a load balancer knows them. Only a hash of the
//! cookie's secret is stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("web_session")
                .col(big_pk_auto("id"))
                .col(big_integer("staff_id"))
                .col(string_uniq("secret_hash"))
                .col(string("csrf_token"))
                .col(string("via"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_web_session_staff_id")
                        .from("web_session", "staff_id")
                        .to("staff", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_web_session_staff_id")
                .table("web_session")
                .col("staff_id")
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_web_session_expires_at")
                .table("web_session")
                .col("expires_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("web_session").take())
            .await
    }
}
