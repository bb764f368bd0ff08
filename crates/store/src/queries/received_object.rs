//! What this server remembers of an object id an actor sends it, read at
//! once as a Create or Update of the object arrives: whether the actor
//! deleted it, whether it sent it privately before, whether it is a
//! message in a staff inbox here, and the actor's comment of that id if
//! one is up; and, when asked, how many comments and messages the actor
//! sent lately (the hourly quotas). Each is also asked on its own
//! ([`Store::is_tombstoned`], [`Store::was_private`],
//! [`Store::is_message`], [`Store::count_remote_comments_received_since`]);
//! a reply asked all four, four round trips to the database for every
//! comment received.

use crate::{Store, StoreError, queries::params::Params};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement};

/// What is remembered of an object id, per [`Store::received_object`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObjectHistory {
    /// The actor deleted it (a tombstone of its own).
    pub deleted_by_sender: bool,
    /// The actor sent it here as not public before (marked private).
    pub sent_privately: bool,
    /// It is a message in some agency's staff inbox, by anyone.
    pub message: bool,
    /// The actor's comment of this id, not deleted (hidden or not): an
    /// edit revises it where it is, whatever became of what it answered.
    pub comment: Option<HeldComment>,
    /// The actor's comments received since [`RecentComments::since`],
    /// counted up to [`RecentComments::at_most`] (0 when not asked).
    pub recent_comments: u64,
    /// The actor's messages (distinct ids, whatever agencies they went
    /// to) received in the same window, counted up to the same bound.
    pub recent_messages: u64,
}

/// A comment held here under an object id, as [`ObjectHistory::comment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldComment {
    /// Its row.
    pub id: i64,
    /// The item it is on.
    pub item_id: i64,
    /// The comment it answers, if that is still held.
    pub in_reply_to_id: Option<i64>,
}

/// Which of an actor's comments [`Store::received_object`] counts: those
/// received here since `since`, up to `at_most`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentComments {
    /// The start of the window, by this server's clock.
    pub since: DateTime<Utc>,
    /// Where counting stops.
    pub at_most: u64,
}

impl Store {
    /// What is remembered of `ap_id` as sent by `remote_actor_id`, in one
    /// statement: the answers of [`Store::is_tombstoned`],
    /// [`Store::was_private`] and [`Store::is_message`], the sender's
    /// comment of that id if it is up (from the same index lookup by id
    /// an edit's revision needs anyway), and with `recent` that of
    /// [`Store::count_remote_comments_received_since`].
    pub async fn received_object(
        &self,
        ap_id: &str,
        remote_actor_id: i64,
        recent: Option<RecentComments>,
    ) -> Result<ObjectHistory, StoreError> {
        let mut p = Params::new(self.backend());
        let mut sql = format!(
            "SELECT \
             EXISTS (SELECT 1 FROM tombstone WHERE ap_id = {} AND remote_actor_id = {}) \
             AS deleted_by_sender, \
             EXISTS (SELECT 1 FROM private_object WHERE ap_id = {} AND remote_actor_id = {}) \
             AS sent_privately, \
             EXISTS (SELECT 1 FROM message WHERE ap_id = {}) AS message, \
             held.id AS comment_id, held.item_id AS comment_item_id, \
             held.in_reply_to_id AS comment_in_reply_to_id",
            p.push(ap_id),
            p.push(remote_actor_id),
            p.push(ap_id),
            p.push(remote_actor_id),
            p.push(ap_id),
        );
        match recent {
            Some(r) => {
                let at_most = i64::try_from(r.at_most).unwrap_or(i64::MAX);
                sql.push_str(&format!(
                    ", (SELECT COUNT(*) FROM (SELECT 1 FROM comment \
                     WHERE author_remote_actor_id = {} AND received_at >= {} LIMIT {}) AS c) \
                     AS recent_comments",
                    p.push(remote_actor_id),
                    p.push(r.since),
                    p.push(at_most),
                ));
                sql.push_str(&format!(
                    ", (SELECT COUNT(*) FROM (SELECT DISTINCT ap_id FROM message \
                     WHERE author_remote_actor_id = {} AND created_at >= {} LIMIT {}) AS m) \
                     AS recent_messages",
                    p.push(remote_actor_id),
                    p.push(r.since),
                    p.push(at_most),
                ));
            }
            None => sql.push_str(
                ", CAST(0 AS BIGINT) AS recent_comments, CAST(0 AS BIGINT) AS recent_messages",
            ),
        }
        // One row whether or not the comment is there: the ids are unique.
        sql.push_str(&format!(
            " FROM (SELECT 1 AS one) AS one LEFT JOIN comment AS held \
             ON held.ap_id = {} AND held.author_remote_actor_id = {} \
             AND held.deleted_at IS NULL",
            p.push(ap_id),
            p.push(remote_actor_id),
        ));
        let Some(row) = self
            .reader()
            .query_one_raw(Statement::from_sql_and_values(p.backend, sql, p.values))
            .await?
        else {
            return Ok(ObjectHistory::default());
        };
        let recent_comments: i64 = row.try_get("", "recent_comments")?;
        let recent_messages: i64 = row.try_get("", "recent_messages")?;
        let comment_id: Option<i64> = row.try_get("", "comment_id")?;
        let comment_item_id: Option<i64> = row.try_get("", "comment_item_id")?;
        let comment = match (comment_id, comment_item_id) {
            (Some(id), Some(item_id)) => Some(HeldComment {
                id,
                item_id,
                in_reply_to_id: row.try_get("", "comment_in_reply_to_id")?,
            }),
            _ => None,
        };
        Ok(ObjectHistory {
            deleted_by_sender: row.try_get("", "deleted_by_sender")?,
            sent_privately: row.try_get("", "sent_privately")?,
            message: row.try_get("", "message")?,
            comment,
            recent_comments: u64::try_from(recent_comments).unwrap_or(0),
            recent_messages: u64::try_from(recent_messages).unwrap_or(0),
        })
    }
}
