//! A tombstone, and a reaction's activity id, are unique per actor, not
//! alone. Ids are predictable (Mastodon's `…/statuses/1`) and any actor on
//! a server can name any id on it: while one actor's Delete of an id made
//! it "deleted" for everyone, another account could stop an author's next
//! reply, or keep public a comment whose author then narrowed it; while one
//! actor's Like with an id made it "counted already", another could keep
//! the real Like from counting. `tombstone` is unique on
//! `(ap_id, remote_actor_id)`, and so is `reaction`'s activity id.
//!
//! SQLite cannot drop a column's own `UNIQUE`, so there `tombstone` is
//! rebuilt; PostgreSQL drops the constraint. `reaction`'s was an index of
//! its own, made again on both with the actor (under its old name). Down keeps the first row of each id (the one
//! the old rule would have kept).

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TOMBSTONE: &str = "tombstone";
/// The table the rebuilt one is made as, before it takes the name.
const REBUILT: &str = "tombstone_rebuilt";
/// The unique index of a tombstone this migration makes.
const TOMBSTONE_BY_ACTOR: &str = "idx_tombstone_ap_id_remote_actor_id";
/// PostgreSQL's name for the `UNIQUE` of `ap_id` (`{table}_{column}_key`).
const TOMBSTONE_AP_ID_KEY: &str = "tombstone_ap_id_key";
/// The index the week's clean-up deletes by (made with the table; see
/// `m20261128_000004_tombstones`), dropped with a rebuilt table.
const TOMBSTONE_CREATED: &str = "idx_tombstone_created_at";
/// The unique index of a reaction's id (`m20261128_000001_initial`): of
/// the id alone before, of the id and its actor after. It keeps its name,
/// by which the schema's checks know it.
const REACTION_AP_ID: &str = "idx_reaction_ap_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared(&format!(
                    "ALTER TABLE {TOMBSTONE} DROP CONSTRAINT {TOMBSTONE_AP_ID_KEY}"
                ))
                .await?;
        } else {
            rebuild(m, Shape::ByActor).await?;
        }
        m.create_index(by_actor(TOMBSTONE_BY_ACTOR, TOMBSTONE))
            .await?;
        m.drop_index(
            Index::drop()
                .name(REACTION_AP_ID)
                .table("reaction")
                .to_owned(),
        )
        .await?;
        m.create_index(by_actor(REACTION_AP_ID, "reaction")).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per id, or the old unique constraints cannot be made.
        let db = m.get_connection();
        db.execute_unprepared(
            "DELETE FROM reaction WHERE ap_id IS NOT NULL AND id NOT IN \
             (SELECT MIN(id) FROM reaction WHERE ap_id IS NOT NULL GROUP BY ap_id)",
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name(REACTION_AP_ID)
                .table("reaction")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(REACTION_AP_ID)
                .table("reaction")
                .col("ap_id")
                .unique()
                .take(),
        )
        .await?;
        db.execute_unprepared(&format!(
            "DELETE FROM {TOMBSTONE} WHERE id NOT IN \
             (SELECT MIN(id) FROM {TOMBSTONE} GROUP BY ap_id)"
        ))
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            m.drop_index(
                Index::drop()
                    .name(TOMBSTONE_BY_ACTOR)
                    .table(TOMBSTONE)
                    .to_owned(),
            )
            .await?;
            db.execute_unprepared(&format!(
                "ALTER TABLE {TOMBSTONE} ADD CONSTRAINT {TOMBSTONE_AP_ID_KEY} UNIQUE (ap_id)"
            ))
            .await?;
            Ok(())
        } else {
            rebuild(m, Shape::ApIdAlone).await
        }
    }
}

/// A unique index `name` of `table`'s `(ap_id, remote_actor_id)`.
fn by_actor(name: &str, table: &str) -> IndexCreateStatement {
    Index::create()
        .name(name)
        .table(Alias::new(table))
        .col("ap_id")
        .col("remote_actor_id")
        .unique()
        .take()
}

/// The two shapes of `tombstone`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Before: `ap_id` unique alone.
    ApIdAlone,
    /// After: `ap_id` unique with the actor (by an index).
    ByActor,
}

/// `tombstone` as `m20261128_000004_tombstones` made it, or without the
/// `UNIQUE` of `ap_id`, under the name `name`.
fn table(name: &str, shape: Shape) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(Alias::new(name)).col(big_pk_auto("id"));
    match shape {
        Shape::ApIdAlone => t.col(string_uniq("ap_id")),
        Shape::ByActor => t.col(string("ap_id")),
    };
    t.col(big_integer("remote_actor_id"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(
            ForeignKey::create()
                .name("fk_tombstone_remote_actor_id")
                .from(Alias::new(name), "remote_actor_id")
                .to("remote_actor", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .take()
}

/// Rebuilds `tombstone` in `shape` on SQLite, rows and ids kept, and makes
/// its clean-up's index again.
async fn rebuild(m: &SchemaManager<'_>, shape: Shape) -> Result<(), DbErr> {
    m.create_table(table(REBUILT, shape)).await?;
    let db = m.get_connection();
    db.execute_unprepared(&format!(
        "INSERT INTO {REBUILT} (id, ap_id, remote_actor_id, created_at) \
         SELECT id, ap_id, remote_actor_id, created_at FROM {TOMBSTONE}"
    ))
    .await?;
    m.drop_table(Table::drop().table(TOMBSTONE).take()).await?;
    db.execute_unprepared(&format!("ALTER TABLE {REBUILT} RENAME TO {TOMBSTONE}"))
        .await?;
    m.create_index(
        Index::create()
            .name(TOMBSTONE_CREATED)
            .table(TOMBSTONE)
            .col("created_at")
            .take(),
    )
    .await
}
