//! Counts kept, not counted: each item's likes, boosts and visible
//! comments in columns of `item`, and how many items each listing holds
//! (`item_tally`: `local`, `remote` and `agency:<id>`, withdrawn items left
//! out). Triggers keep them in the same transaction as the row that
//! changes them, so no code path (cascades from a deleted actor or item
//! included) can forget one; reading a count is then one row, not a scan.
//! Existing rows are counted once, here.

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A counted table: its trigger name, the columns whose change can move a
/// count, and the statements that add (`+`) or take away (`-`) the counts
/// of one row (`NEW` or `OLD`).
struct Counted {
    table: &'static str,
    columns: &'static str,
    body: fn(DbBackend, &str, char) -> String,
}

fn one_if(cond: &str) -> String {
    format!("(CASE WHEN {cond} THEN 1 ELSE 0 END)")
}

fn reaction_body(_: DbBackend, row: &str, sign: char) -> String {
    format!(
        "UPDATE item SET like_count = like_count {sign} {like}, \
         share_count = share_count {sign} {announce} WHERE id = {row}.item_id;",
        like = one_if(&format!("{row}.kind = 'like'")),
        announce = one_if(&format!("{row}.kind = 'announce'")),
    )
}

fn share_body(_: DbBackend, row: &str, sign: char) -> String {
    format!(
        "UPDATE item SET share_count = share_count {sign} {current} WHERE id = {row}.item_id;",
        current = one_if(&format!("{row}.undone_at IS NULL")),
    )
}

/// What `PUBLIC_VISIBILITIES` and the moderation columns make a shown comment.
fn comment_body(_: DbBackend, row: &str, sign: char) -> String {
    format!(
        "UPDATE item SET comment_count = comment_count {sign} {shown} WHERE id = {row}.item_id;",
        shown = one_if(&format!(
            "{row}.deleted_at IS NULL AND {row}.hidden_at IS NULL \
             AND {row}.visibility IN ('public', 'unlisted')"
        )),
    )
}

fn item_body(backend: DbBackend, row: &str, sign: char) -> String {
    // An agency's row is made by its first item; `local` and `remote` exist.
    let make = match (sign, backend) {
        ('+', DbBackend::Postgres) => format!(
            "INSERT INTO item_tally (scope, n) SELECT 'agency:' || {row}.agency_id, 0 \
             WHERE {row}.agency_id IS NOT NULL ON CONFLICT DO NOTHING;"
        ),
        ('+', _) => format!(
            "INSERT OR IGNORE INTO item_tally (scope, n) SELECT 'agency:' || {row}.agency_id, 0 \
             WHERE {row}.agency_id IS NOT NULL;"
        ),
        _ => String::new(),
    };
    format!(
        "{make} UPDATE item_tally SET n = n {sign} 1 WHERE {row}.deleted_at IS NULL AND scope IN (\
         CASE WHEN {row}.agency_id IS NOT NULL THEN 'local' END, \
         CASE WHEN {row}.remote_actor_id IS NOT NULL THEN 'remote' END, \
         'agency:' || {row}.agency_id);"
    )
}

const COUNTED: [Counted; 4] = [
    Counted {
        table: "reaction",
        columns: "item_id, kind",
        body: reaction_body,
    },
    Counted {
        table: "share",
        columns: "item_id, undone_at",
        body: share_body,
    },
    Counted {
        table: "comment",
        columns: "item_id, deleted_at, hidden_at, visibility",
        body: comment_body,
    },
    Counted {
        table: "item",
        columns: "agency_id, remote_actor_id, deleted_at",
        body: item_body,
    },
];

/// The statements that create one table's triggers on `backend`.
fn create_triggers(backend: DbBackend, c: &Counted) -> Vec<String> {
    let (t, cols) = (c.table, c.columns);
    let (old, new) = ((c.body)(backend, "OLD", '-'), (c.body)(backend, "NEW", '+'));
    match backend {
        DbBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION deling_count_{t}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                 IF TG_OP IN ('UPDATE', 'DELETE') THEN {old} END IF; \
                 IF TG_OP IN ('UPDATE', 'INSERT') THEN {new} END IF; \
                 RETURN NULL; \
                 END $$"
            ),
            format!(
                "CREATE TRIGGER count_{t} AFTER INSERT OR DELETE OR UPDATE OF {cols} ON {t} \
                 FOR EACH ROW EXECUTE FUNCTION deling_count_{t}()"
            ),
        ],
        _ => vec![
            format!("CREATE TRIGGER count_{t}_insert AFTER INSERT ON {t} BEGIN {new} END"),
            format!("CREATE TRIGGER count_{t}_delete AFTER DELETE ON {t} BEGIN {old} END"),
            format!(
                "CREATE TRIGGER count_{t}_update AFTER UPDATE OF {cols} ON {t} \
                 BEGIN {old} {new} END"
            ),
        ],
    }
}

fn drop_triggers(backend: DbBackend, t: &str) -> Vec<String> {
    match backend {
        DbBackend::Postgres => vec![
            format!("DROP TRIGGER IF EXISTS count_{t} ON {t}"),
            format!("DROP FUNCTION IF EXISTS deling_count_{t}()"),
        ],
        _ => ["insert", "delete", "update"]
            .iter()
            .map(|op| format!("DROP TRIGGER IF EXISTS count_{t}_{op}"))
            .collect(),
    }
}

/// Counts what is there now, in the same terms as the triggers.
const BACKFILL: [&str; 4] = [
    "UPDATE item SET \
     like_count = (SELECT COUNT(*) FROM reaction r WHERE r.item_id = item.id AND r.kind = 'like'), \
     share_count = (SELECT COUNT(*) FROM reaction r WHERE r.item_id = item.id AND r.kind = 'announce') \
       + (SELECT COUNT(*) FROM share s WHERE s.item_id = item.id AND s.undone_at IS NULL), \
     comment_count = (SELECT COUNT(*) FROM comment c WHERE c.item_id = item.id \
       AND c.deleted_at IS NULL AND c.hidden_at IS NULL AND c.visibility IN ('public', 'unlisted'))",
    "INSERT INTO item_tally (scope, n) SELECT 'local', COUNT(*) FROM item \
     WHERE agency_id IS NOT NULL AND deleted_at IS NULL",
    "INSERT INTO item_tally (scope, n) SELECT 'remote', COUNT(*) FROM item \
     WHERE remote_actor_id IS NOT NULL AND deleted_at IS NULL",
    "INSERT INTO item_tally (scope, n) SELECT 'agency:' || agency_id, COUNT(*) FROM item \
     WHERE agency_id IS NOT NULL AND deleted_at IS NULL GROUP BY agency_id",
];

const COLUMNS: [&str; 3] = ["like_count", "share_count", "comment_count"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in COLUMNS {
            m.alter_table(
                Table::alter()
                    .table("item")
                    .add_column(big_integer(col).default(0))
                    .take(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("item_tally")
                .col(string("scope").primary_key())
                .col(big_integer("n"))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        for sql in BACKFILL {
            db.execute_unprepared(sql).await?;
        }
        let backend = m.get_database_backend();
        for c in &COUNTED {
            for sql in create_triggers(backend, c) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let backend = m.get_database_backend();
        let db = m.get_connection();
        for c in &COUNTED {
            for sql in drop_triggers(backend, c.table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        m.drop_table(Table::drop().table("item_tally").take())
            .await?;
        for col in COLUMNS {
            m.alter_table(Table::alter().table("item").drop_column(col).take())
                .await?;
        }
        Ok(())
    }
}
