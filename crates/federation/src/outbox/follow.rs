//! Following, both ways: the `Follow` an agency sends, the `Undo` of it,
//! and the `Accept` or `Reject` of a remote actor's Follow of an agency.
//! Each goes to
//! the other actor's own inbox. What they need is in the event's payload
//! (see `deling_store::queries::outbox`), since the rows they came from
//! may be gone by the time they are sent.

use super::{Built, Outgoing, stored_url};
use crate::{
    activities::outgoing::derived_id,
    context::Data,
    protocol::activity::{ActivityType, ActorActivity, Follow},
};
use deling_store::{
    queries::outbox::{FollowAccepted, FollowRejected, FollowSent, FollowUndone, OutboxEvent},
    records::Agency,
};
use url::Url;

/// The Follow `id` of `object` by `actor`; `to` names `object` when it is
/// sent, and nobody when it is embedded in its Undo.
fn follow_of(id: Url, actor: Url, object: Url, to: Vec<Url>) -> Follow {
    ActorActivity {
        kind: ActivityType::Follow,
        id,
        actor,
        object,
        to,
    }
}

/// The agency asked to follow a remote actor.
pub(super) fn follow(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some(sent) = event.payload::<FollowSent>() else {
        return Ok(vec![]);
    };
    let (Some(id), Some(object)) = (
        stored_url(&sent.follow_id, event),
        stored_url(&sent.object, event),
    ) else {
        return Ok(vec![]);
    };
    let actor = data.urls.agency(&agency.slug);
    let activity = follow_of(id, actor, object.clone(), vec![object]);
    Ok(vec![Outgoing::new(&activity, vec![sent.inbox])?])
}

/// The agency stopped following: the `Undo` of its Follow, embedding it.
pub(super) fn undo(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some(undone) = event.payload::<FollowUndone>() else {
        return Ok(vec![]);
    };
    let (Some(id), Some(follow_id), Some(object)) = (
        stored_url(&undone.undo_id, event),
        stored_url(&undone.follow_id, event),
        stored_url(&undone.object, event),
    ) else {
        return Ok(vec![]);
    };
    let actor = data.urls.agency(&agency.slug);
    let activity = ActorActivity {
        kind: ActivityType::Undo,
        id,
        actor: actor.clone(),
        object: follow_of(follow_id, actor, object.clone(), vec![]),
        to: vec![object],
    };
    Ok(vec![Outgoing::new(&activity, vec![undone.inbox])?])
}

/// A remote actor follows the agency: the `Accept`, signed by the agency,
/// embedding the Follow as received. Its id follows from the Follow's, so
/// that processing the same Follow twice (after a crash) sends one Accept,
/// not two.
pub(super) fn accept(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some(accepted) = event.payload::<FollowAccepted>() else {
        return Ok(vec![]);
    };
    let Some(follower) = stored_url(&accepted.actor, event) else {
        return Ok(vec![]);
    };
    let activity = ActorActivity {
        kind: ActivityType::Accept,
        id: derived_id(&data.urls, "accept", &accepted.follow_id),
        actor: data.urls.agency(&agency.slug),
        object: accepted.follow,
        to: vec![follower],
    };
    Ok(vec![Outgoing::new(&activity, vec![accepted.inbox])?])
}

/// A remote actor's Follow of the agency refused on arrival, or ended by
/// a block: the `Reject`, signed by the agency, embedding the Follow (as
/// received, or rebuilt from its id when it was accepted long ago).
/// Mastodon takes a Reject of a Follow it holds as accepted as the end of
/// it ("remove follower", `ActivityPub::Activity::Reject`), so the
/// citizen's server stops showing the agency as followed; GoToSocial, as
/// read, drops only a pending one. Its id follows from the Follow's, as
/// the Accept's does.
pub(super) fn reject(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some(rejected) = event.payload::<FollowRejected>() else {
        return Ok(vec![]);
    };
    let (Some(follow_id), Some(follower)) = (
        stored_url(&rejected.follow_id, event),
        stored_url(&rejected.actor, event),
    ) else {
        return Ok(vec![]);
    };
    let agency_url = data.urls.agency(&agency.slug);
    let follow = match rejected.follow {
        Some(follow) => follow,
        None => serde_json::to_value(follow_of(
            follow_id,
            follower.clone(),
            agency_url.clone(),
            vec![],
        ))?,
    };
    let activity = ActorActivity {
        kind: ActivityType::Reject,
        id: derived_id(&data.urls, "reject", &rejected.follow_id),
        actor: agency_url,
        object: follow,
        to: vec![follower],
    };
    Ok(vec![Outgoing::new(&activity, vec![rejected.inbox])?])
}
