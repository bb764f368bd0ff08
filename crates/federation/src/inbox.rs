//! The inbox: verify, store, acknowledge; process later from the store.
//!
//! activitypub_federation checks the Digest, fetches the actor and checks
//! the signature against the actor's key (so the key's owner is the
//! activity's actor). Our hook then checks that the activity's id is on the
//! actor's server (host and port) and stores it, ignoring a repeated id.
//! The inbox worker processes stored activities, so a crash after the 202
//! loses nothing and slow work never holds a peer's request.

use crate::{
    activities,
    context::{Data, FedContext},
    error::{FedError, refuse},
    objects::actors::{DbRemoteActor, same_origin},
    protocol::incoming::Incoming,
};
use activitypub_federation::{actix_web::inbox::ReceiveActivityHook, traits::Activity};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

/// Any activity, kept whole: only what the signature check needs is parsed
/// before it is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    /// Activity id.
    pub id: Url,
    /// Actor id.
    pub actor: Url,
    /// Activity type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Everything else, as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

#[async_trait::async_trait]
impl Activity for Envelope {
    type DataType = FedContext;
    type Error = FedError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    // Verification and processing happen in the worker, from the store.
    async fn verify(&self, _data: &Data) -> Result<(), FedError> {
        Ok(())
    }

    async fn receive(self, _data: &Data) -> Result<(), FedError> {
        Ok(())
    }
}

/// Stores a verified activity before the request is answered.
#[derive(Debug, Clone, Copy)]
pub struct StoreHook;

impl ReceiveActivityHook<Envelope, DbRemoteActor, FedContext> for StoreHook {
    async fn hook(
        self,
        activity: &Envelope,
        _actor: &DbRemoteActor,
        data: &Data,
    ) -> Result<(), FedError> {
        same_origin(&activity.id, &activity.actor)?;
        if data.store.is_actor_blocked(activity.actor.as_str()).await? {
            return Err(FedError::Refused(
                "the actor is blocked on this server".into(),
            ));
        }
        let body = serde_json::to_string(activity)?;
        let inserted = data
            .store
            .put_inbox_activity(
                activity.id.as_str(),
                activity.actor.as_str(),
                &activity.kind,
                &body,
            )
            .await?;
        // Any signed activity from a host shows it is up: deliveries that
        // were waiting out its failures go now.
        if data
            .store
            .put_host_alive(&crate::objects::actors::authority(&activity.actor))
            .await?
        {
            data.wake.notify_one();
        }
        let result = if inserted { "accepted" } else { "duplicate" };
        data.metrics.inbox.with_label_values(&[result]).inc();
        if inserted {
            data.wake.notify_one();
        } else {
            tracing::debug!(id = %activity.id, "repeated activity ignored");
        }
        Ok(())
    }
}

/// Processes one stored activity.
pub async fn process(body: &str, data: &Data) -> Result<(), FedError> {
    let value: Value = serde_json::from_str(body)?;
    let incoming: Incoming = match serde_json::from_value(value.clone()) {
        Ok(i) => i,
        Err(e) => return refuse(format!("unsupported shape: {e}")),
    };
    let actor_id = match &incoming {
        Incoming::Other => return Ok(()),
        Incoming::Follow(a)
        | Incoming::Undo(a)
        | Incoming::Accept(a)
        | Incoming::Reject(a)
        | Incoming::Create(a)
        | Incoming::Update(a)
        | Incoming::Delete(a)
        | Incoming::Like(a)
        | Incoming::Announce(a)
        | Incoming::Flag(a) => a.actor.clone(),
    };
    // Blocked after the activity was stored: drop it now.
    if data.store.is_actor_blocked(actor_id.as_str()).await?
        || data
            .store
            .get_host_verdict(&crate::objects::actors::authority(&actor_id))
            .await?
            == deling_store::queries::policy::Verdict::Refused
    {
        return Ok(());
    }
    let Some(row) = data
        .store
        .get_remote_actor_by_ap_id(actor_id.as_str())
        .await?
    else {
        // The actor deleted itself meanwhile: nothing left to act for.
        return Ok(());
    };
    let actor = DbRemoteActor::new(row)?;
    match incoming {
        Incoming::Follow(a) => activities::following::receive_follow(a, &value, &actor, data).await,
        Incoming::Undo(a) => activities::following::receive_undo(a, &actor, data).await,
        Incoming::Accept(a) => activities::following::receive_accept(a, &actor, data, true).await,
        Incoming::Reject(a) => activities::following::receive_accept(a, &actor, data, false).await,
        Incoming::Create(a) | Incoming::Update(a) => {
            activities::content::receive_create_or_update(a, &actor, data).await
        }
        Incoming::Delete(a) => activities::content::receive_delete(a, &actor, data).await,
        Incoming::Like(a) => {
            activities::reaction::receive(
                a,
                &actor,
                data,
                deling_store::queries::reaction::REACTION_LIKE,
            )
            .await
        }
        Incoming::Announce(a) => {
            activities::reaction::receive(
                a,
                &actor,
                data,
                deling_store::queries::reaction::REACTION_ANNOUNCE,
            )
            .await
        }
        Incoming::Flag(a) => activities::report::receive(a, &value, &actor, data).await,
        Incoming::Other => Ok(()),
    }
}
