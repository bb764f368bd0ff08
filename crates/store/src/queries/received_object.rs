//! What this server remembers of an object id an actor sends it, read at
//! once as a Create or Update of the object arrives: whether the actor
//! deleted it, whether it sent it privately before, and whether it is a
//! message in a staff inbox here. Each is also asked on its own
//! ([`Store::is_tombstoned`], [`Store::was_private`],
//! [`Store::is_message`]); a reply asked all three, three round trips to
//! the database for every comment received.

use crate::{Store, StoreError, queries::params::Params};
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
}

impl Store {
    /// What is remembered of `ap_id` as sent by `remote_actor_id`, in one
    /// statement: the answers of [`Store::is_tombstoned`],
    /// [`Store::was_private`] and [`Store::is_message`].
    pub async fn received_object(
        &self,
        ap_id: &str,
        remote_actor_id: i64,
    ) -> Result<ObjectHistory, StoreError> {
        let mut p = Params::new(self.backend());
        let sql = format!(
            "SELECT \
             EXISTS (SELECT 1 FROM tombstone WHERE ap_id = {} AND remote_actor_id = {}) \
             AS deleted_by_sender, \
             EXISTS (SELECT 1 FROM private_object WHERE ap_id = {} AND remote_actor_id = {}) \
             AS sent_privately, \
             EXISTS (SELECT 1 FROM message WHERE ap_id = {}) AS message",
            p.push(ap_id),
            p.push(remote_actor_id),
            p.push(ap_id),
            p.push(remote_actor_id),
            p.push(ap_id),
        );
        let Some(row) = self
            .reader()
            .query_one_raw(Statement::from_sql_and_values(p.backend, sql, p.values))
            .await?
        else {
            return Ok(ObjectHistory::default());
        };
        Ok(ObjectHistory {
            deleted_by_sender: row.try_get("", "deleted_by_sender")?,
            sent_privately: row.try_get("", "sent_privately")?,
            message: row.try_get("", "message")?,
        })
    }
}
