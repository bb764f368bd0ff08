//! Like: a peer's actor likes one of our items; counted once per actor.
//! A boost (`announce.rs`) of one of our items is counted the same way,
//! through `count`.

use crate::{
    error::{FedError, refuse},
    inbox::inbound::{Inbound, Received},
    protocol::incoming::Activity,
    urls::same_origin,
};
use activitypub_federation::traits::Object;
use deling_store::queries::reaction::REACTION_LIKE;
use serde::Deserialize;
use url::Url;

/// A Like: `object` is the item liked.
#[derive(Debug, Deserialize)]
pub struct Like {
    /// Id, actor and the item liked.
    #[serde(flatten)]
    pub activity: Activity,
}

#[async_trait::async_trait]
impl Inbound for Like {
    async fn verify(&self, ctx: &Received<'_>) -> Result<(), FedError> {
        reacted_to(&self.activity, ctx).map(drop)
    }

    /// A like of anything but one of our items is ignored.
    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError> {
        let target = reacted_to(&self.activity, ctx)?;
        match ctx.data.urls.item_id_of(&target) {
            Some(item_id) => count(&self.activity, &target, item_id, REACTION_LIKE, ctx).await,
            None => Ok(()),
        }
    }
}

/// What a Like or boost names: its id must be on its actor's server, and
/// it must name an object.
pub(super) fn reacted_to(a: &Activity, ctx: &Received<'_>) -> Result<Url, FedError> {
    same_origin(&a.id, ctx.actor.id())?;
    a.object
        .id()
        .ok_or_else(|| FedError::Refused("reaction without object".into()))
}

/// Counts a reaction of `kind` to our item `item_id` (at `target`), which
/// must be current, unless its agency has blocked the actor.
pub(super) async fn count(
    a: &Activity,
    target: &Url,
    item_id: i64,
    kind: &str,
    ctx: &Received<'_>,
) -> Result<(), FedError> {
    let store = &ctx.data.store;
    match store.get_item(item_id).await? {
        Some(i) if i.deleted_at.is_none() => {
            let Some(agency) = i.agency_id() else {
                return refuse(format!("{target} is not a current item here"));
            };
            if ctx.blockers.contains(&agency) {
                return refuse(format!(
                    "{} is blocked by the agency of {target}",
                    ctx.actor.row.ap_id
                ));
            }
            store
                .put_reaction(item_id, ctx.actor.row.id, kind, a.id.as_str())
                .await?;
            Ok(())
        }
        _ => refuse(format!("{target} is not a current item here")),
    }
}
