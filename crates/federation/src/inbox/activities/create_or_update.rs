//! Create and Update: one thing, an object new or changed, so one module
//! and one struct for both. The object is a reply or post (`inbox::note`:
//! a comment, or a message to an agency's staff), a `Page` or `Article`
//! of an actor one of our agencies follows (`inbox::catalogue`), or the
//! actor itself (our copy of it is refreshed). An object sent by id only
//! (as a relay's forwarded reply is kept) is fetched, signed, from its
//! own server.

use crate::{
    audience::Audience,
    error::{FedError, refuse},
    inbox::{
        catalogue::receive_item,
        inbound::{Inbound, Received},
        note,
        remote::fetch_by_id,
    },
    objects::actors::DbRemoteActor,
    protocol::incoming::{Activity, ObjectRef, first_url},
    urls::same_origin,
};
use activitypub_federation::{fetch::object_id::ObjectId, traits::Object};
use deling_store::queries::received_object::RecentComments;
use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

/// Actor types whose Update refreshes our copy of the actor.
pub(crate) const ACTOR_TYPES: [&str; 5] =
    ["Person", "Organization", "Service", "Application", "Group"];

/// A Create or an Update: `object` is the object, embedded or by id.
#[derive(Debug, Deserialize)]
pub struct CreateOrUpdate {
    /// Id, actor and the object.
    #[serde(flatten)]
    pub activity: Activity,
    /// Primary audience, read where the object names none (as Mastodon
    /// does).
    #[serde(default)]
    pub to: Value,
    /// Secondary audience, likewise.
    #[serde(default)]
    pub cc: Value,
}

fn kind(object: &Map<String, Value>) -> &str {
    object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Checks that an object is the actor's own: an actor only updates
/// itself; anything else must be on the actor's server and, when it says
/// whom it is by, attributed to it.
fn check_object(
    object: &Map<String, Value>,
    id: &Url,
    actor: &DbRemoteActor,
) -> Result<(), FedError> {
    if ACTOR_TYPES.contains(&kind(object)) {
        if id != actor.id() {
            return refuse("an actor can only update itself");
        }
        return Ok(());
    }
    same_origin(id, actor.id())?;
    if let Some(author) = object.get("attributedTo").and_then(first_url)
        && &author != actor.id()
    {
        return refuse(format!(
            "{id} is attributed to {author}, not to {}",
            actor.id()
        ));
    }
    Ok(())
}

/// The id of an object, which an embedded one must have.
fn embedded_id(object: &ObjectRef) -> Result<Url, FedError> {
    object
        .id()
        .ok_or_else(|| FedError::Refused("object without a valid id".into()))
}

#[async_trait::async_trait]
impl Inbound for CreateOrUpdate {
    /// One object; an embedded one the actor's own, one by id on the
    /// actor's server (it is checked again once fetched).
    async fn verify(&self, ctx: &Received<'_>) -> Result<(), FedError> {
        match &self.activity.object {
            o @ ObjectRef::Object(object) => check_object(object, &embedded_id(o)?, ctx.actor),
            ObjectRef::Id(id) => same_origin(id, ctx.actor.id()),
            ObjectRef::Many(_) => refuse("Create and Update take one object"),
        }
    }

    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError> {
        let Received {
            actor,
            data,
            host_verdict,
            ..
        } = *ctx;
        let named = embedded_id(&self.activity.object);
        // Read again after a fetch: a block made while it waited on the
        // object's server holds.
        let mut refetched_blockers = None;
        let (object, id) = match self.activity.object {
            ObjectRef::Object(object) => (object, named?),
            ObjectRef::Id(id) => {
                // Only an id: fetch it, signed, from its own server.
                if &id == actor.id() {
                    ObjectId::<DbRemoteActor>::from(id)
                        .dereference_forced(data)
                        .await?;
                    return Ok(());
                }
                if data.store.is_tombstoned(id.as_str(), actor.row.id).await? {
                    return Ok(());
                }
                let object = fetch_by_id(&id, data).await?;
                check_object(&object, &id, actor)?;
                refetched_blockers = Some(
                    data.store
                        .agencies_blocking(actor.row.ap_id.as_str())
                        .await?,
                );
                (object, id)
            }
            ObjectRef::Many(_) => return refuse("Create and Update take one object"),
        };
        let kind = kind(&object);
        if ACTOR_TYPES.contains(&kind) {
            ObjectId::<DbRemoteActor>::from(id)
                .dereference_forced(data)
                .await?;
            return Ok(());
        }
        // What is remembered of the id, in one read: whether the sender
        // deleted it, sent it privately, or it is a message here; and the
        // sender's comments of the last hour, for the quota.
        let recent = RecentComments {
            since: deling_store::records::now() - note::HOUR,
            at_most: note::COMMENTS_PER_HOUR,
        };
        let history = data
            .store
            .received_object(id.as_str(), actor.row.id, Some(recent))
            .await?;
        // Only the sender's own Delete counts (the object is the sender's:
        // see `check_object`); another actor naming the id in a Delete
        // stops nothing, least of all an Update that narrows it.
        if history.deleted_by_sender {
            tracing::debug!(%id, "Create/Update of an object its sender deleted ignored");
            return Ok(());
        }
        // A relay's `to` and `cc` are its own word, not the author's: a
        // forwarded object fetched without an audience is addressed to no
        // one.
        let audience = if self.activity.forwarded {
            Audience::of(&object, &Value::Null, &Value::Null)
        } else {
            Audience::of(&object, &self.to, &self.cc)
        };
        let parent = object.get("inReplyTo").and_then(first_url);
        if parent.is_none() && matches!(kind, "Page" | "Article") {
            return receive_item(&object, id, &audience, history, actor, data).await;
        }
        let read = note::ReadBefore {
            host_verdict,
            blockers: refetched_blockers.as_deref().unwrap_or(ctx.blockers),
            history,
        };
        note::receive(&object, id, parent, audience, read, actor, data).await
    }
}
