//! Objects sent here as not public (direct or followers-only), kept by id
//! and author: once an author has said an object is private, no later
//! public version of it is published here, whatever arrives in which
//! order (an earlier Create retried after the narrowing edit, the same id
//! sent again as a `Page`).

use crate::{Store, StoreError, entities::private_object, records::now};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::OnConflict,
};

impl Store {
    /// Notes that `remote_actor_id` sent `ap_id` as not public (again: the
    /// first time counts, and a repeat changes nothing).
    pub async fn mark_private(&self, ap_id: &str, remote_actor_id: i64) -> Result<(), StoreError> {
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
        .exec_without_returning(self.db())
        .await?;
        Ok(())
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
