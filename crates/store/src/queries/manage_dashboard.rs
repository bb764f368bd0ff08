//! What the staff pages' dashboard, following and moderation pages read:
//! each a bounded query (newest N), walked along an index on the agency,
//! never a count over every item.

use crate::{
    Store, StoreError,
    entities::{comment, delivery, follower, following, item, message, remote_actor},
    queries::{delivery::STATUS_FAILED, delivery::STATUS_PENDING, follow::FOLLOWING_ACCEPTED},
    records::{Comment, Item, RemoteActor},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationDef,
    sea_query::Query,
};
use std::collections::HashMap;

/// A comment on one of an agency's items, as its moderators see it.
#[derive(Debug, Clone)]
pub struct AgencyComment {
    /// The comment.
    pub comment: Comment,
    /// The item's title.
    pub item_title: String,
    /// The item's agency.
    pub agency_id: i64,
    /// Hidden by a moderator (or held for one).
    pub hidden: bool,
}

/// A remote actor following an agency, and since when.
#[derive(Debug, Clone)]
pub struct FollowerRow {
    /// The follower.
    pub actor: RemoteActor,
    /// When its Follow arrived.
    pub since: DateTime<Utc>,
}

/// A delivery of an agency's that has failed at least once.
#[derive(Debug, Clone)]
pub struct FailingDelivery {
    /// The activity's id.
    pub activity_id: String,
    /// The inbox's host (and port).
    pub host: String,
    /// The inbox.
    pub inbox: String,
    /// Attempts made so far.
    pub attempts: i32,
    /// The next attempt, while it is still tried.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// What the last attempt met.
    pub last_error: Option<String>,
    /// Given up for good.
    pub given_up: bool,
}

/// `comment` inner-joined to its item.
fn comment_item() -> RelationDef {
    comment::Entity::belongs_to(item::Entity)
        .from(comment::Column::ItemId)
        .to(item::Column::Id)
        .into()
}

impl Store {
    /// The newest comments (not deleted; hidden ones too when
    /// `with_hidden`) on the items of `agency_ids` that are not withdrawn,
    /// written after `since`, at most `limit`, newest first.
    pub async fn list_agency_comments(
        &self,
        agency_ids: &[i64],
        since: Option<DateTime<Utc>>,
        with_hidden: bool,
        limit: u64,
    ) -> Result<Vec<AgencyComment>, StoreError> {
        if agency_ids.is_empty() {
            return Ok(vec![]);
        }
        let mut q = comment::Entity::find()
            .join(JoinType::InnerJoin, comment_item())
            .filter(item::Column::AgencyId.is_in(agency_ids.iter().copied()))
            .filter(item::Column::DeletedAt.is_null())
            .filter(comment::Column::DeletedAt.is_null());
        if let Some(since) = since {
            q = q.filter(comment::Column::PublishedAt.gt(since));
        }
        if !with_hidden {
            q = q.filter(comment::Column::HiddenAt.is_null());
        }
        let rows = q
            .order_by_desc(comment::Column::PublishedAt)
            .order_by_desc(comment::Column::Id)
            .limit(limit)
            .select_also(item::Entity)
            .all(self.reader())
            .await?;
        let facts: HashMap<i64, (String, i64, bool)> = rows
            .iter()
            .filter_map(|(c, i)| {
                let i = i.as_ref()?;
                Some((c.id, (i.title.clone(), i.agency_id?, c.hidden_at.is_some())))
            })
            .collect();
        let comments = self
            .assemble_comments(rows.into_iter().map(|(c, _)| c).collect())
            .await?;
        Ok(comments
            .into_iter()
            .filter_map(|c| {
                let (item_title, agency_id, hidden) = facts.get(&c.id)?.clone();
                Some(AgencyComment {
                    comment: c,
                    item_title,
                    agency_id,
                    hidden,
                })
            })
            .collect())
    }

    /// Every comment on `item_id` that is not deleted, hidden ones
    /// included (with whether each is), oldest first: the thread as its
    /// moderators see it.
    pub async fn list_item_comments_for_moderation(
        &self,
        item_id: i64,
    ) -> Result<Vec<(Comment, bool)>, StoreError> {
        let rows = comment::Entity::find()
            .filter(comment::Column::ItemId.eq(item_id))
            .filter(comment::Column::DeletedAt.is_null())
            .order_by_asc(comment::Column::PublishedAt)
            .order_by_asc(comment::Column::Id)
            .all(self.reader())
            .await?;
        let hidden: HashMap<i64, bool> =
            rows.iter().map(|r| (r.id, r.hidden_at.is_some())).collect();
        Ok(self
            .assemble_comments(rows)
            .await?
            .into_iter()
            .map(|c| {
                let h = hidden.get(&c.id).copied().unwrap_or(false);
                (c, h)
            })
            .collect())
    }

    /// An agency's newest followers, at most `limit`.
    pub async fn list_recent_followers(
        &self,
        agency_id: i64,
        limit: u64,
    ) -> Result<Vec<FollowerRow>, StoreError> {
        let rows = follower::Entity::find()
            .filter(follower::Column::AgencyId.eq(agency_id))
            .order_by_desc(follower::Column::Id)
            .limit(limit)
            .all(self.reader())
            .await?;
        let mut actors: HashMap<i64, RemoteActor> = remote_actor::Entity::find()
            .filter(remote_actor::Column::Id.is_in(rows.iter().map(|r| r.remote_actor_id)))
            .all(self.reader())
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(FollowerRow {
                    actor: actors.remove(&r.remote_actor_id)?,
                    since: r.created_at,
                })
            })
            .collect())
    }

    /// The newest items, at most `limit`, published by the actors
    /// `agency_id` follows (accepted Follows).
    pub async fn list_items_of_followed(
        &self,
        agency_id: i64,
        limit: u64,
    ) -> Result<Vec<Item>, StoreError> {
        let followed = Query::select()
            .column(following::Column::RemoteActorId)
            .from(following::Entity)
            .and_where(following::Column::AgencyId.eq(agency_id))
            .and_where(following::Column::State.eq(FOLLOWING_ACCEPTED))
            .to_owned();
        let ids: Vec<i64> = item::Entity::find()
            .select_only()
            .column(item::Column::Id)
            .filter(item::Column::RemoteActorId.in_subquery(followed))
            .filter(item::Column::DeletedAt.is_null())
            .order_by_desc(item::Column::PublishedAt)
            .order_by_desc(item::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(self.reader())
            .await?;
        let mut items = self.get_items(&ids).await?;
        items.sort_by_key(|i| std::cmp::Reverse((i.published_at, i.id)));
        Ok(items)
    }

    /// An agency's deliveries that failed: those still tried (soonest
    /// retry first), then those given up (latest first), at most `limit`
    /// of each.
    pub async fn list_failing_deliveries(
        &self,
        agency_id: i64,
        limit: u64,
    ) -> Result<Vec<FailingDelivery>, StoreError> {
        let retried = delivery::Entity::find()
            .filter(delivery::Column::Status.eq(STATUS_PENDING))
            .filter(delivery::Column::AgencyId.eq(agency_id))
            .filter(delivery::Column::Attempts.gt(0))
            .order_by_asc(delivery::Column::NextAttemptAt)
            .limit(limit)
            .all(self.reader())
            .await?;
        let given_up = delivery::Entity::find()
            .filter(delivery::Column::Status.eq(STATUS_FAILED))
            .filter(delivery::Column::AgencyId.eq(agency_id))
            .order_by_desc(delivery::Column::Id)
            .limit(limit)
            .all(self.reader())
            .await?;
        Ok(retried
            .into_iter()
            .chain(given_up)
            .map(|d| {
                let given_up = d.status == STATUS_FAILED;
                FailingDelivery {
                    activity_id: d.activity_id,
                    host: d.host,
                    inbox: d.inbox,
                    attempts: d.attempts,
                    next_attempt_at: (!given_up).then_some(d.next_attempt_at),
                    last_error: d.last_error,
                    given_up,
                }
            })
            .collect())
    }

    /// How many messages people sent `agency_id` (not its own answers,
    /// not deleted, not held), counted up to `cap` and no further.
    pub async fn count_messages_upto(&self, agency_id: i64, cap: u64) -> Result<u64, StoreError> {
        self.count_received_messages_upto(agency_id, false, cap)
            .await
    }

    /// How many messages `agency_id` holds for its staff to release (not
    /// deleted), counted up to `cap` and no further.
    pub async fn count_held_messages_upto(
        &self,
        agency_id: i64,
        cap: u64,
    ) -> Result<u64, StoreError> {
        self.count_received_messages_upto(agency_id, true, cap)
            .await
    }

    async fn count_received_messages_upto(
        &self,
        agency_id: i64,
        held: bool,
        cap: u64,
    ) -> Result<u64, StoreError> {
        let ids: Vec<i64> = message::Entity::find()
            .select_only()
            .column(message::Column::Id)
            .filter(message::Column::AgencyId.eq(agency_id))
            .filter(message::Column::AuthorRemoteActorId.is_not_null())
            .filter(message::Column::DeletedAt.is_null())
            .filter(if held {
                message::Column::HeldAt.is_not_null()
            } else {
                message::Column::HeldAt.is_null()
            })
            .order_by_desc(message::Column::PublishedAt)
            .limit(cap)
            .into_tuple()
            .all(self.reader())
            .await?;
        Ok(ids.len() as u64)
    }
}

impl Store {
    /// The Markdown an agency wrote comment `id` in (for its edit form);
    /// `None` for a remote comment, a deleted one, or none at all.
    pub async fn get_own_comment_source(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(comment::Entity::find_by_id(id)
            .filter(comment::Column::DeletedAt.is_null())
            .filter(comment::Column::AuthorAgencyId.is_not_null())
            .one(self.reader())
            .await?
            .and_then(|c| c.content_source))
    }
}
