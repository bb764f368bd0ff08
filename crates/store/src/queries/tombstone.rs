//! Tombstones of remote objects deleted before they reached us. Each is
//! the deleting actor's: ids are predictable, and anyone on a server can
//! name any id on it in a Delete, so a tombstone stops only what its own
//! actor later sends about the id (a Create or Update overtaken by that
//! actor's Delete), never what someone else sends.

use crate::{
    Store, StoreError,
    entities::tombstone,
    queries::{
        message::erase_remote_message_in,
        private_object::{lock_object, take_down_public_copies},
    },
    records::now,
};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// What [`Store::delete_remote_object`] took away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deleted {
    /// Its copies as messages were erased.
    pub message: bool,
    /// Its public comment was deleted.
    pub comment: bool,
    /// Its catalogued item was withdrawn.
    pub item: bool,
}

impl Store {
    /// `author` deleted `ap_id`: in one transaction, every copy the author
    /// has here under that id goes (its messages erased, its comment
    /// deleted, its catalogued item withdrawn, whichever there are: one
    /// id can be both a comment and a message) and the id is remembered as
    /// deleted by the author, so that a late Create or Update, or a
    /// boost's copy fetched before the Delete, cannot bring it back. Under
    /// the object's lock (PostgreSQL), so such a copy being written now is
    /// either seen and withdrawn here or finds the tombstone.
    pub async fn delete_remote_object(
        &self,
        ap_id: &str,
        author: i64,
    ) -> Result<Deleted, StoreError> {
        let txn = self.begin().await?;
        lock_object(&txn, ap_id).await?;
        let message = erase_remote_message_in(&txn, ap_id, author).await?;
        let (comment, item) = take_down_public_copies(&txn, ap_id, author).await?;
        tombstone::Entity::insert(tombstone::ActiveModel {
            ap_id: Set(ap_id.to_owned()),
            remote_actor_id: Set(author),
            created_at: Set(now()),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([tombstone::Column::ApId, tombstone::Column::RemoteActorId])
        .exec(&txn)
        .await?;
        txn.commit().await?;
        Ok(Deleted {
            message,
            comment,
            item,
        })
    }

    /// Remembers that `remote_actor_id` deleted `ap_id`; a repeat is kept
    /// once.
    pub async fn put_tombstone(&self, ap_id: &str, remote_actor_id: i64) -> Result<(), StoreError> {
        tombstone::Entity::insert(tombstone::ActiveModel {
            ap_id: Set(ap_id.to_owned()),
            remote_actor_id: Set(remote_actor_id),
            created_at: Set(now()),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([tombstone::Column::ApId, tombstone::Column::RemoteActorId])
        .exec(self.db())
        .await?;
        Ok(())
    }

    /// Whether `remote_actor_id` itself deleted `ap_id` before we held it.
    /// Another actor's Delete of the id does not count: it must not stop
    /// the author's Create, nor an Update by which the author narrows it.
    pub async fn is_tombstoned(
        &self,
        ap_id: &str,
        remote_actor_id: i64,
    ) -> Result<bool, StoreError> {
        Ok(tombstone::Entity::find()
            .filter(tombstone::Column::ApId.eq(ap_id))
            .filter(tombstone::Column::RemoteActorId.eq(remote_actor_id))
            .count(self.reader())
            .await?
            > 0)
    }

    /// Forgets tombstones older than `before`: deliveries that late have
    /// long been given up.
    pub async fn delete_tombstones_before(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(tombstone::Entity::delete_many()
            .filter(tombstone::Column::CreatedAt.lt(before))
            .exec(self.db())
            .await?
            .rows_affected)
    }
}
