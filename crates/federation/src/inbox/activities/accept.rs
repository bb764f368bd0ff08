//! Accept: a peer accepts a Follow one of our agencies sent. Reject
//! (`reject.rs`) is the same answer with the other outcome, so both go
//! through `answer`.

use crate::{
    error::{FedError, refuse},
    inbox::inbound::{Inbound, Received},
    protocol::incoming::Activity,
    urls::authority,
};
use activitypub_federation::traits::Object;
use deling_store::queries::follow::FOLLOWING_ACCEPTED;
use serde::Deserialize;
use url::Url;

/// An Accept: `object` is our Follow, embedded or by id.
#[derive(Debug, Deserialize)]
pub struct Accept {
    /// Id, actor and the Follow accepted.
    #[serde(flatten)]
    pub activity: Activity,
}

#[async_trait::async_trait]
impl Inbound for Accept {
    async fn verify(&self, ctx: &Received<'_>) -> Result<(), FedError> {
        our_follow(&self.activity, ctx).map(drop)
    }

    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError> {
        answer(&self.activity, FOLLOWING_ACCEPTED, ctx).await
    }
}

/// The id of the Follow an Accept or Reject answers, which must be ours.
pub(super) fn our_follow(a: &Activity, ctx: &Received<'_>) -> Result<Url, FedError> {
    let follow_id = a
        .object
        .id()
        .ok_or_else(|| FedError::Refused("Accept without object".into()))?;
    if !ctx
        .data
        .domain()
        .eq_ignore_ascii_case(&authority(&follow_id))
    {
        return refuse(format!("{follow_id} is not one of our Follows"));
    }
    Ok(follow_id)
}

/// Records the answer to our Follow: its state becomes `state` (accepted
/// or rejected) if the answering actor is the one we followed.
pub(super) async fn answer(a: &Activity, state: &str, ctx: &Received<'_>) -> Result<(), FedError> {
    let follow_id = our_follow(a, ctx)?;
    if !ctx
        .data
        .store
        .set_following_state_by_follow_id(follow_id.as_str(), ctx.actor.row.id, state)
        .await?
    {
        tracing::debug!(%follow_id, actor = %ctx.actor.id(), "Accept/Reject of an unknown Follow ignored");
    }
    Ok(())
}
