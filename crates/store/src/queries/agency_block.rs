//! Blocks one agency keeps against remote actors: what a blocked actor
//! sends that concerns that agency is refused, while the rest of the
//! instance still hears it. A block for the whole instance is
//! `actor_block` (see `policy.rs`), an instance administrator's.

use crate::{
    Store, StoreError,
    entities::{agency_block, comment, following, item},
    queries::{
        audit::{Audit, write_audit},
        follow::reject_follower,
        outbox::queue_undo,
        remote_actor::remote_actor_id,
    },
    records::now,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, OnConflict, Query},
};

/// A row of `agency_block`.
pub type AgencyBlock = agency_block::Model;

/// What blocking an actor for an agency did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyBlocked {
    /// The block (its reason replaced if the actor was blocked already).
    pub block: AgencyBlock,
    /// The actor's comments on the agency's items that were hidden.
    pub comments_hidden: u64,
    /// Whether the actor followed the agency: the follow is ended, and
    /// the actor's server is sent a `Reject` of it.
    pub follow_ended: bool,
    /// Whether the agency followed the actor: that follow is ended too,
    /// with an `Undo` of it.
    pub following_ended: bool,
}

impl Store {
    /// Blocks `actor` (an actor id) for `agency_id`: its comments on the
    /// agency's items are hidden, its follow of the agency ends (with a
    /// `Reject` queued for its server) and so does the agency's follow of
    /// it (with an `Undo` whose id is `undo_ap_id`), with `audit` written,
    /// all in one transaction, as a block ends a follow both ways on
    /// Mastodon. Blocking again replaces the reason.
    pub async fn put_agency_block(
        &self,
        agency_id: i64,
        actor: &str,
        reason: Option<&str>,
        undo_ap_id: &str,
        audit: Option<&Audit>,
    ) -> Result<AgencyBlocked, StoreError> {
        let txn = self.begin().await?;
        agency_block::Entity::insert(agency_block::ActiveModel {
            agency_id: Set(agency_id),
            actor: Set(actor.to_owned()),
            reason: Set(reason.map(str::to_owned)),
            created_at: Set(now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([agency_block::Column::Actor, agency_block::Column::AgencyId])
                .update_columns([
                    agency_block::Column::Reason,
                    agency_block::Column::CreatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        let block = agency_block::Entity::find()
            .filter(agency_block::Column::Actor.eq(actor))
            .filter(agency_block::Column::AgencyId.eq(agency_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("agency block"))?;
        let remote = remote_actor_id(&txn, actor).await?;
        let (mut comments_hidden, mut follow_ended, mut following_ended) = (0, false, false);
        if let Some(remote) = remote {
            let agency_items = Query::select()
                .column(item::Column::Id)
                .from(item::Entity)
                .and_where(item::Column::AgencyId.eq(agency_id))
                .to_owned();
            comments_hidden = comment::Entity::update_many()
                .col_expr(comment::Column::HiddenAt, Expr::value(Some(now())))
                .filter(comment::Column::AuthorRemoteActorId.eq(remote))
                .filter(comment::Column::ItemId.in_subquery(agency_items))
                .filter(comment::Column::DeletedAt.is_null())
                .filter(comment::Column::HiddenAt.is_null())
                .exec(&txn)
                .await?
                .rows_affected;
            follow_ended = reject_follower(&txn, agency_id, remote).await?;
            if let Some(row) = following::Entity::find()
                .filter(following::Column::AgencyId.eq(agency_id))
                .filter(following::Column::RemoteActorId.eq(remote))
                .one(&txn)
                .await?
            {
                following::Entity::delete_by_id(row.id).exec(&txn).await?;
                queue_undo(&txn, &row, undo_ap_id).await?;
                following_ended = true;
            }
        }
        if let Some(audit) = audit {
            let audit = audit
                .clone()
                .with("comments_hidden", comments_hidden)
                .with("follow_ended", follow_ended)
                .with("following_ended", following_ended);
            write_audit(&txn, &audit).await?;
        }
        txn.commit().await?;
        Ok(AgencyBlocked {
            block,
            comments_hidden,
            follow_ended,
            following_ended,
        })
    }

    /// Lifts `agency_id`'s block of `actor`; `true` if there was one, and
    /// then `audit` is written with it. Comments hidden by the block stay
    /// hidden until a moderator shows them.
    pub async fn delete_agency_block(
        &self,
        agency_id: i64,
        actor: &str,
        audit: Option<&Audit>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        let removed = agency_block::Entity::delete_many()
            .filter(agency_block::Column::Actor.eq(actor))
            .filter(agency_block::Column::AgencyId.eq(agency_id))
            .exec(&txn)
            .await?
            .rows_affected
            > 0;
        if let (true, Some(audit)) = (removed, audit) {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(removed)
    }

    /// The blocks of the agencies `agency_ids`, newest first.
    pub async fn list_agency_blocks(
        &self,
        agency_ids: &[i64],
    ) -> Result<Vec<AgencyBlock>, StoreError> {
        if agency_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(agency_block::Entity::find()
            .filter(agency_block::Column::AgencyId.is_in(agency_ids.iter().copied()))
            .order_by_desc(agency_block::Column::CreatedAt)
            .order_by_desc(agency_block::Column::Id)
            .all(self.reader())
            .await?)
    }

    /// The agencies that have blocked `actor` (an actor id): usually
    /// none, read through one index.
    pub async fn agencies_blocking(&self, actor: &str) -> Result<Vec<i64>, StoreError> {
        Ok(agency_block::Entity::find()
            .select_only()
            .column(agency_block::Column::AgencyId)
            .filter(agency_block::Column::Actor.eq(actor))
            .into_tuple()
            .all(self.reader())
            .await?)
    }

    /// Every agency's block of `actor` (an actor id), oldest first: what
    /// a Move of the actor carries to its new account.
    pub async fn list_blocks_of_actor(&self, actor: &str) -> Result<Vec<AgencyBlock>, StoreError> {
        Ok(agency_block::Entity::find()
            .filter(agency_block::Column::Actor.eq(actor))
            .order_by_asc(agency_block::Column::Id)
            .all(self.reader())
            .await?)
    }

    /// Whether `agency_id` has blocked `actor` (an actor id).
    pub async fn is_blocked_by_agency(
        &self,
        agency_id: i64,
        actor: &str,
    ) -> Result<bool, StoreError> {
        Ok(agency_block::Entity::find()
            .filter(agency_block::Column::Actor.eq(actor))
            .filter(agency_block::Column::AgencyId.eq(agency_id))
            .one(self.reader())
            .await?
            .is_some())
    }
}
