//! Likes and boosts of items by remote actors.

use crate::{Store, StoreError, entities::reaction, records::now};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

/// A Like.
pub const REACTION_LIKE: &str = "like";
/// An Announce (boost).
pub const REACTION_ANNOUNCE: &str = "announce";

impl Store {
    /// Counts a reaction; a repeat by the same actor counts once.
    pub async fn put_reaction(
        &self,
        item_id: i64,
        remote_actor_id: i64,
        kind: &str,
        ap_id: &str,
    ) -> Result<(), StoreError> {
        let res = reaction::Entity::insert(reaction::ActiveModel {
            ap_id: Set(Some(ap_id.to_owned())),
            item_id: Set(item_id),
            remote_actor_id: Set(remote_actor_id),
            kind: Set(kind.to_owned()),
            created_at: Set(now()),
            ..Default::default()
        })
        .exec(self.db())
        .await;
        match res {
            Ok(_) => Ok(()),
            // Counted already (same actor and kind, or the same activity).
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Withdraws a reaction by its activity id, or failing that by what it
    /// was (peers do not always reference the original id); `true` if one went.
    pub async fn delete_reaction(
        &self,
        ap_id: &str,
        remote_actor_id: i64,
        item_and_kind: Option<(i64, &str)>,
    ) -> Result<bool, StoreError> {
        let res = reaction::Entity::delete_many()
            .filter(reaction::Column::ApId.eq(ap_id))
            .filter(reaction::Column::RemoteActorId.eq(remote_actor_id))
            .exec(self.db())
            .await?;
        if res.rows_affected > 0 {
            return Ok(true);
        }
        let Some((item_id, kind)) = item_and_kind else {
            return Ok(false);
        };
        let res = reaction::Entity::delete_many()
            .filter(reaction::Column::ItemId.eq(item_id))
            .filter(reaction::Column::RemoteActorId.eq(remote_actor_id))
            .filter(reaction::Column::Kind.eq(kind))
            .exec(self.db())
            .await?;
        Ok(res.rows_affected > 0)
    }
}
