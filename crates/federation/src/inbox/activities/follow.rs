//! Follow: a peer's actor follows one of our agencies. It becomes a
//! follower, and the agency answers with an Accept signed by itself.

use crate::{
    activities::outgoing::{deliveries, derived_id},
    error::{FedError, refuse},
    inbox::inbound::{Inbound, Received},
    objects::actors::LocalAgency,
    protocol::incoming::Activity,
};
use activitypub_federation::traits::{Actor, Object};
use serde::Deserialize;
use serde_json::json;
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
        let Received { actor, raw, data } = *ctx;
        let target = self.target()?;
        let Some(agency) = LocalAgency::read_from_id(target.clone(), data).await? else {
            return refuse(format!("{target} is not an agency here"));
        };
        data.store
            .put_follower(agency.agency.id, actor.row.id, self.activity.id.as_str())
            .await?;
        let mut follow = raw.clone();
        if let Some(m) = follow.as_object_mut() {
            m.remove("@context");
        }
        // The Accept's id follows from the Follow's, so that processing the
        // same Follow twice (after a crash) queues one Accept, not two.
        let accept = json!({
            "type": "Accept",
            "id": derived_id(&data.urls, "accept", self.activity.id.as_str()),
            "actor": agency.id(),
            "object": follow,
            "to": [actor.id()],
        });
        data.store
            .put_deliveries(deliveries(
                &accept,
                Some(agency.agency.id),
                &[actor.inbox().to_string()],
            ))
            .await?;
        data.wake.notify_one();
        Ok(())
    }
}
