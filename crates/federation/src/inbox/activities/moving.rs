//! Move: an account that continues as another actor, taken as Mastodon
//! takes it (`app/lib/activitypub/activity/move.rb`,
//! `app/workers/move_worker.rb`, `app/workers/unfollow_follow_worker.rb`):
//! the account that moves is the one that signed and is the Move's
//! `object`; the `target` is fetched fresh and must list the old account
//! in its `alsoKnownAs`; an account's Move is acted on at most once in
//! [`MOVE_COOLDOWN`]; then each of our agencies that followed the old
//! account follows the new one and stops following the old
//! ([`activities::moving::refollow`](crate::activities::moving::refollow)),
//! and each that blocked the old account blocks the new one
//! ([`activities::moving::carry_blocks`](crate::activities::moving::carry_blocks)).
//! (The file is not `move.rs`: `move` is a keyword.)

use crate::{
    activities::moving::{carry_blocks, check_policy, fetch_fresh, refollow},
    error::{FedError, refuse},
    inbox::inbound::{Inbound, Received},
    protocol::{incoming::Activity, lenient},
    urls::authority,
};
use activitypub_federation::traits::Object;
use serde::Deserialize;
use url::Url;

/// How long after acting on a remote account's Move another Move of it
/// is refused: Mastodon's `PROCESSING_COOLDOWN` (7 days), so a looping or
/// hostile account cannot have our agencies refollow at will.
pub const MOVE_COOLDOWN: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// A Move: `object` (the actor) moves to `target`.
#[derive(Debug, Deserialize)]
pub struct Move {
    /// Id, actor and the account that moves (the actor itself).
    #[serde(flatten)]
    pub activity: Activity,
    /// The new account, by id or embedded. Read leniently: a `target`
    /// that names no URL reads as none (and the Move is refused).
    #[serde(default, deserialize_with = "lenient::url")]
    pub target: Option<Url>,
}

impl Move {
    /// The new account, checked: another account, on another server.
    fn new_account(&self, ctx: &Received<'_>) -> Result<&Url, FedError> {
        let actor = ctx.actor;
        let Some(object) = self.activity.object.id() else {
            return refuse("a Move without object");
        };
        if &object != actor.id() {
            return refuse(format!(
                "a Move's object must be its actor: {} cannot move {object}",
                actor.id()
            ));
        }
        let Some(target) = &self.target else {
            return refuse("a Move without target");
        };
        if target == actor.id() {
            return refuse("a Move to the same account");
        }
        if ctx.data.domain().eq_ignore_ascii_case(&authority(target)) {
            return refuse(format!(
                "{target} is on this server: an account does not move to an agency here"
            ));
        }
        Ok(target)
    }
}

#[async_trait::async_trait]
impl Inbound for Move {
    /// The actor moves itself, elsewhere, and not again within the
    /// cooldown.
    async fn verify(&self, ctx: &Received<'_>) -> Result<(), FedError> {
        self.new_account(ctx)?;
        let actor = ctx.actor;
        if let Some(at) = actor.row.moved_at
            && chrono::Utc::now() - at < MOVE_COOLDOWN
        {
            return refuse(format!(
                "{} moved on {at}; another Move is not acted on within {} days",
                actor.id(),
                MOVE_COOLDOWN.num_days()
            ));
        }
        Ok(())
    }

    /// The new account, fetched fresh, must name the old one; then our
    /// agencies that follow the old account follow the new one instead.
    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError> {
        let Received { actor, data, .. } = *ctx;
        let target = self.new_account(ctx)?;
        check_policy(target, data).await?;
        let (new, json) = fetch_fresh(target, data).await?;
        if !json.also_known_as.contains(actor.id()) {
            return refuse(format!(
                "{target} does not list {} in its alsoKnownAs",
                actor.id()
            ));
        }
        data.store
            .update_remote_actor_moved(actor.row.id, new.id().as_str())
            .await?;
        let moved = refollow(actor, &new, data).await?;
        let blocks = carry_blocks(actor, &new, data).await?;
        tracing::info!(from = %actor.id(), to = %new.id(), agencies = moved, blocks,
            "account moved; our agencies that followed it follow the new one, \
             those that blocked it block the new one");
        data.wake.notify_one();
        Ok(())
    }
}
