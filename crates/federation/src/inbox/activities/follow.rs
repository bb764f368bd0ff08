//! Follow: a peer's actor follows one of our agencies. It becomes a
//! follower, and the agency answers with an Accept signed by itself (or,
//! when the agency blocks the actor or its server is at a cap of
//! followers, with a Reject).

use crate::{
    error::{FedError, refuse},
    inbox::inbound::{Inbound, Received},
    objects::actors::LocalAgency,
    protocol::incoming::Activity,
};
use activitypub_federation::traits::Object;
use deling_store::queries::follower_cap::FollowOutcome;
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
        if ctx.blockers.contains(&agency.agency.id) {
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
        // `outbox::follow`) in one transaction; or, past a cap of its
        // server's followers, the Reject.
        let outcome = data
            .store
            .accept_follower_within(
                agency.agency.id,
                &actor.row,
                self.activity.id.as_str(),
                follow,
                data.settings.follower_caps,
            )
            .await?;
        data.wake.notify_one();
        match outcome {
            FollowOutcome::Accepted => Ok(()),
            FollowOutcome::TooManyFollowers | FollowOutcome::TooManyInboxes => {
                let caps = data.settings.follower_caps;
                tracing::warn!(actor = %actor.row.ap_id, agency = %agency.agency.slug,
                    host = %actor.row.domain, ?outcome,
                    max_followers_per_host = caps.per_host,
                    max_inboxes_per_host = caps.inboxes_per_host,
                    "past the cap of followers from one server: Follow refused");
                refuse(format!(
                    "{} is past the cap of followers from {}",
                    actor.row.ap_id, actor.row.domain
                ))
            }
        }
    }
}
