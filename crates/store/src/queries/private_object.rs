//! Objects sent here as not public (direct or followers-only), kept by id
//! and author: once an author has said an object is private, no later
//! public version of it is published here, whatever arrives in which
//! order (an earlier Create retried after the narrowing edit, the same id
//! sent again as a `Page`).

use crate::{
    Store, StoreError,
    entities::{comment, item, private_object},
    queries::{
        comment::tombstone_comments,
        item::{ItemSet, erase_items},
        message::narrow_remote_message_in,
    },
    records::now,
};
use chrono::{DateTime, Utc};
use deling_domain::audience::Visibility;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Statement, sea_query::OnConflict,
};

impl Store {
    /// Notes that `remote_actor_id` sent `ap_id` as not public (again: the
    /// first time counts, and a repeat changes nothing).
    pub async fn mark_private(&self, ap_id: &str, remote_actor_id: i64) -> Result<(), StoreError> {
        mark_private_in(self.db(), ap_id, remote_actor_id).await
    }

    /// `author` narrowed `ap_id` (sent it again to followers or named
    /// actors only): in one transaction, the id is marked private, a
    /// public comment of it taken down, a catalogued item of it withdrawn,
    /// and every agency's copy of it as a message narrowed to
    /// `visibility`; under [`lock_object`], so a write of the same
    /// object's public version (a boost's copy being fetched) happens
    /// wholly before or wholly after.
    pub async fn narrow_remote_object(
        &self,
        ap_id: &str,
        author: i64,
        visibility: Visibility,
    ) -> Result<Narrowed, StoreError> {
        let txn = self.begin().await?;
        lock_object(&txn, ap_id).await?;
        mark_private_in(&txn, ap_id, author).await?;
        let (comment, item) = take_down_public_copies(&txn, ap_id, author).await?;
        let messages = narrow_remote_message_in(&txn, ap_id, author, visibility).await?;
        txn.commit().await?;
        Ok(Narrowed {
            comment,
            item,
            messages,
        })
    }

    /// Whether `remote_actor_id` ever sent `ap_id` here as not public
    /// (within the last 30 days: see [`Store::delete_private_marks_before`]).
    pub async fn was_private(&self, ap_id: &str, remote_actor_id: i64) -> Result<bool, StoreError> {
        Ok(private_object::Entity::find()
            .filter(private_object::Column::ApId.eq(ap_id))
            .filter(private_object::Column::RemoteActorId.eq(remote_actor_id))
            .count(self.reader())
            .await?
            > 0)
    }

    /// Forgets marks older than `before` (peers stop retrying a delivery
    /// within days; the worker keeps marks 30).
    pub async fn delete_private_marks_before(
        &self,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(private_object::Entity::delete_many()
            .filter(private_object::Column::SeenAt.lt(before))
            .exec(self.db())
            .await?
            .rows_affected)
    }
}

/// [`Store::mark_private`] on `db` (a transaction of a caller's).
pub(crate) async fn mark_private_in(
    db: &impl ConnectionTrait,
    ap_id: &str,
    remote_actor_id: i64,
) -> Result<(), StoreError> {
    private_object::Entity::insert(private_object::ActiveModel {
        ap_id: Set(ap_id.to_owned()),
        remote_actor_id: Set(remote_actor_id),
        seen_at: Set(now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            private_object::Column::ApId,
            private_object::Column::RemoteActorId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Takes down `author`'s public copies of `ap_id` on `db` (a transaction
/// of a caller's): its comment deleted, its catalogued item withdrawn.
/// Returns whether there was each.
pub(crate) async fn take_down_public_copies(
    db: &impl ConnectionTrait,
    ap_id: &str,
    author: i64,
) -> Result<(bool, bool), StoreError> {
    let comment = tombstone_comments()
        .filter(comment::Column::ApId.eq(ap_id))
        .filter(comment::Column::AuthorRemoteActorId.eq(author))
        .exec(db)
        .await?
        .rows_affected
        > 0;
    let items: Vec<i64> = item::Entity::find()
        .select_only()
        .column(item::Column::Id)
        .filter(item::Column::ApId.eq(ap_id))
        .filter(item::Column::RemoteActorId.eq(author))
        .filter(item::Column::DeletedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let item = !items.is_empty() && erase_items(db, ItemSet::Ids(&items)).await? > 0;
    Ok((comment, item))
}

/// On PostgreSQL, takes a lock on the object id `ap_id` until the end of
/// the transaction `db`: a narrowing and a write of the object's public
/// version take turns, where under READ COMMITTED each would miss the
/// other's uncommitted rows and the narrowed object could be stored
/// public after all. SQLite's writers take turns already.
pub(crate) async fn lock_object(db: &impl ConnectionTrait, ap_id: &str) -> Result<(), StoreError> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            [ap_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// What [`Store::narrow_remote_object`] took down or narrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Narrowed {
    /// A public comment of it was taken down.
    pub comment: bool,
    /// A catalogued item of it was withdrawn.
    pub item: bool,
    /// How many agencies' copies of it as a message were narrowed.
    pub messages: u64,
}
