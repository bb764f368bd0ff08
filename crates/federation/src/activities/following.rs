//! Follow, Accept, Reject and Undo: who follows whom.

use crate::{
    activities::outgoing::activity_id,
    context::Data,
    error::{FedError, refuse},
    objects::actors::{DbRemoteActor, LocalAgency},
    protocol::incoming::Activity,
    urls::same_origin,
};
use activitypub_federation::{
    fetch::{object_id::ObjectId, webfinger::webfinger_resolve_actor},
    traits::Object,
};
use deling_domain::handle::FollowTarget;
use deling_store::{
    queries::follow::{FOLLOWING_ACCEPTED, FOLLOWING_REJECTED},
    records::Agency,
};
use serde_json::Value;

/// Someone follows one of our agencies: record it and queue the Accept
/// (signed by that agency, embedding the Follow it accepts) with it.
pub async fn receive_follow(
    a: Activity,
    raw: &Value,
    actor: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    let target = a
        .object
        .id()
        .ok_or_else(|| FedError::Refused("Follow without object".into()))?;
    let Some(agency) = LocalAgency::read_from_id(target.clone(), data).await? else {
        return refuse(format!("{target} is not an agency here"));
    };
    let mut follow = raw.clone();
    if let Some(m) = follow.as_object_mut() {
        m.remove("@context");
    }
    data.store
        .accept_follower(agency.agency.id, actor.row.id, a.id.as_str(), follow)
        .await?;
    data.wake.notify_one();
    Ok(())
}

/// Undo of a Follow, Like or Announce by the actor who made it.
pub async fn receive_undo(a: Activity, actor: &DbRemoteActor, data: &Data) -> Result<(), FedError> {
    let object_id = a
        .object
        .id()
        .ok_or_else(|| FedError::Refused("Undo without object".into()))?;
    same_origin(&object_id, actor.id())?;
    if let Some(inner_actor) = a.object.url_field("actor")
        && &inner_actor != actor.id()
    {
        return refuse("an actor can only undo its own activities");
    }
    match a.object.kind() {
        Some("Follow") => {
            let target = a.object.url_field("object");
            let by_target = match target {
                Some(t) => match LocalAgency::read_from_id(t, data).await? {
                    Some(agency) => {
                        data.store
                            .delete_follower(agency.agency.id, actor.row.id)
                            .await?
                    }
                    None => false,
                },
                None => false,
            };
            if !by_target {
                data.store
                    .delete_follower_by_follow_id(actor.row.id, object_id.as_str())
                    .await?;
            }
        }
        Some("Like") | Some("Announce") => {
            let kind = if a.object.kind() == Some("Like") {
                deling_store::queries::reaction::REACTION_LIKE
            } else {
                deling_store::queries::reaction::REACTION_ANNOUNCE
            };
            let item = match a.object.url_field("object") {
                Some(u) => data.urls.item_id_of(&u),
                None => None,
            };
            data.store
                .delete_reaction(object_id.as_str(), actor.row.id, item.map(|i| (i, kind)))
                .await?;
        }
        _ => {
            // Only an id: it may name a Follow or a reaction of this actor.
            if !data
                .store
                .delete_follower_by_follow_id(actor.row.id, object_id.as_str())
                .await?
            {
                data.store
                    .delete_reaction(object_id.as_str(), actor.row.id, None)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Accept or Reject of a Follow we sent.
pub async fn receive_accept(
    a: Activity,
    actor: &DbRemoteActor,
    data: &Data,
    accepted: bool,
) -> Result<(), FedError> {
    let follow_id = a
        .object
        .id()
        .ok_or_else(|| FedError::Refused("Accept without object".into()))?;
    if !data
        .domain()
        .eq_ignore_ascii_case(&crate::urls::authority(&follow_id))
    {
        return refuse(format!("{follow_id} is not one of our Follows"));
    }
    let state = if accepted {
        FOLLOWING_ACCEPTED
    } else {
        FOLLOWING_REJECTED
    };
    if !data
        .store
        .set_following_state_by_follow_id(follow_id.as_str(), actor.row.id, state)
        .await?
    {
        tracing::debug!(%follow_id, actor = %actor.id(), "Accept/Reject of an unknown Follow ignored");
    }
    Ok(())
}

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
/// it (an outbox event), in one transaction.
pub async fn follow(
    agency: &Agency,
    target: &FollowTarget,
    data: &Data,
) -> Result<DbRemoteActor, FedError> {
    let actor = resolve_actor(target, data).await?;
    let follow_id = activity_id(&data.urls, "follow");
    data.store
        .put_following(agency.id, actor.row.id, follow_id.as_str())
        .await?;
    data.wake.notify_one();
    Ok(actor)
}

/// Makes `agency` stop following `target` and queues the Undo (an outbox
/// event) in the same transaction; `false` if it did not follow.
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
    let undo_id = activity_id(&data.urls, "undo");
    let removed = data
        .store
        .delete_following(agency.id, actor.row.id, undo_id.as_str())
        .await?;
    data.wake.notify_one();
    Ok(removed)
}
