//! An agency's own activities, about its actor: an `Update` of it (its
//! profile changed, or its key was rotated), its `Delete` when it is
//! withdrawn, and its `Move` to an account elsewhere.

use super::{Built, Outgoing, followers, stored_url};
use crate::{
    Urls,
    context::Data,
    objects::agency::agency_actor,
    protocol::{
        activity::{ActivityType, ObjectActivity, TargetActivity},
        public,
    },
};
use deling_store::{queries::outbox::OutboxEvent, records::Agency};
use url::Url;

/// The agency's profile changed: an `Update` of its actor.
pub(super) async fn update(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let id = data.urls.agency_update(&agency.slug, event.id);
    Ok(vec![Outgoing::new(
        &actor_update(id, agency, data),
        followers(agency, data).await?,
    )?])
}

/// The agency's key was rotated: an `Update` of its actor carrying the
/// new key. Those it follows hold its key too (it signed its Follow and
/// may send them more); the id marks the deliveries that `send` signs
/// with the key being replaced.
pub(super) async fn key_update(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let id = data.urls.agency_key_update(&agency.slug, event.id);
    let mut inboxes = followers(agency, data).await?;
    inboxes.extend(data.store.list_following_inboxes(agency.id).await?);
    Ok(vec![Outgoing::new(
        &actor_update(id, agency, data),
        inboxes,
    )?])
}

/// The whole actor document, as Mastodon and others take an `Update` of an
/// actor signed by that actor without fetching it (Mastodon:
/// `ActivityPub::Activity::Update#update_account`, `signed_with_known_key:
/// true`, which replaces the stored key).
fn actor_update(
    id: Url,
    agency: &Agency,
    data: &Data,
) -> ObjectActivity<crate::protocol::actor::ActorJson> {
    let urls = &data.urls;
    ObjectActivity {
        kind: ActivityType::Update,
        id,
        actor: urls.agency(&agency.slug),
        object: agency_actor(urls, agency),
        to: vec![public()],
        cc: vec![urls.agency_followers(&agency.slug)],
        published: Some(agency.updated_at),
    }
}

/// The agency was withdrawn: a `Delete` of its actor, to every inbox that
/// may hold anything of its (see
/// [`deling_store::Store::list_agency_reach_inboxes`]): its followers,
/// those it follows (who stop delivering to it), and whoever its items
/// and comments reached beyond them (likes, boosts, replies, the
/// followers of agencies here that shared its items).
///
/// One `Delete` of the actor per inbox, rather than a `Delete` of each
/// item and comment besides: the fewest requests that reach every holder.
/// A Deling peer forgets a deleted actor with all it sent (its catalogued
/// items, comments, reactions); Mastodon, on the `Delete` of an actor
/// (`ActivityPub::Activity::Delete#delete_person`), runs
/// `DeleteAccountService` on the account, which removes its statuses. An agency
/// with a thousand items withdrawn costs each host one request, not a
/// thousand. Item and comment `Delete`s queued before the withdrawal
/// still go out (`sends_when_withdrawn`).
///
/// The agency's row (and key) stays when it is withdrawn, so the Delete
/// is signed by the actor it deletes, as peers require.
pub(super) async fn delete(_event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let urls = &data.urls;
    let actor = urls.agency(&agency.slug);
    let activity = ObjectActivity {
        kind: ActivityType::Delete,
        id: urls.agency_delete(&agency.slug),
        actor: actor.clone(),
        object: actor,
        to: vec![public()],
        cc: vec![urls.agency_followers(&agency.slug)],
        published: None,
    };
    let inboxes = data.store.list_agency_reach_inboxes(agency.id).await?;
    Ok(vec![Outgoing::new(&activity, inboxes)?])
}

/// The agency moved: a `Move` in Mastodon's shape (`MoveSerializer`), the
/// actor moving itself; each follower's server checks `target`'s
/// `alsoKnownAs`.
pub(super) async fn move_to(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some(target) = agency
        .moved_to
        .as_deref()
        .and_then(|t| stored_url(t, event))
    else {
        return Ok(vec![]);
    };
    let urls = &data.urls;
    let actor = urls.agency(&agency.slug);
    let activity = TargetActivity {
        kind: ActivityType::Move,
        id: urls.agency_move(&agency.slug, event.id),
        actor: actor.clone(),
        object: actor,
        target,
        to: vec![urls.agency_followers(&agency.slug)],
        cc: vec![],
    };
    Ok(vec![Outgoing::new(
        &activity,
        followers(agency, data).await?,
    )?])
}

/// Whether a withdrawn `agency` still sends `activity_id`: the Delete of
/// its actor, and the Deletes of its items and comments (queued before the
/// withdrawal, or still being retried), which take back what it said
/// (the delivery row names its signer, so only the agency's own). Nothing
/// it would add or change: Creates, Updates, Announces, Follows and the
/// rest are dropped.
pub fn sends_when_withdrawn(urls: &Urls, agency: &Agency, activity_id: &str) -> bool {
    use crate::urls::{LocalActivity, LocalRef};
    let Ok(url) = Url::parse(activity_id) else {
        return false;
    };
    match urls.parse_local(&url) {
        Some(LocalRef::Activity(LocalActivity::AgencyDelete(slug))) => slug == agency.slug,
        Some(LocalRef::Activity(
            LocalActivity::ItemDelete(_) | LocalActivity::CommentDelete(_),
        )) => true,
        _ => false,
    }
}
