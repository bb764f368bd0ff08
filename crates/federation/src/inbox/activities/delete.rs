//! Delete: a peer's actor deletes one of its objects (a comment, a
//! message, a catalogued item) or itself. Only the owner deletes; a Delete
//! relayed by another server, of an object or of the actor itself, counts
//! only once the origin confirms it.

use crate::{
    context::Data,
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
        if self.activity.forwarded {
            // Checked before anything else: a relay that names the actor
            // itself would otherwise delete it, and with it all it wrote.
            gone_at_origin(&id, data).await?;
        }
        if &id == actor.id() {
            actor.delete(data).await?;
            return Ok(());
        }
        // Every copy the sender has here under that id goes, whatever was
        // found first: a comment made private was filed as a message, and
        // a public comment may have a copy in a staff inbox (filed before
        // edits of a comment whose parent had gone revised it in place),
        // so stopping at the first kind found would leave the other up.
        // The id is remembered as the sender's deleted, also when nothing
        // was held: a Create or Update the sender still has on its way, or
        // a boost's copy being fetched, must not bring it back. The
        // tombstone is the sender's alone: anyone on a server may name any
        // id on it, and another actor's Delete must stop neither the
        // author's Create nor an Update that narrows it.
        let gone = data
            .store
            .delete_remote_object(id.as_str(), actor.row.id)
            .await?;
        tracing::debug!(%id, ?gone, "deleted by its author");
        Ok(())
    }
}

/// Fails unless `id`'s own server says it is gone: 410, or a Tombstone at
/// exactly that id. A relay's word is not enough, whether `id` is an object
/// or an actor; nor is a 410 at the end of a redirect to another address
/// (an open redirect at `id` would otherwise confirm anything).
async fn gone_at_origin(id: &Url, data: &Data) -> Result<(), FedError> {
    match activitypub_federation::fetch::fetch_object_http::<_, Value>(id, data).await {
        Err(activitypub_federation::error::Error::ObjectDeleted(at)) if &at == id => Ok(()),
        Ok(f)
            if &f.url == id
                && f.object.get("type").and_then(Value::as_str) == Some("Tombstone") =>
        {
            Ok(())
        }
        _ => refuse(format!("{id} is not deleted at its origin")),
    }
}
