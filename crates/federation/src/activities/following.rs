//! Our agencies following others: whom a target names, and the Follow
//! and Undo they send. What peers send about following (Follow, Accept,
//! Reject, Undo) is handled in `inbox::activities`.

use crate::{
    activities::outgoing::activity_id,
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
};
use activitypub_federation::fetch::{object_id::ObjectId, webfinger::webfinger_resolve_actor};
use deling_domain::handle::FollowTarget;
use deling_store::{queries::audit::Audit, records::Agency};

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
            // The WebFinger answer may name many links, each fetched in
            // turn: all of it within the time of two fetches (WebFinger,
            // then the actor), so a staff member's request cannot hang on
            // a server that answers slowly link after link.
            let http = data.settings.http;
            let allowed = 2 * (http.request_timeout + http.connect_timeout);
            let handle = format!("{user}@{host}");
            tokio::time::timeout(
                allowed,
                webfinger_resolve_actor::<_, DbRemoteActor>(&handle, data),
            )
            .await
            .map_err(|_| {
                FedError::TimedOut(format!("{handle} did not resolve within {allowed:?}"))
            })?
        }
    }
}

/// Makes `agency` follow `target`: records the Follow as pending and queues
/// it (an outbox event), in one transaction, with the audit entry `audit`
/// makes for the actor's id, if any.
pub async fn follow(
    agency: &Agency,
    target: &FollowTarget,
    data: &Data,
    audit: impl FnOnce(&str) -> Option<Audit>,
) -> Result<DbRemoteActor, FedError> {
    let actor = resolve_actor(target, data).await?;
    let follow_id = activity_id(&data.urls, "follow");
    let audit = audit(&actor.row.ap_id);
    data.store
        .put_following_audited(agency.id, actor.row.id, follow_id.as_str(), audit.as_ref())
        .await?;
    data.wake.notify_one();
    Ok(actor)
}

/// Makes `agency` stop following `target` and queues the Undo (an outbox
/// event) in the same transaction, with the audit entry `audit` makes for
/// the actor's id, if any; `false` if it did not follow.
pub async fn unfollow(
    agency: &Agency,
    target: &FollowTarget,
    data: &Data,
    audit: impl FnOnce(&str) -> Option<Audit>,
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
    let audit = audit(&actor.row.ap_id);
    let removed = data
        .store
        .delete_following_audited(agency.id, actor.row.id, undo_id.as_str(), audit.as_ref())
        .await?;
    data.wake.notify_one();
    Ok(removed)
}
