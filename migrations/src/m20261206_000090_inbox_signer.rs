//! An incoming activity's id is unique per signer, not alone:
//! `inbox_activity` gains `signer` (the actor whose key verified the
//! delivery) and the unique index is on `(ap_id, signer)`. Ids are
//! predictable (Mastodon's `…/statuses/1#delete`): while one sender's use
//! of an id made every later one a "duplicate", anyone could send an
//! actor's next Delete id first and have the real Delete dropped.
//! Existing rows keep their place, signed (as far as anyone can tell now)
//! by their actor.
//!
//! SQLite cannot drop the column's own `UNIQUE`, so there the table is
//! rebuilt; PostgreSQL drops the constraint. Down keeps the first row of
//! each id (the one the old rule would have kept).

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "inbox_activity";
/// The table the rebuilt one is made as, before it takes the name.
const REBUILT: &str = "inbox_activity_rebuilt";
/// The unique index this migration makes.
const BY_SIGNER: &str = "idx_inbox_activity_ap_id_signer";
/// PostgreSQL's name for the `UNIQUE` of `ap_id` (`{table}_{column}_key`).
const AP_ID_KEY: &str = "inbox_activity_ap_id_key";
/// The index of the queue's claims (made with the table; see
/// `m20261128_000003_queues`), dropped with a rebuilt table.
const DUE: &str = "idx_inbox_activity_status_next_attempt_at";
/// The columns both shapes of the table have, in order.
const SHARED: &str = "id, ap_id, actor, kind, body, status, attempts, next_attempt_at, \
                      locked_until, last_error, received_at, processed_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            up_postgres(m).await?;
        } else {
            rebuild(m, Shape::BySigner).await?;
        }
        m.create_index(
            Index::create()
                .name(BY_SIGNER)
                .table(TABLE)
                .col("ap_id")
                .col("signer")
                .unique()
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per id, or the old unique constraint cannot be made.
        m.get_connection()
            .execute_unprepared(&format!(
                "DELETE FROM {TABLE} WHERE id NOT IN \
                 (SELECT MIN(id) FROM {TABLE} GROUP BY ap_id)"
            ))
            .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            down_postgres(m).await
        } else {
            rebuild(m, Shape::ApIdAlone).await
        }
    }
}

/// Adds `signer` (the actor, for rows already there) and drops the unique
/// constraint of `ap_id` alone.
async fn up_postgres(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(TABLE)
            .add_column(string_null("signer"))
            .take(),
    )
    .await?;
    let db = m.get_connection();
    db.execute_unprepared(&format!("UPDATE {TABLE} SET signer = actor"))
        .await?;
    db.execute_unprepared(&format!(
        "ALTER TABLE {TABLE} ALTER COLUMN signer SET NOT NULL"
    ))
    .await?;
    db.execute_unprepared(&format!("ALTER TABLE {TABLE} DROP CONSTRAINT {AP_ID_KEY}"))
        .await?;
    Ok(())
}

/// Puts back the unique constraint of `ap_id` alone, under its old name,
/// and drops `signer`.
async fn down_postgres(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.drop_index(Index::drop().name(BY_SIGNER).table(TABLE).to_owned())
        .await?;
    m.get_connection()
        .execute_unprepared(&format!(
            "ALTER TABLE {TABLE} ADD CONSTRAINT {AP_ID_KEY} UNIQUE (ap_id)"
        ))
        .await?;
    m.alter_table(Table::alter().table(TABLE).drop_column("signer").take())
        .await
}

/// The two shapes of the table.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Before: `ap_id` unique alone, no `signer`.
    ApIdAlone,
    /// After: `signer` beside `ap_id` (their pair made unique by an index).
    BySigner,
}

/// `inbox_activity` as `m20261128_000003_queues` made it, or with `signer`,
/// under the name `name`.
fn table(name: &str, shape: Shape) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(Alias::new(name)).col(big_pk_auto("id"));
    match shape {
        Shape::ApIdAlone => t.col(string_uniq("ap_id")),
        Shape::BySigner => t.col(string("ap_id")).col(string("signer")),
    };
    t.col(string("actor"))
        .col(string("kind"))
        .col(text("body"))
        .col(string("status"))
        .col(integer("attempts"))
        .col(timestamp_with_time_zone("next_attempt_at"))
        .col(timestamp_with_time_zone_null("locked_until"))
        .col(text_null("last_error"))
        .col(timestamp_with_time_zone("received_at"))
        .col(timestamp_with_time_zone_null("processed_at"))
        .take()
}

/// Rebuilds the table in `shape` on SQLite, rows and ids kept (`signer`
/// filled with the actor), and makes its claims' index again.
async fn rebuild(m: &SchemaManager<'_>, shape: Shape) -> Result<(), DbErr> {
    m.create_table(table(REBUILT, shape)).await?;
    let (columns, values) = match shape {
        Shape::BySigner => (format!("{SHARED}, signer"), format!("{SHARED}, actor")),
        Shape::ApIdAlone => (SHARED.to_owned(), SHARED.to_owned()),
    };
    let db = m.get_connection();
    db.execute_unprepared(&format!(
        "INSERT INTO {REBUILT} ({columns}) SELECT {values} FROM {TABLE}"
    ))
    .await?;
    m.drop_table(Table::drop().table(TABLE).take()).await?;
    db.execute_unprepared(&format!("ALTER TABLE {REBUILT} RENAME TO {TABLE}"))
        .await?;
    m.create_index(
        Index::create()
            .name(DUE)
            .table(TABLE)
            .col("status")
            .col("next_attempt_at")
            .take(),
    )
    .await
}
