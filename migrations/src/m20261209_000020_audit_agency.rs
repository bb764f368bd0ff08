//! The agency an audit entry concerns, when it concerns one: so that an
//! agency's admins can read what was done in its name (by its own staff,
//! by an instance admin from outside it, by the operator's command line)
//! without reading the whole instance's log. Entries written before this
//! migration carry none.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "audit_log";
const INDEX: &str = "idx_audit_log_agency_id_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(TABLE)
                .add_column(big_integer_null("agency_id"))
                .take(),
        )
        .await?;
        // An agency's page of its entries, newest first.
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(TABLE)
                .col("agency_id")
                .col("id")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table(TABLE).to_owned())
            .await?;
        m.alter_table(Table::alter().table(TABLE).drop_column("agency_id").take())
            .await
    }
}
