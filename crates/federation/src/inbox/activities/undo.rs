//! Undo: a peer's actor takes back its own Follow, Like or Announce.

use crate::{
    error::{FedError, refuse},
    inbox::inbound::{Inbound, Received},
    objects::actors::LocalAgency,
    protocol::incoming::Activity,
    urls::same_origin,
};
use activitypub_federation::traits::Object;
use deling_store::queries::reaction::{REACTION_ANNOUNCE, REACTION_LIKE};
use serde::Deserialize;
use url::Url;

/// An Undo: `object` is the activity undone, embedded or by id.
#[derive(Debug, Deserialize)]
pub struct Undo {
    /// Id, actor and the activity undone.
    #[serde(flatten)]
    pub activity: Activity,
}

impl Undo {
    fn undone(&self) -> Result<Url, FedError> {
        self.activity
            .object
            .id()
            .ok_or_else(|| FedError::Refused("Undo without object".into()))
    }
}

#[async_trait::async_trait]
impl Inbound for Undo {
    /// Only the actor who made an activity undoes it.
    async fn verify(&self, ctx: &Received<'_>) -> Result<(), FedError> {
        same_origin(&self.undone()?, ctx.actor.id())?;
        if let Some(inner_actor) = self.activity.object.url_field("actor")
            && &inner_actor != ctx.actor.id()
        {
            return refuse("an actor can only undo its own activities");
        }
        Ok(())
    }

    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError> {
        let Received { actor, data, .. } = *ctx;
        let object_id = self.undone()?;
        let object = &self.activity.object;
        match object.kind() {
            Some("Follow") => {
                let by_target = match object.url_field("object") {
                    Some(t) => match LocalAgency::read_from_id(t, data).await? {
                        Some(agency) => {
                            data.store
                                .delete_follower(agency.agency.id, actor.row.id)
                                .await?
                        }
                        None => false,
                    },
                    None => false,
                };
                if !by_target {
                    data.store
                        .delete_follower_by_follow_id(actor.row.id, object_id.as_str())
                        .await?;
                }
            }
            Some(kind @ ("Like" | "Announce")) => {
                let kind = if kind == "Like" {
                    REACTION_LIKE
                } else {
                    REACTION_ANNOUNCE
                };
                let item = object
                    .url_field("object")
                    .and_then(|u| data.urls.item_id_of(&u));
                data.store
                    .delete_reaction(object_id.as_str(), actor.row.id, item.map(|i| (i, kind)))
                    .await?;
            }
            _ => {
                // Only an id: it may name a Follow or a reaction of this actor.
                if !data
                    .store
                    .delete_follower_by_follow_id(actor.row.id, object_id.as_str())
                    .await?
                {
                    data.store
                        .delete_reaction(object_id.as_str(), actor.row.id, None)
                        .await?;
                }
            }
        }
        Ok(())
    }
}
