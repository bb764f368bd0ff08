//! Our agencies following others: whom a target names, and the Follow
//! and Undo they send. What peers send about following (Follow, Accept,
//! Reject, Undo) is handled in `inbox::activities`.

use crate::{
    activities::outgoing::{activity_id, deliveries},
    context::Data,
    error::{FedError, refuse},
    objects::actors::{DbRemoteActor, LocalAgency},
};
use activitypub_federation::{
    fetch::{object_id::ObjectId, webfinger::webfinger_resolve_actor},
    traits::{Actor, Object},
};
use deling_domain::handle::FollowTarget;
use deling_store::records::Agency;
use serde_json::json;

/// Parses a follow target typed by a person (`@user@host`, `user@host` or
/// an actor URL); a malformed one is refused with the parser's reason. For
/// callers that take the target as text; the API and the command line parse
/// it themselves and pass the [`FollowTarget`] down.
pub fn parse_target(target: &str) -> Result<FollowTarget, FedError> {
    FollowTarget::parse(target).map_err(|e| FedError::Refused(e.to_string()))
}

/// Finds the remote actor a follow target names (by WebFinger for a handle,
/// by fetching for a URL); an actor on this server is refused.
pub async fn resolve_actor(target: &FollowTarget, data: &Data) -> Result<DbRemoteActor, FedError> {
    match target {
        FollowTarget::Url(url) => {
            let url = url.as_url();
            if data
                .domain()
                .eq_ignore_ascii_case(&crate::urls::authority(url))
            {
                return refuse("that is an actor on this server");
            }
            ObjectId::<DbRemoteActor>::from(url.clone())
                .dereference(data)
                .await
        }
        FollowTarget::Handle { user, host } => {
            if host.eq_ignore_ascii_case(data.domain()) {
                return refuse("that is an actor on this server");
            }
            webfinger_resolve_actor::<_, DbRemoteActor>(&format!("{user}@{host}"), data).await
        }
    }
}

/// Makes `agency` follow `target`: records the Follow as pending and queues
/// it, in one transaction.
pub async fn follow(
    agency: &Agency,
    target: &FollowTarget,
    data: &Data,
) -> Result<DbRemoteActor, FedError> {
    let actor = resolve_actor(target, data).await?;
    let local = LocalAgency::new(&data.urls, agency.clone());
    let follow = json!({
        "type": "Follow",
        "id": activity_id(&data.urls, "follow"),
        "actor": local.id(),
        "object": actor.id(),
        "to": [actor.id()],
    });
    let follow_id = follow["id"].as_str().unwrap_or_default().to_owned();
    let mut queued = deliveries(&follow, Some(agency.id), &[actor.inbox().to_string()]);
    let delivery = queued
        .pop()
        .ok_or_else(|| FedError::Refused("the actor's inbox is not a URL".into()))?;
    data.store
        .put_following(agency.id, actor.row.id, &follow_id, delivery)
        .await?;
    data.wake.notify_one();
    Ok(actor)
}

/// Makes `agency` stop following `target` and queues the Undo; `false` if it
/// did not follow.
pub async fn unfollow(
    agency: &Agency,
    target: &FollowTarget,
    data: &Data,
) -> Result<bool, FedError> {
    // An actor we know by its URL is not fetched again.
    let known = match target {
        FollowTarget::Url(url) => data.store.get_remote_actor_by_ap_id(url.as_str()).await?,
        FollowTarget::Handle { .. } => None,
    };
    let actor = match known {
        Some(row) => DbRemoteActor::new(row)?,
        None => resolve_actor(target, data).await?,
    };
    let local = LocalAgency::new(&data.urls, agency.clone());
    let inbox = actor.inbox().to_string();
    let urls = data.urls.clone();
    let actor_id = actor.id().clone();
    let local_id = local.id().clone();
    let agency_id = agency.id;
    let removed = data
        .store
        .delete_following(agency.id, actor.row.id, move |follow_id| {
            let undo = json!({
                "type": "Undo",
                "id": activity_id(&urls, "undo"),
                "actor": local_id,
                "object": {"type": "Follow", "id": follow_id, "actor": local_id, "object": actor_id},
                "to": [actor_id],
            });
            deliveries(&undo, Some(agency_id), &[inbox])
        })
        .await?;
    data.wake.notify_one();
    Ok(removed)
}
