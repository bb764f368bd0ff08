//! Like and Announce of our items, and boosts of peers' items by actors
//! our agencies follow (which bring those items into the catalogue).

use crate::{
    activities::content::{catalogue_item, fetch_by_id},
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
    protocol::incoming::{Activity, first_url},
    urls::same_origin,
};
use activitypub_federation::{fetch::object_id::ObjectId, traits::Object};
use deling_store::queries::reaction::REACTION_ANNOUNCE;
use serde_json::Value;
use url::Url;

/// Counts a Like or boost of a local item. A boost of another server's
/// `Page` by an actor one of our agencies follows puts that item in the
/// federated catalogue, as its `Create` would have.
pub async fn receive(
    a: Activity,
    actor: &DbRemoteActor,
    data: &Data,
    kind: &str,
) -> Result<(), FedError> {
    same_origin(&a.id, actor.id())?;
    let Some(target) = a.object.id() else {
        return refuse("reaction without object");
    };
    let Some(item_id) = data.urls.item_id_of(&target) else {
        if kind == REACTION_ANNOUNCE {
            return catalogue_boosted(&target, actor, data).await;
        }
        return Ok(());
    };
    match data.store.get_item(item_id).await? {
        Some(i) if i.deleted_at.is_none() && i.agency_id().is_some() => {
            data.store
                .put_reaction(item_id, actor.row.id, kind, a.id.as_str())
                .await?;
            Ok(())
        }
        _ => refuse(format!("{target} is not a current item here")),
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
    if data
        .store
        .get_item_by_ap_id(target.as_str())
        .await?
        .is_some()
        || data.store.is_tombstoned(target.as_str()).await?
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
/// whose id is exactly `target` (no redirect to another document) and
/// whose author is on the same server and not blocked here.
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
    let owner = ObjectId::<DbRemoteActor>::from(owner)
        .dereference(data)
        .await?;
    // Fetched on its own: its own audience is all there is to read.
    let audience = crate::audience::Audience::of(&object, &Value::Null, &Value::Null);
    catalogue_item(&object, target.clone(), &audience, &owner, data).await
}
