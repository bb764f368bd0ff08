//! Outbox events: local changes that need announcing to followers. They are
//! written in the same transaction as the change; the fan-out worker turns
//! each into deliveries.

use crate::{
    Store, StoreError,
    entities::{delivery, outbox_event},
    queries::delivery::NewDelivery,
    records::now,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

/// An outbox event row.
pub type OutboxEvent = outbox_event::Model;

/// Item published.
pub const EVENT_ITEM_CREATE: &str = "item_create";
/// Item edited.
pub const EVENT_ITEM_UPDATE: &str = "item_update";
/// Item withdrawn.
pub const EVENT_ITEM_DELETE: &str = "item_delete";
/// An agency's profile changed (name, description, web site, logo).
pub const EVENT_AGENCY_UPDATE: &str = "agency_update";
/// An agency's key pair was rotated: its followers (and those it follows)
/// get an `Update` of the actor carrying the new key, signed with the old.
pub const EVENT_AGENCY_KEY_ROTATE: &str = "agency_key_rotate";
/// An agency was withdrawn: its followers get a Delete of the actor.
pub const EVENT_AGENCY_DELETE: &str = "agency_delete";
/// An agency moved to an actor elsewhere: its followers get a `Move`.
pub const EVENT_AGENCY_MOVE: &str = "agency_move";
/// A local agency shared (boosted) an item.
pub const EVENT_SHARE_CREATE: &str = "share_create";
/// A local agency took a share back.
pub const EVENT_SHARE_UNDO: &str = "share_undo";
/// A local agency edited one of its comments.
pub const EVENT_COMMENT_UPDATE: &str = "comment_update";
/// A local agency deleted one of its comments.
pub const EVENT_COMMENT_DELETE: &str = "comment_delete";
/// An agency pinned one of its items (an `Add` to its featured collection).
pub const EVENT_ITEM_PIN: &str = "item_pin";
/// An agency unpinned an item (a `Remove` from its featured collection).
pub const EVENT_ITEM_UNPIN: &str = "item_unpin";
/// A local agency commented.
pub const EVENT_COMMENT_CREATE: &str = "comment_create";
/// A local agency answered a message in its staff inbox.
pub const EVENT_MESSAGE_CREATE: &str = "message_create";

/// Records an event inside the caller's transaction.
pub(crate) async fn put_event(
    db: &impl ConnectionTrait,
    kind: &str,
    agency_id: Option<i64>,
    item_id: Option<i64>,
    comment_id: Option<i64>,
) -> Result<(), StoreError> {
    insert_event(db, kind, agency_id, item_id, comment_id, None).await
}

/// Records a share's event (its Announce or the Undo of it) inside the
/// caller's transaction.
pub(crate) async fn put_share_event(
    db: &impl ConnectionTrait,
    kind: &str,
    agency_id: i64,
    item_id: i64,
    share_id: i64,
) -> Result<(), StoreError> {
    insert_event(
        db,
        kind,
        Some(agency_id),
        Some(item_id),
        None,
        Some(share_id),
    )
    .await
}

async fn insert_event(
    db: &impl ConnectionTrait,
    kind: &str,
    agency_id: Option<i64>,
    item_id: Option<i64>,
    comment_id: Option<i64>,
    share_id: Option<i64>,
) -> Result<(), StoreError> {
    outbox_event::Entity::insert(outbox_event::ActiveModel {
        kind: Set(kind.to_owned()),
        agency_id: Set(agency_id),
        item_id: Set(item_id),
        comment_id: Set(comment_id),
        share_id: Set(share_id),
        message_id: Set(None),
        created_at: Set(now()),
        processed_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Inserts deliveries, skipping any (activity, inbox) pair already queued,
/// so fanning out the same event twice sends nothing twice.
pub(crate) async fn insert_deliveries(
    db: &impl ConnectionTrait,
    deliveries: Vec<NewDelivery>,
) -> Result<(), StoreError> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let t = now();
    // A delivery to a host that is waiting out failures waits with it, so
    // it neither overtakes the host's probe nor keeps the worker busy.
    let hosts: Vec<String> = deliveries.iter().map(|d| d.host.clone()).collect();
    let waiting: std::collections::HashMap<String, chrono::DateTime<chrono::Utc>> =
        crate::entities::host_state::Entity::find()
            .filter(crate::entities::host_state::Column::Host.is_in(hosts))
            .filter(crate::entities::host_state::Column::NextAttemptAt.gt(t))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|h| Some((h.host, h.next_attempt_at?)))
            .collect();
    delivery::Entity::insert_many(deliveries.into_iter().map(|d| delivery::ActiveModel {
        next_attempt_at: Set(waiting.get(&d.host).copied().unwrap_or(t)),
        activity_id: Set(d.activity_id),
        agency_id: Set(d.agency_id),
        host: Set(d.host),
        inbox: Set(d.inbox),
        body: Set(d.body),
        status: Set(crate::queries::delivery::STATUS_PENDING.to_owned()),
        attempts: Set(0),
        locked_until: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        created_at: Set(t),
        finished_at: Set(None),
        ..Default::default()
    }))
    .on_conflict_do_nothing_on([delivery::Column::ActivityId, delivery::Column::Inbox])
    .exec(db)
    .await?;
    Ok(())
}

impl Store {
    /// The oldest events not yet fanned out.
    pub async fn list_pending_outbox_events(
        &self,
        limit: u64,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        Ok(outbox_event::Entity::find()
            .filter(outbox_event::Column::ProcessedAt.is_null())
            .order_by_asc(outbox_event::Column::Id)
            .limit(limit)
            .all(self.db())
            .await?)
    }

    /// Queues `deliveries` and marks event `id` done, atomically.
    pub async fn complete_outbox_event(
        &self,
        id: i64,
        deliveries: Vec<NewDelivery>,
    ) -> Result<(), StoreError> {
        let txn = self.db().begin().await?;
        insert_deliveries(&txn, deliveries).await?;
        outbox_event::Entity::update_many()
            .col_expr(
                outbox_event::Column::ProcessedAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(outbox_event::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Forgets events fanned out before `before`.
    pub async fn delete_processed_outbox_events_before(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, StoreError> {
        Ok(outbox_event::Entity::delete_many()
            .filter(outbox_event::Column::ProcessedAt.lt(before))
            .exec(self.db())
            .await?
            .rows_affected)
    }

    /// Queues deliveries that belong to no stored change (an Accept, say).
    pub async fn put_deliveries(&self, deliveries: Vec<NewDelivery>) -> Result<(), StoreError> {
        insert_deliveries(self.db(), deliveries).await
    }
}
