//! The durable federation queues: events that need fanning out, one row per
//! outgoing delivery, and verified incoming activities awaiting processing.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Written in the same transaction as the change it reports (an item
        // published, edited, withdrawn); the fan-out worker turns it into
        // deliveries, so a crash between the two loses nothing.
        m.create_table(
            Table::create()
                .table("outbox_event")
                .col(big_pk_auto("id"))
                .col(string("kind"))
                .col(big_integer_null("agency_id"))
                .col(big_integer_null("item_id"))
                .col(big_integer_null("comment_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("processed_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_event_processed_at_id")
                .table("outbox_event")
                .col("processed_at")
                .col("id")
                .take(),
        )
        .await?;

        // One signed POST of one activity to one (shared) inbox.
        m.create_table(
            Table::create()
                .table("delivery")
                .col(big_pk_auto("id"))
                .col(string("activity_id"))
                .col(big_integer_null("agency_id"))
                .col(string("inbox"))
                .col(string("host"))
                .col(text("body"))
                .col(string("status"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(string_null("locked_by"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_delivery_activity_id_inbox")
                .table("delivery")
                .col("activity_id")
                .col("inbox")
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_delivery_status_next_attempt_at")
                .table("delivery")
                .col("status")
                .col("next_attempt_at")
                .take(),
        )
        .await?;

        // A verified incoming activity, stored before we answer 202 and
        // processed from here; the unique id makes replays no-ops.
        m.create_table(
            Table::create()
                .table("inbox_activity")
                .col(big_pk_auto("id"))
                .col(string_uniq("ap_id"))
                .col(string("actor"))
                .col(string("kind"))
                .col(text("body"))
                .col(string("status"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("received_at"))
                .col(timestamp_with_time_zone_null("processed_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_inbox_activity_status_next_attempt_at")
                .table("inbox_activity")
                .col("status")
                .col("next_attempt_at")
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["inbox_activity", "delivery", "outbox_event"] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
