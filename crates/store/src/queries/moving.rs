//! Moving accounts: an agency's other names (`alsoKnownAs`), an agency
//! moving to an actor elsewhere (with its outbox events and audit entry in
//! one transaction), and our Follows carried from a remote actor that
//! moved to its new account (with the Undo and the new Follow as outbox
//! events).

use crate::{
    Store, StoreError,
    entities::{agency, following, remote_actor},
    queries::{
        agency::lock_agency,
        audit::{Audit, write_audit},
        follow::{FOLLOWING_ACCEPTED, FOLLOWING_PENDING},
        outbox::{OutboxKind, put_event, queue_follow, queue_undo},
    },
    records::{Agency, now},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// The actor ids an agency is also known as (its `alsoKnownAs`), in the
/// order they were added. A value that does not parse reads as none.
pub fn agency_aliases(a: &Agency) -> Vec<String> {
    serde_json::from_str(&a.also_known_as).unwrap_or_default()
}

/// A local agency's Follow of a remote actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyFollow {
    /// The agency.
    pub agency_id: i64,
    /// Its Follow's id.
    pub follow_ap_id: String,
}

impl Store {
    /// Replaces agency `id`'s other names and, in the same transaction,
    /// queues an `Update` of its actor and writes `audit`. A withdrawn
    /// agency is [`StoreError::NotFound`].
    pub async fn update_agency_aliases(
        &self,
        id: i64,
        aliases: &[String],
        audit: &Audit,
    ) -> Result<Agency, StoreError> {
        let txn = self.begin().await?;
        let json = serde_json::to_string(aliases)
            .map_err(|e| StoreError::Conflict(format!("aliases: {e}")))?;
        let res = agency::Entity::update_many()
            .set(agency::ActiveModel {
                also_known_as: Set(json),
                updated_at: Set(now()),
                ..Default::default()
            })
            .filter(agency::Column::Id.eq(id))
            .filter(agency::Column::DeletedAt.is_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("agency"));
        }
        put_event(&txn, OutboxKind::AgencyUpdate, Some(id), None, None).await?;
        write_audit(&txn, audit).await?;
        txn.commit().await?;
        self.get_agency(id)
            .await?
            .ok_or(StoreError::NotFound("agency"))
    }

    /// Records that agency `id` moved to the actor `target`, in one
    /// transaction with an `Update` of its actor (which now names
    /// `movedTo`), the `Move` for its followers, and `audit`. An agency
    /// that moved already is a [`StoreError::Conflict`]; a withdrawn one
    /// is [`StoreError::NotFound`].
    pub async fn update_agency_moved(
        &self,
        id: i64,
        target: &str,
        audit: &Audit,
    ) -> Result<Agency, StoreError> {
        let txn = self.begin().await?;
        lock_agency(&txn, self.db().get_database_backend(), id).await?;
        let Some(row) = agency::Entity::find_by_id(id).one(&txn).await? else {
            return Err(StoreError::NotFound("agency"));
        };
        if row.deleted_at.is_some() {
            return Err(StoreError::NotFound("agency"));
        }
        if let Some(to) = &row.moved_to {
            return Err(StoreError::Conflict(format!(
                "agency {:?} has moved to {to} already",
                row.slug
            )));
        }
        let t = now();
        agency::Entity::update_many()
            .set(agency::ActiveModel {
                moved_to: Set(Some(target.to_owned())),
                moved_at: Set(Some(t)),
                updated_at: Set(t),
                ..Default::default()
            })
            .filter(agency::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        // The Update first, as Mastodon's MoveService distributes it
        // before the Move: a peer that reads the Move sees the redirect.
        put_event(&txn, OutboxKind::AgencyUpdate, Some(id), None, None).await?;
        put_event(&txn, OutboxKind::AgencyMove, Some(id), None, None).await?;
        write_audit(&txn, audit).await?;
        txn.commit().await?;
        self.get_agency(id)
            .await?
            .ok_or(StoreError::NotFound("agency"))
    }

    /// Records that remote actor `id` moved to `target` (its Move was
    /// verified and acted on), so a repeated Move waits out the cool-down.
    pub async fn update_remote_actor_moved(&self, id: i64, target: &str) -> Result<(), StoreError> {
        remote_actor::Entity::update_many()
            .set(remote_actor::ActiveModel {
                moved_to: Set(Some(target.to_owned())),
                moved_at: Set(Some(now())),
                ..Default::default()
            })
            .filter(remote_actor::Column::Id.eq(id))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// The Follows (accepted or pending) that agencies which still speak
    /// (neither withdrawn nor moved) have of `remote_actor_id`, oldest
    /// first.
    pub async fn list_agency_follows_of(
        &self,
        remote_actor_id: i64,
    ) -> Result<Vec<AgencyFollow>, StoreError> {
        let live = sea_orm::sea_query::Query::select()
            .column(agency::Column::Id)
            .from(agency::Entity)
            .and_where(agency::Column::DeletedAt.is_null())
            .and_where(agency::Column::MovedTo.is_null())
            .to_owned();
        Ok(following::Entity::find()
            .filter(following::Column::RemoteActorId.eq(remote_actor_id))
            .filter(following::Column::State.is_in([FOLLOWING_ACCEPTED, FOLLOWING_PENDING]))
            .filter(following::Column::AgencyId.in_subquery(live))
            .order_by_asc(following::Column::Id)
            .all(self.reader())
            .await?
            .into_iter()
            .map(|r| AgencyFollow {
                agency_id: r.agency_id,
                follow_ap_id: r.follow_ap_id,
            })
            .collect())
    }

    /// Carries agency `agency_id`'s Follow of `old_actor_id` over to
    /// `new_actor_id`, in one transaction: the old Follow ends (its Undo,
    /// with id `undo_ap_id`, is queued) and the Follow `follow_ap_id` of
    /// the new account is recorded as pending and queued, unless the
    /// agency follows (or asked to follow) the new account already.
    /// `false` if the agency no longer followed the old account.
    pub async fn update_following_moved(
        &self,
        agency_id: i64,
        old_actor_id: i64,
        new_actor_id: i64,
        follow_ap_id: &str,
        undo_ap_id: &str,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        let Some(old) = following::Entity::find()
            .filter(following::Column::AgencyId.eq(agency_id))
            .filter(following::Column::RemoteActorId.eq(old_actor_id))
            .one(&txn)
            .await?
        else {
            return Ok(false);
        };
        following::Entity::delete_by_id(old.id).exec(&txn).await?;
        queue_undo(&txn, &old, undo_ap_id).await?;
        let already = following::Entity::find()
            .filter(following::Column::AgencyId.eq(agency_id))
            .filter(following::Column::RemoteActorId.eq(new_actor_id))
            .filter(following::Column::State.is_in([FOLLOWING_ACCEPTED, FOLLOWING_PENDING]))
            .one(&txn)
            .await?
            .is_some();
        if !already {
            let t = now();
            following::Entity::delete_many()
                .filter(following::Column::AgencyId.eq(agency_id))
                .filter(following::Column::RemoteActorId.eq(new_actor_id))
                .exec(&txn)
                .await?;
            following::Entity::insert(following::ActiveModel {
                agency_id: Set(agency_id),
                remote_actor_id: Set(new_actor_id),
                follow_ap_id: Set(follow_ap_id.to_owned()),
                state: Set(FOLLOWING_PENDING.to_owned()),
                created_at: Set(t),
                updated_at: Set(t),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
            queue_follow(&txn, agency_id, new_actor_id, follow_ap_id).await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}
