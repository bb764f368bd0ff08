//! Outbox events: every activity this server sends starts as one. An event
//! is written in the transaction of the change it reports (by the store
//! function that makes the change), and the fan-out worker turns it into
//! the activity and its deliveries (`deling_federation::outbox`).
//!
//! An event names the rows its activity is built from (`agency_id`,
//! `item_id`, `comment_id`, `share_id`, `message_id`), read when it is
//! fanned out. What no kept row holds then goes into its `payload`, as
//! JSON text of the kind's type here: [`FollowSent`] for a Follow (the
//! `following` row may be gone or replaced by the time it is sent),
//! [`FollowUndone`] for the Undo of one (the row is deleted with it), and
//! [`FollowAccepted`] for the Accept of a follower's Follow (which embeds
//! that Follow as received), and [`FollowRejected`] for the Reject of one
//! (the `follower` row, if there was one, is deleted with it). The remote actor's id and inbox are copied
//! in, as they were when the change was made. Text, not a JSON column:
//! PostgreSQL takes bound JSON as `jsonb`, which would reorder the fields
//! of the Follow an Accept embeds.

use crate::{
    Store, StoreError,
    entities::{delivery, delivery_body, outbox_event, remote_actor},
    queries::delivery::{NewDelivery, signer_key},
    records::now,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

pub use crate::entities::outbox_event::OutboxKind;

/// An outbox event row.
pub type OutboxEvent = outbox_event::Model;

/// The payload of a [`OutboxKind::Follow`] event: a Follow we send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowSent {
    /// The Follow's id, as `following` records it.
    pub follow_id: String,
    /// The actor followed.
    pub object: String,
    /// Its inbox.
    pub inbox: String,
}

/// The payload of a [`OutboxKind::FollowUndo`] event: the Undo of a
/// Follow we sent, whose `following` row is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUndone {
    /// The Undo's own id, minted when the Follow ended.
    pub undo_id: String,
    /// The id of the Follow undone.
    pub follow_id: String,
    /// The actor that was followed.
    pub object: String,
    /// Its inbox.
    pub inbox: String,
}

/// The payload of a [`OutboxKind::FollowAccept`] event: the Accept of a
/// remote actor's Follow of an agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowAccepted {
    /// The Follow's id, as it was read when received.
    pub follow_id: String,
    /// The Follow as received (without `@context`), which the Accept
    /// embeds so that the follower can match it without a fetch.
    pub follow: serde_json::Value,
    /// The follower.
    pub actor: String,
    /// Its inbox.
    pub inbox: String,
}

/// The payload of a [`OutboxKind::FollowReject`] event: the Reject of a
/// remote actor's Follow of an agency, which tells the actor's server
/// that it does not (or no longer) follow the agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowRejected {
    /// The Follow's id.
    pub follow_id: String,
    /// The Follow as received (without `@context`) when it is refused on
    /// arrival; `None` when a follow accepted earlier ends, and the Reject
    /// then embeds the Follow rebuilt from its id, actor and object.
    pub follow: Option<serde_json::Value>,
    /// The actor whose Follow it was.
    pub actor: String,
    /// Its own inbox.
    pub inbox: String,
}

impl OutboxEvent {
    /// The event's payload as `T`; `None` (logged) if it has none or it
    /// does not read as `T`.
    pub fn payload<T: DeserializeOwned>(&self) -> Option<T> {
        let Some(text) = &self.payload else {
            tracing::warn!(event = self.id, kind = ?self.kind, "an outbox event lacks its payload");
            return None;
        };
        match serde_json::from_str(text) {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!(event = self.id, kind = ?self.kind, error = %e,
                    "an outbox event's payload does not read");
                None
            }
        }
    }
}

/// Records an event inside the caller's transaction.
pub(crate) async fn put_event(
    db: &impl ConnectionTrait,
    kind: OutboxKind,
    agency_id: Option<i64>,
    item_id: Option<i64>,
    comment_id: Option<i64>,
) -> Result<(), StoreError> {
    insert_event(
        db,
        kind,
        Refs {
            agency_id,
            item_id,
            comment_id,
            ..Refs::default()
        },
    )
    .await
}

/// Records a share's event (its Announce or the Undo of it) inside the
/// caller's transaction.
pub(crate) async fn put_share_event(
    db: &impl ConnectionTrait,
    kind: OutboxKind,
    agency_id: i64,
    item_id: i64,
    share_id: i64,
) -> Result<(), StoreError> {
    let refs = Refs {
        agency_id: Some(agency_id),
        item_id: Some(item_id),
        share_id: Some(share_id),
        ..Refs::default()
    };
    insert_event(db, kind, refs).await
}

/// Records the event of an agency's answer `message_id` inside the
/// caller's transaction.
pub(crate) async fn put_message_event(
    db: &impl ConnectionTrait,
    agency_id: i64,
    message_id: i64,
) -> Result<(), StoreError> {
    let refs = Refs {
        agency_id: Some(agency_id),
        message_id: Some(message_id),
        ..Refs::default()
    };
    insert_event(db, OutboxKind::MessageCreate, refs).await
}

/// Records an event of `agency_id` that carries `payload` inside the
/// caller's transaction.
async fn put_payload_event(
    db: &impl ConnectionTrait,
    kind: OutboxKind,
    agency_id: i64,
    payload: &impl Serialize,
) -> Result<(), StoreError> {
    let payload = serde_json::to_string(payload)
        .map_err(|e| StoreError::Conflict(format!("outbox payload: {e}")))?;
    let refs = Refs {
        agency_id: Some(agency_id),
        payload: Some(payload),
        ..Refs::default()
    };
    insert_event(db, kind, refs).await
}

/// The payload of a [`OutboxKind::CommentFlag`] event: a report of a
/// remote comment, sent to its author's server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagSent {
    /// The Flag's id.
    pub flag_id: String,
    /// The comment's author (an actor on the other server).
    pub author: String,
    /// The comment reported.
    pub comment: String,
    /// The author's inbox.
    pub inbox: String,
    /// Why, in the reporter's words (plain text).
    pub content: String,
}

/// Queues a report of remote comment `comment` by `author_id`, inside the
/// caller's transaction.
pub(crate) async fn queue_flag(
    db: &impl ConnectionTrait,
    agency_id: i64,
    author_id: i64,
    comment: &str,
    flag_ap_id: &str,
    content: &str,
) -> Result<(), StoreError> {
    let (author, inbox) = actor_address(db, author_id).await?;
    let sent = FlagSent {
        flag_id: flag_ap_id.to_owned(),
        author,
        comment: comment.to_owned(),
        inbox,
        content: content.to_owned(),
    };
    put_payload_event(db, OutboxKind::CommentFlag, agency_id, &sent).await
}

/// Queues the Follow `follow_ap_id` of `remote_actor_id` by `agency_id`
/// inside the caller's transaction.
pub(crate) async fn queue_follow(
    db: &impl ConnectionTrait,
    agency_id: i64,
    remote_actor_id: i64,
    follow_ap_id: &str,
) -> Result<(), StoreError> {
    let (object, inbox) = actor_address(db, remote_actor_id).await?;
    let sent = FollowSent {
        follow_id: follow_ap_id.to_owned(),
        object,
        inbox,
    };
    put_payload_event(db, OutboxKind::Follow, agency_id, &sent).await
}

/// Queues the Undo (with id `undo_ap_id`) of the Follow `row` records,
/// inside the caller's transaction that deletes the row.
pub(crate) async fn queue_undo(
    db: &impl ConnectionTrait,
    row: &crate::entities::following::Model,
    undo_ap_id: &str,
) -> Result<(), StoreError> {
    let (object, inbox) = actor_address(db, row.remote_actor_id).await?;
    let undone = FollowUndone {
        undo_id: undo_ap_id.to_owned(),
        follow_id: row.follow_ap_id.clone(),
        object,
        inbox,
    };
    put_payload_event(db, OutboxKind::FollowUndo, row.agency_id, &undone).await
}

/// Queues the Accept of `remote_actor_id`'s Follow `follow_ap_id` of
/// `agency_id` (`follow`, as received without `@context`), inside the
/// caller's transaction.
pub(crate) async fn queue_accept(
    db: &impl ConnectionTrait,
    agency_id: i64,
    remote_actor_id: i64,
    follow_ap_id: &str,
    follow: serde_json::Value,
) -> Result<(), StoreError> {
    let (actor, inbox) = actor_address(db, remote_actor_id).await?;
    let accepted = FollowAccepted {
        follow_id: follow_ap_id.to_owned(),
        follow,
        actor,
        inbox,
    };
    put_payload_event(db, OutboxKind::FollowAccept, agency_id, &accepted).await
}

/// Queues the Reject of `remote_actor_id`'s Follow `follow_ap_id` of
/// `agency_id` (`follow`, as received without `@context`, if it was just
/// received), inside the caller's transaction.
pub(crate) async fn queue_reject(
    db: &impl ConnectionTrait,
    agency_id: i64,
    remote_actor_id: i64,
    follow_ap_id: &str,
    follow: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    let (actor, inbox) = actor_address(db, remote_actor_id).await?;
    let rejected = FollowRejected {
        follow_id: follow_ap_id.to_owned(),
        follow,
        actor,
        inbox,
    };
    put_payload_event(db, OutboxKind::FollowReject, agency_id, &rejected).await
}

/// The id and inbox of remote actor `id`, read inside the caller's
/// transaction, for a payload; [`StoreError::NotFound`] if it is gone.
async fn actor_address(db: &impl ConnectionTrait, id: i64) -> Result<(String, String), StoreError> {
    let actor = remote_actor::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("remote actor"))?;
    Ok((actor.ap_id, actor.inbox))
}

/// What an event names.
#[derive(Debug, Default)]
struct Refs {
    agency_id: Option<i64>,
    item_id: Option<i64>,
    comment_id: Option<i64>,
    share_id: Option<i64>,
    message_id: Option<i64>,
    payload: Option<String>,
}

async fn insert_event(
    db: &impl ConnectionTrait,
    kind: OutboxKind,
    refs: Refs,
) -> Result<(), StoreError> {
    outbox_event::Entity::insert(outbox_event::ActiveModel {
        kind: Set(kind),
        agency_id: Set(refs.agency_id),
        item_id: Set(refs.item_id),
        comment_id: Set(refs.comment_id),
        share_id: Set(refs.share_id),
        message_id: Set(refs.message_id),
        payload: Set(refs.payload),
        created_at: Set(now()),
        processed_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Rows per `INSERT` of deliveries: 11 values a row stays far below what
/// one statement may bind (32,766 on SQLite, 65,535 on PostgreSQL), so an
/// agency followed on many thousands of servers is still queued, in one
/// transaction when the caller holds one.
const DELIVERY_ROWS_PER_INSERT: usize = 1_000;

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
    let mut hosts: Vec<String> = deliveries.iter().map(|d| d.host.clone()).collect();
    hosts.sort_unstable();
    hosts.dedup();
    let mut waiting: std::collections::HashMap<String, chrono::DateTime<chrono::Utc>> =
        std::collections::HashMap::new();
    for chunk in hosts.chunks(DELIVERY_ROWS_PER_INSERT) {
        waiting.extend(
            crate::entities::host_state::Entity::find()
                .filter(crate::entities::host_state::Column::Host.is_in(chunk.iter().cloned()))
                .filter(crate::entities::host_state::Column::NextAttemptAt.gt(t))
                .all(db)
                .await?
                .into_iter()
                .filter_map(|h| Some((h.host, h.next_attempt_at?))),
        );
    }
    // So does one whose signer the host refused (`signer_wait`: most
    // often none).
    let mut signers: std::collections::HashMap<(String, i64), chrono::DateTime<chrono::Utc>> =
        std::collections::HashMap::new();
    for chunk in hosts.chunks(DELIVERY_ROWS_PER_INSERT) {
        signers.extend(
            crate::entities::signer_wait::Entity::find()
                .filter(crate::entities::signer_wait::Column::Host.is_in(chunk.iter().cloned()))
                .filter(crate::entities::signer_wait::Column::NextAttemptAt.gt(t))
                .all(db)
                .await?
                .into_iter()
                .map(|w| ((w.host, w.signer), w.next_attempt_at)),
        );
    }
    // Each distinct body once (a fan-out has one or two: the `Page` for
    // Deling peers, the `Note` for the others), every row naming it.
    // A list, not a map: there are one or two, and comparing a body with
    // them costs less than hashing it.
    let mut body_ids: Vec<(String, i64)> = Vec::new();
    let mut rows = Vec::with_capacity(deliveries.len());
    for d in deliveries {
        let body_id = match body_ids.iter().find(|(body, _)| *body == d.body) {
            Some((_, id)) => *id,
            None => {
                let id = delivery_body::Entity::insert(delivery_body::ActiveModel {
                    body: Set(d.body.clone()),
                    ..Default::default()
                })
                .exec(db)
                .await?
                .last_insert_id;
                body_ids.push((d.body, id));
                id
            }
        };
        rows.push((d.activity_id, d.agency_id, d.host, d.inbox, body_id));
    }
    let mut rest = rows.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<_> = rest.by_ref().take(DELIVERY_ROWS_PER_INSERT).collect();
        delivery::Entity::insert_many(chunk.into_iter().map(
            |(activity_id, agency_id, host, inbox, body_id)| delivery::ActiveModel {
                next_attempt_at: Set({
                    let signer = if signers.is_empty() {
                        None
                    } else {
                        signers.get(&(host.clone(), signer_key(agency_id))).copied()
                    };
                    waiting.get(&host).copied().max(signer).unwrap_or(t)
                }),
                activity_id: Set(activity_id),
                agency_id: Set(agency_id),
                host: Set(host),
                inbox: Set(inbox),
                body_id: Set(body_id),
                status: Set(crate::queries::delivery::STATUS_PENDING.to_owned()),
                attempts: Set(0),
                locked_until: Set(None),
                locked_by: Set(None),
                last_error: Set(None),
                created_at: Set(t),
                finished_at: Set(None),
                ..Default::default()
            },
        ))
        .on_conflict_do_nothing_on([delivery::Column::ActivityId, delivery::Column::Inbox])
        .exec(db)
        .await?;
    }
    Ok(())
}

/// An `outbox_event` row as stored, its kind still text: a kind this
/// version does not know (written by a newer one) must not make the whole
/// batch unreadable.
#[derive(Debug, FromQueryResult)]
struct StoredEvent {
    id: i64,
    kind: String,
    agency_id: Option<i64>,
    item_id: Option<i64>,
    comment_id: Option<i64>,
    share_id: Option<i64>,
    created_at: chrono::DateTime<chrono::Utc>,
    processed_at: Option<chrono::DateTime<chrono::Utc>>,
    message_id: Option<i64>,
    payload: Option<String>,
}

impl StoredEvent {
    /// The event, or (if its kind is unknown) its id and kind.
    fn read(self) -> Result<OutboxEvent, (i64, String)> {
        use sea_orm::ActiveEnum;
        let Ok(kind) = OutboxKind::try_from_value(&self.kind) else {
            return Err((self.id, self.kind));
        };
        Ok(OutboxEvent {
            id: self.id,
            kind,
            agency_id: self.agency_id,
            item_id: self.item_id,
            comment_id: self.comment_id,
            share_id: self.share_id,
            created_at: self.created_at,
            processed_at: self.processed_at,
            message_id: self.message_id,
            payload: self.payload,
        })
    }
}

impl Store {
    /// The oldest events not yet fanned out. An event of a kind this
    /// version does not know is logged and set aside as processed, so it
    /// holds up nothing behind it.
    pub async fn list_pending_outbox_events(
        &self,
        limit: u64,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        let rows = outbox_event::Entity::find()
            .filter(outbox_event::Column::ProcessedAt.is_null())
            .order_by_asc(outbox_event::Column::Id)
            .limit(limit)
            .into_model::<StoredEvent>()
            .all(self.db())
            .await?;
        let mut events = Vec::with_capacity(rows.len());
        let mut unknown = Vec::new();
        for row in rows {
            match row.read() {
                Ok(event) => events.push(event),
                Err((id, kind)) => {
                    tracing::warn!(event = id, %kind, "an outbox event of an unknown kind is skipped");
                    unknown.push(id);
                }
            }
        }
        if !unknown.is_empty() {
            self.mark_outbox_events_processed(self.db(), unknown)
                .await?;
        }
        Ok(events)
    }

    async fn mark_outbox_events_processed(
        &self,
        db: &impl ConnectionTrait,
        ids: Vec<i64>,
    ) -> Result<(), StoreError> {
        outbox_event::Entity::update_many()
            .col_expr(
                outbox_event::Column::ProcessedAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(outbox_event::Column::Id.is_in(ids))
            .exec(db)
            .await?;
        Ok(())
    }

    /// Queues `deliveries` and marks event `id` done, atomically.
    pub async fn complete_outbox_event(
        &self,
        id: i64,
        deliveries: Vec<NewDelivery>,
    ) -> Result<(), StoreError> {
        let txn = self.begin().await?;
        insert_deliveries(&txn, deliveries).await?;
        self.mark_outbox_events_processed(&txn, vec![id]).await?;
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

    /// Queues deliveries outside any outbox event. Every activity the
    /// server sends goes through an event; this is for tests that need
    /// rows in the delivery queue as such.
    pub async fn put_deliveries(&self, deliveries: Vec<NewDelivery>) -> Result<(), StoreError> {
        let txn = self.begin().await?;
        insert_deliveries(&txn, deliveries).await?;
        txn.commit().await?;
        Ok(())
    }
}
