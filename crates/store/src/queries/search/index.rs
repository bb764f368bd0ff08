//! Keeping the index in step with the items: an item's entry written or
//! taken out in the caller's transaction, and the whole index rebuilt.

use super::Count;
use crate::queries::params::Params;
use crate::{
    Store, StoreError,
    entities::{item, item_tag},
};
use deling_domain::search::{Indexable, SearchDocument};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Statement,
    Value,
};

/// Writes (or rewrites) item `id`'s index entry from what the database
/// holds in this transaction; a withdrawn or missing item is taken out.
pub(crate) async fn index_item(db: &impl ConnectionTrait, id: i64) -> Result<(), StoreError> {
    unindex(db, &[id]).await?;
    let Some(row) = item::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    if row.deleted_at.is_some() {
        return Ok(());
    }
    let tags: Vec<String> = item_tag::Entity::find()
        .filter(item_tag::Column::ItemId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.tag)
        .collect();
    let doc = SearchDocument::of(Indexable {
        language: &row.language,
        title: &row.title,
        summary: &row.summary,
        body_html: &row.body_html,
        tags: &tags,
        metadata: &row.metadata,
    });
    let backend = db.get_database_backend();
    let (id_column, marks) = match backend {
        DbBackend::Postgres => ("item_id", "$1, $2, $3, $4, $5, $6"),
        _ => ("rowid", "?, ?, ?, ?, ?, ?"),
    };
    let values: Vec<Value> = vec![
        id.into(),
        doc.title.into(),
        doc.tags.into(),
        doc.summary.into(),
        doc.body.into(),
        doc.themes.into(),
    ];
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO item_search ({id_column}, title, tags, summary, body, themes) \
             VALUES ({marks})"
        ),
        values,
    ))
    .await?;
    Ok(())
}

/// Takes items out of the index.
pub(crate) async fn unindex(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let id_column = match backend {
        DbBackend::Postgres => "item_id",
        _ => "rowid",
    };
    let mut p = Params::new(backend);
    let marks: Vec<String> = ids.iter().map(|&id| p.push(id)).collect();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "DELETE FROM item_search WHERE {id_column} IN ({})",
            marks.join(", ")
        ),
        p.values,
    ))
    .await?;
    Ok(())
}

/// Takes a whole agency's items out of the index (local by agency id, or
/// a remote actor's).
pub(crate) async fn unindex_owner(
    db: &impl ConnectionTrait,
    agency_id: Option<i64>,
    remote_actor_id: Option<i64>,
) -> Result<(), StoreError> {
    let ids: Vec<i64> = item::Entity::find()
        .filter(match (agency_id, remote_actor_id) {
            (Some(a), _) => item::Column::AgencyId.eq(a),
            (None, Some(r)) => item::Column::RemoteActorId.eq(r),
            (None, None) => return Ok(()),
        })
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    for chunk in ids.chunks(500) {
        unindex(db, chunk).await?;
    }
    Ok(())
}

impl Store {
    /// Rebuilds the whole index from the items, `batch` items per
    /// transaction, calling `progress(done, total)` after each batch.
    pub async fn reindex_search(
        &self,
        batch: u64,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<u64, StoreError> {
        use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
        let total = item::Entity::find().count(self.db()).await?;
        let mut done = 0;
        let mut after = i64::MIN;
        loop {
            let ids: Vec<i64> = item::Entity::find()
                .filter(item::Column::Id.gt(after))
                .order_by_asc(item::Column::Id)
                .limit(batch.max(1))
                .all(self.db())
                .await?
                .into_iter()
                .map(|i| i.id)
                .collect();
            let Some(&last) = ids.last() else {
                break;
            };
            let txn = self.begin().await?;
            for &id in &ids {
                index_item(&txn, id).await?;
            }
            txn.commit().await?;
            done += ids.len() as u64;
            after = last;
            progress(done, total);
        }
        Ok(done)
    }

    /// Whether items exist but the index holds none: a database from
    /// before the index, or one restored without it.
    pub async fn search_index_missing(&self) -> Result<bool, StoreError> {
        use sea_orm::QuerySelect;
        let any_item = item::Entity::find()
            .filter(item::Column::DeletedAt.is_null())
            .limit(1)
            .one(self.db())
            .await?
            .is_some();
        if !any_item {
            return Ok(false);
        }
        let backend = self.backend();
        // `n` is read as an i64: a bare `1` is a 4-byte integer on
        // PostgreSQL, which the driver refuses to read as one.
        let any_entry = Count::find_by_statement(Statement::from_string(
            backend,
            "SELECT CAST(1 AS BIGINT) AS n FROM item_search LIMIT 1",
        ))
        .one(self.db())
        .await?
        .is_some();
        Ok(!any_entry)
    }
}
