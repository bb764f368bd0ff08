//! Federation policy and moderation: domain blocks (or an allow list),
//! blocked actors, reports received as `Flag`, and an audit log of every
//! administrative and moderation action.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // `blocklist`: everyone federates but blocked domains; `allowlist`:
        // only domains listed with severity `allow` do.
        m.alter_table(
            Table::alter()
                .table("instance")
                .add_column(string("federation_mode").default("blocklist"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("domain_policy")
                .col(big_pk_auto("id"))
                .col(string_uniq("domain"))
                .col(string("severity"))
                .col(text_null("public_comment"))
                .col(text_null("private_comment"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("actor_block")
                .col(big_pk_auto("id"))
                .col(string_uniq("actor"))
                .col(text_null("reason"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("report")
                .col(big_pk_auto("id"))
                .col(string_uniq("ap_id"))
                .col(string("reporter"))
                .col(text("content"))
                .col(json("objects"))
                .col(string("status"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_report_status_created_at")
                .table("report")
                .col("status")
                .col("created_at")
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(big_integer_null("staff_id"))
                .col(string("actor"))
                .col(string("action"))
                .col(string("target"))
                .col(json("details"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_log_created_at")
                .table("audit_log")
                .col("created_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["audit_log", "report", "actor_block", "domain_policy"] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        m.alter_table(
            Table::alter()
                .table("instance")
                .drop_column("federation_mode")
                .take(),
        )
        .await
    }
}
