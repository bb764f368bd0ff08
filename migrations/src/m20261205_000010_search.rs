//! The full-text search index of items, local and federated alike. The
//! terms are made in Rust (stemmed by the item's language, see
//! `deling_domain::search`), so both databases hold and match the same
//! terms: SQLite in an FTS5 table (whose rowid is the item's id),
//! PostgreSQL in a table with a generated, weighted `tsvector` (title and
//! tags above summary above body) under a GIN index. `themes` holds the
//! item's dataset themes, space-separated, for the theme filter and facet.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE TABLE item_search (
                        item_id BIGINT PRIMARY KEY REFERENCES item(id) ON DELETE CASCADE,
                        title TEXT NOT NULL,
                        tags TEXT NOT NULL,
                        summary TEXT NOT NULL,
                        body TEXT NOT NULL,
                        themes TEXT NOT NULL,
                        tsv tsvector GENERATED ALWAYS AS (
                            setweight(to_tsvector('simple', title), 'A') ||
                            setweight(to_tsvector('simple', tags), 'A') ||
                            setweight(to_tsvector('simple', summary), 'B') ||
                            setweight(to_tsvector('simple', body), 'D')
                        ) STORED
                    )",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX item_search_tsv ON item_search USING GIN (tsv)",
                )
                .await?;
            }
            _ => {
                // Diacritics are kept: `å`, `ø` and `æ` are letters of
                // their own in Norwegian.
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE item_search USING fts5(
                        title, tags, summary, body, themes UNINDEXED,
                        tokenize = 'unicode61 remove_diacritics 0'
                    )",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP TABLE item_search")
            .await?;
        Ok(())
    }
}
