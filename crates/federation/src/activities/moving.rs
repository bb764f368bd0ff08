//! Move: an account that continues as another actor.
//!
//! In, as Mastodon takes it (`app/lib/activitypub/activity/move.rb`,
//! `app/workers/move_worker.rb`, `app/workers/unfollow_follow_worker.rb`):
//! the account that moves is the one that signed and is the Move's
//! `object`; the `target` is fetched fresh and must list the old account
//! in its `alsoKnownAs`; an account's Move is acted on at most once in
//! [`MOVE_COOLDOWN`]; then each of our agencies that followed the old
//! account follows the new one and stops following the old.
//!
//! Out, as Mastodon's `AccountMigration` and `MoveService` do it: the
//! target must list our agency in its `alsoKnownAs` (see [`add_alias`] for
//! how a Deling agency lists another), our actor gets `movedTo`, and its
//! followers are sent an `Update` of it and the `Move`.

use crate::{
    activities::{
        following::{parse_target, resolve_actor},
        outgoing::activity_id,
    },
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
    protocol::{actor::ActorJson, incoming::Activity},
    urls::authority,
};
use activitypub_federation::{fetch::fetch_object_http, traits::Object};
use deling_store::{
    queries::{audit::Audit, moving::agency_aliases},
    records::Agency,
};
use url::Url;

/// How long after acting on a remote account's Move another Move of it
/// is refused: Mastodon's `PROCESSING_COOLDOWN` (7 days), so a looping or
/// hostile account cannot have our agencies refollow at will.
pub const MOVE_COOLDOWN: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// Fetches actor `id` from its server now, not from the cache (a stale
/// copy could miss an `alsoKnownAs` added a moment ago, or keep one taken
/// back), checks it as any actor we store, refreshes the stored copy, and
/// returns the document with it.
async fn fetch_fresh(id: &Url, data: &Data) -> Result<(DbRemoteActor, ActorJson), FedError> {
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
async fn check_policy(id: &Url, data: &Data) -> Result<(), FedError> {
    if crate::policy::refuses_sender(&data.store, id).await? {
        return refuse(format!("{id} is blocked on this server"));
    }
    Ok(())
}

/// A Move received from `actor` (who signed it): our agencies that follow
/// it follow its new account instead.
pub async fn receive_move(a: Activity, actor: &DbRemoteActor, data: &Data) -> Result<(), FedError> {
    let Some(object) = a.object.id() else {
        return refuse("a Move without object");
    };
    if &object != actor.id() {
        return refuse(format!(
            "a Move's object must be its actor: {} cannot move {object}",
            actor.id()
        ));
    }
    let Some(target) = a.target else {
        return refuse("a Move without target");
    };
    if &target == actor.id() {
        return refuse("a Move to the same account");
    }
    if data.domain().eq_ignore_ascii_case(&authority(&target)) {
        return refuse(format!(
            "{target} is on this server: an account does not move to an agency here"
        ));
    }
    if let Some(at) = actor.row.moved_at
        && chrono::Utc::now() - at < MOVE_COOLDOWN
    {
        return refuse(format!(
            "{} moved on {at}; another Move is not acted on within {} days",
            actor.id(),
            MOVE_COOLDOWN.num_days()
        ));
    }
    check_policy(&target, data).await?;
    let (new, json) = fetch_fresh(&target, data).await?;
    if !json.also_known_as.contains(actor.id()) {
        return refuse(format!(
            "{target} does not list {} in its alsoKnownAs",
            actor.id()
        ));
    }
    data.store
        .update_remote_actor_moved(actor.row.id, new.id().as_str())
        .await?;
    let mut moved = 0;
    for f in data.store.list_agency_follows_of(actor.row.id).await? {
        let Some(agency) = data.store.get_agency(f.agency_id).await? else {
            continue;
        };
        let follow_id = activity_id(&data.urls, "follow");
        let undo_id = activity_id(&data.urls, "undo");
        if data
            .store
            .update_following_moved(
                agency.id,
                actor.row.id,
                new.row.id,
                follow_id.as_str(),
                undo_id.as_str(),
            )
            .await?
        {
            moved += 1;
        }
    }
    tracing::info!(from = %actor.id(), to = %new.id(), agencies = moved,
        "account moved; our agencies that followed it follow the new one");
    data.wake.notify_one();
    Ok(())
}

/// Moves `agency` to the actor `target` (`@user@host` or an actor URL on
/// another server), which must list the agency in its `alsoKnownAs`. The
/// agency gets `movedTo`, its followers an `Update` of it and the `Move`;
/// afterwards it publishes nothing new. `audit` is written with the change.
pub async fn move_agency(
    agency: &Agency,
    target: &str,
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
    let found = resolve_actor(&parse_target(target)?, data).await?;
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
    target: &str,
    audit: Audit,
    data: &Data,
) -> Result<(Agency, Url), FedError> {
    let actor = resolve_actor(&parse_target(target)?, data).await?;
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

/// Takes `target` (an actor URL as listed, or `@user@host`) off `agency`'s
/// other names. `audit` is written with the change.
pub async fn remove_alias(
    agency: &Agency,
    target: &str,
    audit: Audit,
    data: &Data,
) -> Result<Agency, FedError> {
    let mut aliases = agency_aliases(agency);
    let target = target.trim();
    let id = if aliases.iter().any(|a| a == target) {
        target.to_owned()
    } else if target.starts_with("http://") || target.starts_with("https://") {
        return refuse(format!("{target} is not listed"));
    } else {
        resolve_actor(&parse_target(target)?, data)
            .await?
            .id()
            .to_string()
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
