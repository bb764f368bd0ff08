//! Follow: a peer's actor follows one of our agencies. It becomes a
//! follower, and the agency answers with an Accept signed by itself (or,
//! when the agency blocks the actor, with a Reject).

use crate::{
    error::{FedError, refuse},
    inbox::inbound::{Inbound, Received},
    objects::actors::LocalAgency,
    protocol::incoming::Activity,
};
use activitypub_federation::traits::Object;
use serde::Deserialize;
use url::Url;

/// A Follow: `object` is the agency to follow.
#[derive(Debug, Deserialize)]
pub struct Follow {
    /// Id, actor and the agency followed.
    #[serde(flatten)]
    pub activity: Activity,
}

impl Follow {
    fn target(&self) -> Result<Url, FedError> {
        self.activity
            .object
            .id()
            .ok_or_else(|| FedError::Refused("Follow without object".into()))
    }
}

#[async_trait::async_trait]
impl Inbound for Follow {
    async fn verify(&self, _ctx: &Received<'_>) -> Result<(), FedError> {
        self.target().map(drop)
    }

    /// Records the follower and queues an Accept signed by the agency,
    /// embedding the Follow it accepts.
    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError> {
        let Received {
            actor, raw, data, ..
        } = *ctx;
        let target = self.target()?;
        let Some(agency) = LocalAgency::read_from_id(target.clone(), data).await? else {
            return refuse(format!("{target} is not an agency here"));
        };
        let mut follow = raw.clone();
        if let Some(m) = follow.as_object_mut() {
            m.remove("@context");
        }
        // A blocked actor is not a follower (the block ended its follow).
        // Its server is told with a Reject, as Mastodon answers a Follow
        // from an account its target blocks, so that the follow does not
        // stay pending there for ever.
        if data
            .store
            .is_blocked_by_agency(agency.agency.id, actor.row.ap_id.as_str())
            .await?
        {
            data.store
                .refuse_follower(
                    agency.agency.id,
                    actor.row.id,
                    self.activity.id.as_str(),
                    follow,
                )
                .await?;
            data.wake.notify_one();
            return refuse(format!("{} is blocked by {target}", actor.row.ap_id));
        }
        // The follower and its Accept (an outbox event, built by
        // `outbox::follow`) in one transaction.
        data.store
            .accept_follower(
                agency.agency.id,
                actor.row.id,
                self.activity.id.as_str(),
                follow,
            )
            .await?;
        data.wake.notify_one();
        Ok(())
    }
}
