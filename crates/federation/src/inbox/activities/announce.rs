//! Announce (a boost): of one of our items, counted as a Like is
//! (`like.rs`); of another server's `Page` by an actor one of our agencies
//! follows, that item enters the federated catalogue, as its `Create`
//! would have brought it.

use super::like::{count, reacted_to};
use crate::{
    audience::Audience,
    context::Data,
    error::{FedError, refuse},
    inbox::{
        catalogue::catalogue_item,
        inbound::{Inbound, Received},
        remote::fetch_by_id,
    },
    objects::actors::DbRemoteActor,
    protocol::incoming::{Activity, first_url},
    urls::same_origin,
};
use activitypub_federation::{fetch::object_id::ObjectId, traits::Object};
use deling_store::queries::reaction::REACTION_ANNOUNCE;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

/// An Announce: `object` is the object boosted.
#[derive(Debug, Deserialize)]
pub struct Announce {
    /// Id, actor and the object boosted.
    #[serde(flatten)]
    pub activity: Activity,
}

#[async_trait::async_trait]
impl Inbound for Announce {
    async fn verify(&self, ctx: &Received<'_>) -> Result<(), FedError> {
        reacted_to(&self.activity, ctx).map(drop)
    }

    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError> {
        let target = reacted_to(&self.activity, ctx)?;
        match ctx.data.urls.item_id_of(&target) {
            Some(item_id) => count(&self.activity, &target, item_id, REACTION_ANNOUNCE, ctx).await,
            None => catalogue_boosted(&target, ctx.actor, ctx.data).await,
        }
    }
}

/// Catalogues a boosted item that is not ours, when the booster is
/// followed by one of our agencies. Best effort: a boost is not worth
/// retrying, so a fetch that fails is logged and the activity is done.
async fn catalogue_boosted(
    target: &Url,
    booster: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    if !data.store.is_followed_by_any_agency(booster.row.id).await? {
        return Ok(());
    }
    // A tombstone is only its author's word, and the author is not known
    // before the fetch: `fetch_boosted` asks once it is.
    if data
        .store
        .get_item_by_ap_id(target.as_str())
        .await?
        .is_some()
    {
        return Ok(());
    }
    match fetch_boosted(target, data).await {
        Ok(()) => Ok(()),
        Err(e @ FedError::Store(_)) => Err(e),
        Err(e) => {
            tracing::debug!(%target, error = %e, "boosted object not catalogued");
            Ok(())
        }
    }
}

/// Fetches `target` and catalogues it if it is a `Page` (or `Article`)
/// whose id is exactly `target` (no redirect to another document), whose
/// author is on the same server, not blocked here, and answers at its id
/// as itself (no redirect to another actor), and which that author has not
/// deleted before it reached us.
async fn fetch_boosted(target: &Url, data: &Data) -> Result<(), FedError> {
    if crate::policy::refuses_host(&data.store, target).await? {
        return Ok(());
    }
    let object = fetch_by_id(target, data).await?;
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !matches!(kind, "Page" | "Article") {
        // Boosts of notes and other posts are not items.
        return Ok(());
    }
    let Some(owner) = object.get("attributedTo").and_then(first_url) else {
        return refuse(format!("{target} names no author"));
    };
    same_origin(target, &owner)?;
    if data.store.is_actor_blocked(owner.as_str()).await? {
        return Ok(());
    }
    let named = owner;
    let owner = ObjectId::<DbRemoteActor>::from(named.clone())
        .dereference(data)
        .await?;
    // The library follows a redirect to any server and checks only that
    // the document there carries its own URL: without this, a server
    // could file its pages under another server's actor.
    if owner.id() != &named {
        return refuse(format!(
            "{target} is attributed to {named}, which answered as {}",
            owner.id()
        ));
    }
    let history = data
        .store
        .received_object(target.as_str(), owner.row.id, None)
        .await?;
    if history.deleted_by_sender {
        return Ok(());
    }
    // Fetched on its own: its own audience is all there is to read.
    let audience = Audience::of(&object, &Value::Null, &Value::Null);
    catalogue_item(&object, target.clone(), &audience, history, &owner, data).await
}
