//! Search stays fast on large catalogues. SQLite: the FTS5 table gains
//! prefix indexes for 3 and 4 letters, so `bygg*` reads one list instead of
//! merging the lists of every word that starts so (an FTS5 table's options
//! are fixed, hence the copy). PostgreSQL: the GIN index's list of pending
//! entries, which every search reads from end to end until it is merged,
//! is kept small.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The FTS5 table, with or without prefix indexes.
fn fts5(name: &str, prefix: bool) -> String {
    let prefix = if prefix { ", prefix = '3 4'" } else { "" };
    format!(
        "CREATE VIRTUAL TABLE {name} USING fts5(
            title, tags, summary, body, themes UNINDEXED,
            tokenize = 'unicode61 remove_diacritics 0'{prefix}
        )"
    )
}

async fn rebuild_fts5(m: &SchemaManager<'_>, prefix: bool) -> Result<(), DbErr> {
    let db = m.get_connection();
    db.execute_unprepared(&fts5("item_search_new", prefix))
        .await?;
    db.execute_unprepared(
        "INSERT INTO item_search_new (rowid, title, tags, summary, body, themes)
         SELECT rowid, title, tags, summary, body, themes FROM item_search",
    )
    .await?;
    db.execute_unprepared("DROP TABLE item_search").await?;
    db.execute_unprepared("ALTER TABLE item_search_new RENAME TO item_search")
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                // 256 kB, against 4 MB by default.
                m.get_connection()
                    .execute_unprepared(
                        "ALTER INDEX item_search_tsv SET (gin_pending_list_limit = 256)",
                    )
                    .await?;
                Ok(())
            }
            _ => rebuild_fts5(m, true).await,
        }
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                m.get_connection()
                    .execute_unprepared(
                        "ALTER INDEX item_search_tsv RESET (gin_pending_list_limit)",
                    )
                    .await?;
                Ok(())
            }
            _ => rebuild_fts5(m, false).await,
        }
    }
}
