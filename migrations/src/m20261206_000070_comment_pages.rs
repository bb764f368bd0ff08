//! An item's comments are read a page at a time, ordered by
//! (`published_at`, `id`) and bounded by a cursor on both: the index on
//! (`item_id`, `published_at`) gains `id`, so a page is one index range
//! read in order on both databases, also through runs of comments with
//! one time (a peer's clock, or a thread imported at once). The wider
//! index replaces the narrower one, whose every use it serves.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NARROW: &str = "idx_comment_item_id_published_at";
const WIDE: &str = "idx_comment_item_id_published_at_id";

fn index(name: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table("comment");
    for c in cols {
        i.col(*c);
    }
    i.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(WIDE, &["item_id", "published_at", "id"]))
            .await?;
        m.drop_index(Index::drop().name(NARROW).table("comment").to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(NARROW, &["item_id", "published_at"]))
            .await?;
        m.drop_index(Index::drop().name(WIDE).table("comment").to_owned())
            .await
    }
}
