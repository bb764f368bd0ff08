//! Move: an account that continues as another actor.
//!
//! A Move received is checked in `inbox::activities::moving`; what it
//! makes our agencies send (a Follow of the new account, an Undo of the
//! old Follow) is [`refollow`] here, and the blocks it carries over to
//! the new account are [`carry_blocks`].
//!
//! Out, as Mastodon's `AccountMigration` and `MoveService` do it: the
//! target must list our agency in its `alsoKnownAs` (see [`add_alias`] for
//! how a Deling agency lists another), our actor gets `movedTo`, and its
//! followers are sent an `Update` of it and the `Move`.

use crate::{
    activities::{following::resolve_actor, outgoing::activity_id},
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
    protocol::actor::ActorJson,
};
use activitypub_federation::{fetch::fetch_object_http, traits::Object};
use deling_domain::handle::FollowTarget;
use deling_store::{
    queries::{audit::Audit, moving::agency_aliases},
    records::Agency,
};
use url::Url;

/// Fetches actor `id` from its server now, not from the cache (a stale
/// copy could miss an `alsoKnownAs` added a moment ago, or keep one taken
/// back), checks it as any actor we store, refreshes the stored copy, and
/// returns the document with it.
pub(crate) async fn fetch_fresh(
    id: &Url,
    data: &Data,
) -> Result<(DbRemoteActor, ActorJson), FedError> {
    let res = fetch_object_http::<_, ActorJson>(id, data).await?;
    if &res.object.id != id {
        return refuse(format!(
            "{id} answers with the document of {}",
            res.object.id
        ));
    }
    DbRemoteActor::verify(&res.object, &res.url, data).await?;
    let json = res.object;
    let actor = DbRemoteActor::from_json(json.clone(), data).await?;
    Ok((actor, json))
}

/// Refuses an actor this server does not federate with.
pub(crate) async fn check_policy(id: &Url, data: &Data) -> Result<(), FedError> {
    if crate::policy::refuses_sender(&data.store, id).await? {
        return refuse(format!("{id} is blocked on this server"));
    }
    Ok(())
}

/// After `old` moved to `new` (a Move received, see
/// `inbox::activities::moving`): each of our agencies that followed `old`
/// follows `new` instead, its Follow of `new` and Undo of the old Follow
/// queued with the change. Returns how many agencies moved their follow.
pub async fn refollow(
    old: &DbRemoteActor,
    new: &DbRemoteActor,
    data: &Data,
) -> Result<usize, FedError> {
    let mut moved = 0;
    for f in data.store.list_agency_follows_of(old.row.id).await? {
        let Some(agency) = data.store.get_agency(f.agency_id).await? else {
            continue;
        };
        let follow_id = activity_id(&data.urls, "follow");
        let undo_id = activity_id(&data.urls, "undo");
        if data
            .store
            .update_following_moved(
                agency.id,
                old.row.id,
                new.row.id,
                follow_id.as_str(),
                undo_id.as_str(),
            )
            .await?
        {
            moved += 1;
        }
    }
    Ok(moved)
}

/// After `old` moved to `new`: each of our agencies that blocked `old`
/// blocks `new` too, unless it blocks or follows `new` already, as
/// Mastodon carries a user's blocks over (`MoveWorker#carry_blocks_over!`),
/// so that moving is no way round an agency's block. Each block is
/// written as the agency's editors' would be (comments hidden, follows
/// ended with a Reject or an Undo), audited in the agency's log. Returns
/// how many were carried.
pub async fn carry_blocks(
    old: &DbRemoteActor,
    new: &DbRemoteActor,
    data: &Data,
) -> Result<usize, FedError> {
    let (from, to) = (old.id().as_str(), new.id().as_str());
    let mut carried = 0;
    for block in data.store.list_blocks_of_actor(from).await? {
        let agency_id = block.agency_id;
        if data.store.is_blocked_by_agency(agency_id, to).await?
            || data.store.is_following(agency_id, new.row.id).await?
        {
            continue;
        }
        let Some(agency) = data.store.get_agency(agency_id).await? else {
            continue;
        };
        let reason = match &block.reason {
            Some(r) => format!("moved from {from}: {r}"),
            None => format!("moved from {from}"),
        };
        let audit = Audit::new(
            None,
            "federation",
            "agency_block.put",
            &format!("{}/{to}", agency.slug),
        )
        .with("reason", reason.as_str())
        .with("moved_from", from)
        .for_agency(agency.id);
        let undo_id = activity_id(&data.urls, "undo");
        data.store
            .put_agency_block(agency.id, to, Some(&reason), undo_id.as_str(), Some(&audit))
            .await?;
        carried += 1;
    }
    Ok(carried)
}

/// Moves `agency` to the actor `target` (`@user@host` or an actor URL on
/// another server), which must list the agency in its `alsoKnownAs`. The
/// agency gets `movedTo`, its followers an `Update` of it and the `Move`;
/// afterwards it publishes nothing new. `audit` is written with the change.
pub async fn move_agency(
    agency: &Agency,
    target: &FollowTarget,
    audit: Audit,
    data: &Data,
) -> Result<(Agency, DbRemoteActor), FedError> {
    if agency.deleted_at.is_some() {
        return refuse(format!("agency {:?} is withdrawn", agency.slug));
    }
    if let Some(to) = &agency.moved_to {
        return refuse(format!(
            "agency {:?} has moved to {to} already",
            agency.slug
        ));
    }
    let found = resolve_actor(target, data).await?;
    check_policy(found.id(), data).await?;
    let (actor, json) = fetch_fresh(found.id(), data).await?;
    let ours = data.urls.agency(&agency.slug);
    if !json.also_known_as.contains(&ours) {
        return refuse(format!(
            "{} does not list {ours} in its alsoKnownAs, so its server would refuse the Move; \
             add it there first (on Deling: deling admin agency alias SLUG --add {ours}; \
             on Mastodon: Preferences > Account > Moving from a different account)",
            actor.id()
        ));
    }
    let moved = data
        .store
        .update_agency_moved(
            agency.id,
            actor.id().as_str(),
            &audit.with("to", actor.id().as_str()),
        )
        .await?;
    data.wake.notify_one();
    Ok((moved, actor))
}

/// Lists the actor `target` (`@user@host` or an actor URL on another
/// server) among `agency`'s other names (`alsoKnownAs`): what the server
/// of an account that moves to this agency checks first. The actor is
/// looked up so that its canonical id is stored. Followers get an
/// `Update`; `audit` is written with the change.
pub async fn add_alias(
    agency: &Agency,
    target: &FollowTarget,
    audit: Audit,
    data: &Data,
) -> Result<(Agency, Url), FedError> {
    let actor = resolve_actor(target, data).await?;
    let id = actor.id().to_string();
    let mut aliases = agency_aliases(agency);
    if aliases.contains(&id) {
        return refuse(format!("{id} is listed already"));
    }
    aliases.push(id.clone());
    let updated = data
        .store
        .update_agency_aliases(agency.id, &aliases, &audit.with("alias", id))
        .await?;
    data.wake.notify_one();
    Ok((updated, actor.id().clone()))
}

/// Takes `target` (an actor URL as listed, or `@user@host`, looked up)
/// off `agency`'s other names. `audit` is written with the change.
pub async fn remove_alias(
    agency: &Agency,
    target: &FollowTarget,
    audit: Audit,
    data: &Data,
) -> Result<Agency, FedError> {
    let mut aliases = agency_aliases(agency);
    let id = match target {
        FollowTarget::Url(url) => url.as_str().to_owned(),
        FollowTarget::Handle { .. } => resolve_actor(target, data).await?.id().to_string(),
    };
    let before = aliases.len();
    aliases.retain(|a| a != &id);
    if aliases.len() == before {
        return refuse(format!("{id} is not listed"));
    }
    let updated = data
        .store
        .update_agency_aliases(agency.id, &aliases, &audit.with("alias", id))
        .await?;
    data.wake.notify_one();
    Ok(updated)
}
