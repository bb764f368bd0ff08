//! Tombstones of remote objects deleted before they reached us.

use crate::{Store, StoreError, entities::tombstone, records::now};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

impl Store {
    /// Remembers that `remote_actor_id` deleted `ap_id`.
    pub async fn put_tombstone(&self, ap_id: &str, remote_actor_id: i64) -> Result<(), StoreError> {
        tombstone::Entity::insert(tombstone::ActiveModel {
            ap_id: Set(ap_id.to_owned()),
            remote_actor_id: Set(remote_actor_id),
            created_at: Set(now()),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([tombstone::Column::ApId])
        .exec(self.db())
        .await?;
        Ok(())
    }

    /// Whether `ap_id` was deleted before we held it.
    pub async fn is_tombstoned(&self, ap_id: &str) -> Result<bool, StoreError> {
        Ok(tombstone::Entity::find()
            .filter(tombstone::Column::ApId.eq(ap_id))
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
