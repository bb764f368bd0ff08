//! A peer's item in the federated catalogue: a `Page` (or `Article`) from
//! an actor one of our agencies follows (in a Create or Update), or one
//! such an actor boosted. Its fields are checked by `inbox::page`.

use super::{narrowing::narrowed, page::check_page, remote::verdict};
use crate::{
    audience::Audience,
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
    protocol::page::RemotePageJson,
};
use activitypub_federation::traits::Object;
use deling_store::{
    queries::{policy::Verdict, received_object::ObjectHistory, remote_item::RemoteItemData},
    records::ItemOwner,
};
use serde_json::{Map, Value};
use url::Url;

/// An item created or updated by `actor`: catalogued if one of our
/// agencies follows the actor, or if it is catalogued here already as the
/// actor's (it came through a followed actor's boost: its owner's edits
/// reach us as the boost did, see `list_item_reach_inboxes_by_dialect`);
/// else ignored. `history` is what is remembered of `id` as `actor`'s. A
/// version that is not public withdraws the catalogued copy whoever
/// follows the actor: one catalogued from a followed actor's boost, or
/// kept after an unfollow, must not stay public once its owner narrowed
/// it.
pub async fn receive_item(
    object: &Map<String, Value>,
    id: Url,
    audience: &Audience,
    history: ObjectHistory,
    actor: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    let visibility = audience.visibility(actor.row.followers.as_deref());
    if !visibility.is_public() {
        narrowed(&id, visibility, actor, data).await?;
        tracing::debug!(%id, %visibility, "item not addressed to the public not catalogued");
        return Ok(());
    }
    if !data.store.is_followed_by_any_agency(actor.row.id).await?
        && !held_as_theirs(&id, actor, data).await?
    {
        tracing::debug!(%id, actor = %actor.id(), "item from an actor no agency follows ignored");
        return Ok(());
    }
    catalogue_item(object, id, audience, history, actor, data).await
}

/// Whether `id` is in the catalogue, not withdrawn, as `actor`'s item.
async fn held_as_theirs(id: &Url, actor: &DbRemoteActor, data: &Data) -> Result<bool, FedError> {
    Ok(data
        .store
        .get_item_by_ap_id(id.as_str())
        .await?
        .is_some_and(|item| {
            item.deleted_at.is_none()
                && matches!(item.owner, ItemOwner::Remote { actor_id, .. } if actor_id == actor.row.id)
        }))
}

/// Stores (or updates) a peer's item in the federated catalogue: `object`
/// is the `Page` with id `id`, verified to belong to `owner`, addressed to
/// `audience`; `history` is what is remembered of `id` as `owner`'s, read
/// before anything of this version was written.
pub async fn catalogue_item(
    object: &Map<String, Value>,
    id: Url,
    audience: &Audience,
    history: ObjectHistory,
    owner: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    // A followers-only or direct Page must not enter a public catalogue.
    let visibility = audience.visibility(owner.row.followers.as_deref());
    if !visibility.is_public() {
        // Narrowed by its owner: the public copy goes, and the id is
        // remembered, so that a public version arriving later (retried
        // from before the owner narrowed it) is not catalogued either.
        narrowed(&id, visibility, owner, data).await?;
        // At debug, as every private object's id: the log is the
        // operator's, who need not be among those it was sent to.
        tracing::debug!(%id, %visibility, "item not addressed to the public not catalogued");
        return Ok(());
    }
    // Sent here privately before (a message to an agency, a comment its
    // author narrowed, a Page narrowed): the same id sent again as a
    // public Page is not published through the catalogue.
    if history.sent_privately || history.message {
        tracing::debug!(%id, "an object sent here privately before is not catalogued");
        return Ok(());
    }
    let policy = verdict(owner, data).await?;
    if policy == Verdict::Silenced {
        tracing::debug!(%id, "item from a silenced domain not catalogued");
        return Ok(());
    }
    let json = RemotePageJson::from_object(object);
    let page = match check_page(&json, policy == Verdict::NoMedia) {
        Ok(page) => page,
        Err(why) => return refuse(why.to_string()),
    };
    for dropped in &page.dropped {
        tracing::info!(%id, field = %dropped.field, reason = %dropped.problem,
            "field of a remote item dropped");
    }
    // Items are listed newest first: one dated in the future would stay
    // on top of every list; it is taken as published now. (`updated` is
    // left as sent: it orders a peer's own versions of the item.)
    let now = deling_store::records::now();
    let published = json.published.map_or(now, |t| t.min(now));
    let result = data
        .store
        .put_remote_item(RemoteItemData {
            ap_id: id.to_string(),
            remote_actor_id: owner.row.id,
            kind: page.kind.as_str().to_owned(),
            title: page.title.into_inner(),
            summary: page.summary.into_inner(),
            body: page.body.into_inner(),
            body_html: page.body_html,
            language: page.language,
            license: page.license.map(|l| l.as_str().to_owned()),
            tags: page.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            links: page.links,
            metadata: page.metadata,
            based_on: page.based_on.map(|u| u.to_string()),
            url: page.url.map(|u| u.to_string()),
            published_at: published,
            updated_at: json.updated.unwrap_or(published),
        })
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(deling_store::StoreError::Conflict(m)) => refuse(m),
        // Withdrawn already: a late Update changes nothing.
        Err(deling_store::StoreError::NotFound(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
