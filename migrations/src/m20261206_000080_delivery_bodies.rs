//! An activity's body is stored once, not once per inbox: `delivery`
//! rows name their body in `delivery_body` (`body_id`) instead of holding
//! a copy. An item to followers on 1,000 servers wrote 1,000 copies of the
//! same JSON, and every claim and every "done" rewrote each row with its
//! copy: on SQLite a page per delivery, three times over, all on the one
//! writer the whole queue waits for. Existing rows keep their bodies
//! (moved over, one each); bodies no delivery names any more are pruned
//! with the finished deliveries.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_delivery_body_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("delivery_body")
                .col(big_pk_auto("id"))
                .col(text("body"))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("delivery")
                .add_column(big_integer_null("body_id"))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        // Each queued row's body becomes a body of the same id.
        db.execute_unprepared("INSERT INTO delivery_body (id, body) SELECT id, body FROM delivery")
            .await?;
        db.execute_unprepared("UPDATE delivery SET body_id = id")
            .await?;
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            // Explicit ids leave the sequence behind them.
            db.execute_unprepared(
                "SELECT setval(pg_get_serial_sequence('delivery_body', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM delivery_body), false)",
            )
            .await?;
        }
        m.alter_table(Table::alter().table("delivery").drop_column("body").take())
            .await?;
        // For pruning: bodies no delivery names.
        m.create_index(
            Index::create()
                .name(INDEX)
                .table("delivery")
                .col("body_id")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("delivery")
                .add_column(text("body").default(""))
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE delivery SET body = COALESCE((SELECT b.body FROM delivery_body b \
                 WHERE b.id = delivery.body_id), '')",
            )
            .await?;
        m.drop_index(Index::drop().name(INDEX).table("delivery").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("delivery")
                .drop_column("body_id")
                .take(),
        )
        .await?;
        m.drop_table(Table::drop().table("delivery_body").take())
            .await
    }
}
