//! Delete: a peer's actor deletes one of its objects (a comment, a
//! message, a catalogued item) or itself. Only the owner deletes; a Delete
//! relayed by another server counts only once the origin confirms it.

use crate::{
    error::{FedError, refuse},
    inbox::inbound::{Inbound, Received},
    protocol::incoming::Activity,
    urls::same_origin,
};
use activitypub_federation::traits::Object;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

/// A Delete: `object` is what is deleted, embedded (often as a
/// `Tombstone`) or by id.
#[derive(Debug, Deserialize)]
pub struct Delete {
    /// Id, actor and what is deleted.
    #[serde(flatten)]
    pub activity: Activity,
}

impl Delete {
    fn deleted(&self) -> Result<Url, FedError> {
        self.activity
            .object
            .id()
            .ok_or_else(|| FedError::Refused("Delete without object".into()))
    }
}

#[async_trait::async_trait]
impl Inbound for Delete {
    /// The actor itself, or an object on its server.
    async fn verify(&self, ctx: &Received<'_>) -> Result<(), FedError> {
        let id = self.deleted()?;
        if &id != ctx.actor.id() {
            same_origin(&id, ctx.actor.id())?;
        }
        Ok(())
    }

    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError> {
        let Received { actor, data, .. } = *ctx;
        let id = self.deleted()?;
        if &id == actor.id() {
            actor.delete(data).await?;
            return Ok(());
        }
        if self.activity.forwarded {
            // A relay's word is not enough: the origin must say it is gone,
            // with 410 or a Tombstone at exactly that id.
            match activitypub_federation::fetch::fetch_object_http::<_, Value>(&id, data).await {
                Err(activitypub_federation::error::Error::ObjectDeleted(_)) => {}
                Ok(f)
                    if f.url == id
                        && f.object.get("type").and_then(Value::as_str) == Some("Tombstone") => {}
                _ => return refuse(format!("{id} is not deleted at its origin")),
            }
        }
        // A message can share its id with nothing else, but a comment made
        // private and filed as a message has left a tombstone: try both.
        let message = data
            .store
            .delete_remote_message(id.as_str(), actor.row.id)
            .await?;
        let deleted = message
            || data
                .store
                .delete_remote_comment(id.as_str(), actor.row.id)
                .await?
            || data
                .store
                .delete_remote_item(id.as_str(), actor.row.id)
                .await?;
        if !deleted {
            // Not held (yet): a Create still on its way must not bring it back.
            data.store.put_tombstone(id.as_str(), actor.row.id).await?;
        }
        Ok(())
    }
}
