//! Audiences: every inbound comment keeps who it was addressed to, and
//! what was not addressed to the public (direct messages, followers-only
//! replies, mentions of an agency outside any thread) lands in a table of
//! its own, the agency's staff inbox, which no public query reads.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from: &'static str,
    col: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_{col}"))
        .from(from, col)
        .to(to, "id")
        .on_delete(on_delete)
        .take()
}

/// SQLite alters one column per statement.
async fn add_column(
    m: &SchemaManager<'_>,
    table: &'static str,
    col: ColumnDef,
) -> Result<(), DbErr> {
    let mut col = col;
    m.alter_table(Table::alter().table(table).add_column(&mut col).take())
        .await
}

async fn drop_column(
    m: &SchemaManager<'_>,
    table: &'static str,
    col: &'static str,
) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).drop_column(col).take())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        // What was stored before kept no audience; it counts as public,
        // as it was served until now.
        add_column(m, "comment", string("visibility").default("public").take()).await?;
        add_column(m, "comment", text_null("summary")).await?;
        add_column(m, "comment", boolean("sensitive").default(false).take()).await?;
        // Needed to tell a followers-only post from a direct one.
        add_column(m, "remote_actor", string_null("followers")).await?;
        // An agency's answer to a message is queued like any other change.
        add_column(m, "outbox_event", big_integer_null("message_id")).await?;

        let mut message = Table::create();
        message
            .table("message")
            .col(big_pk_auto("id"))
            .col(big_integer("agency_id"))
            .col(string_null("ap_id"))
            .col(big_integer_null("author_remote_actor_id"))
            .col(string_null("in_reply_to"))
            .col(big_integer_null("in_reply_to_message_id"))
            .col(big_integer_null("item_id"))
            .col(string("visibility"))
            .col(text_null("summary"))
            .col(boolean("sensitive").default(false))
            .col(text_null("content_source"))
            .col(text("content_html"))
            .col(string_null("language"))
            .col(text("audience"))
            .col(timestamp_with_time_zone("published_at"))
            .col(timestamp_with_time_zone_null("updated_at"))
            .col(timestamp_with_time_zone_null("deleted_at"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("message", "agency_id", "agency", Cascade))
            .foreign_key(&mut fk(
                "message",
                "author_remote_actor_id",
                "remote_actor",
                Cascade,
            ))
            .foreign_key(&mut fk(
                "message",
                "in_reply_to_message_id",
                "message",
                SetNull,
            ))
            .foreign_key(&mut fk("message", "item_id", "item", SetNull));
        m.create_table(message.take()).await?;
        // One copy per addressed agency: a message to two agencies here is
        // two rows, each read only by that agency's staff.
        m.create_index(
            Index::create()
                .name("idx_message_ap_id_agency_id")
                .table("message")
                .col("ap_id")
                .col("agency_id")
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_message_agency_id_published_at")
                .table("message")
                .col("agency_id")
                .col("published_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("message").take()).await?;
        drop_column(m, "outbox_event", "message_id").await?;
        drop_column(m, "remote_actor", "followers").await?;
        drop_column(m, "comment", "sensitive").await?;
        drop_column(m, "comment", "summary").await?;
        drop_column(m, "comment", "visibility").await
    }
}
