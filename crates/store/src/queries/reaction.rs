//! Likes and boosts of items by remote actors.

use crate::{
    Store, StoreError,
    entities::{reaction, remote_actor},
    records::{RemoteActor, now},
};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// One like or boost, with who gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReactionBy {
    /// [`REACTION_LIKE`] or [`REACTION_ANNOUNCE`].
    pub kind: String,
    /// Who.
    pub actor: RemoteActor,
    /// When it arrived.
    pub at: DateTime<Utc>,
}

/// A Like.
pub const REACTION_LIKE: &str = "like";
/// An Announce (boost).
pub const REACTION_ANNOUNCE: &str = "announce";

impl Store {
    /// Counts a reaction; a repeat by the same actor counts once. The
    /// activity id is unique with its actor, not alone: another actor's
    /// reaction that named the id first (ids are predictable, and anyone on
    /// a server can name any id on it) does not make this one a repeat.
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
            // Counted already: the same actor's reaction of this kind, or
            // the same actor's activity again.
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

    /// An item's likes and boosts, newest first.
    pub async fn list_reactions(&self, item_id: i64) -> Result<Vec<ReactionBy>, StoreError> {
        let rows = reaction::Entity::find()
            .filter(reaction::Column::ItemId.eq(item_id))
            .order_by_desc(reaction::Column::Id)
            .all(self.reader())
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.remote_actor_id).collect();
        let actors: std::collections::HashMap<i64, RemoteActor> = remote_actor::Entity::find()
            .filter(remote_actor::Column::Id.is_in(ids))
            .all(self.reader())
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(ReactionBy {
                    actor: actors.get(&r.remote_actor_id)?.clone(),
                    kind: r.kind,
                    at: r.created_at,
                })
            })
            .collect())
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
