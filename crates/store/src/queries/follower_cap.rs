//! How many followers one server may give one agency.
//!
//! Every inbox behind an agency's followers costs a signed request each
//! time the agency publishes, and every follower a row its fan-out reads.
//! A server makes as many accounts as it likes, and a server without
//! shared inboxes (GoToSocial) gives each of them an inbox of its own: a
//! million accounts following would make every publish a million
//! signatures, and bury the deliveries to everyone else. So a Follow from
//! a server that already has [`FollowerCaps::per_host`] followers of the
//! agency, or whose inbox would be the server's
//! [`FollowerCaps::inboxes_per_host`]-plus-first, is refused with a
//! `Reject`: its server shows the follow as refused rather than leaving it
//! pending, and the agency's other followers are not held up.
//!
//! An actor that follows already is never refused (a Follow sent again
//! keeps it), and lowering a cap ends no follow. The caps are checked as
//! a Follow arrives: followers accepted behind one shared inbox whose
//! server later drops it (its actors refreshed without one) are not
//! counted again, so `per_host` is the bound that always holds. A server
//! is counted by its site, the registrable domain of its host
//! (`deling_domain::site`): whoever owns a domain can give it any number
//! of host names with one wildcard DNS record, and each would otherwise
//! bring caps of its own. Both counts stop at their cap.

use crate::{
    Store, StoreError,
    queries::{
        follow::upsert_follower,
        outbox::{queue_accept, queue_reject},
        params::{Params, count},
    },
    records::RemoteActor,
};
use sea_orm::ConnectionTrait;

/// The most followers of one agency that one server (a remote actor's
/// `site`: its host's registrable domain) may have, and the most distinct
/// inboxes among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowerCaps {
    /// Followers, whatever their inboxes.
    pub per_host: u64,
    /// Distinct inboxes (a shared inbox where the actor has one, else its
    /// own) that the agency's deliveries go to.
    pub inboxes_per_host: u64,
}

impl Default for FollowerCaps {
    /// What `config/default.toml` sets.
    fn default() -> Self {
        Self {
            per_host: 100_000,
            inboxes_per_host: 1_000,
        }
    }
}

/// What became of a Follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowOutcome {
    /// The actor follows; an `Accept` is queued.
    Accepted,
    /// Its server has [`FollowerCaps::per_host`] followers of the agency
    /// already; a `Reject` is queued.
    TooManyFollowers,
    /// Its inbox would be one more than [`FollowerCaps::inboxes_per_host`]
    /// on its server; a `Reject` is queued.
    TooManyInboxes,
}

impl Store {
    /// [`Store::accept_follower`] within `caps`: records that `actor`
    /// follows `agency_id` by its Follow `follow` (id `follow_ap_id`) and
    /// queues the `Accept`, unless its server is at a cap, when the
    /// `Reject` is queued instead.
    ///
    /// The counts are read on a read connection, outside the write
    /// transaction, so that a server sending refused Follows over and
    /// over does not hold the one SQLite writer for its counts; the
    /// follower (or the Reject) is then written in one transaction. Two
    /// Follows from one server decided at the same moment may both pass,
    /// overshooting a cap by at most the inbox's concurrent work.
    pub async fn accept_follower_within(
        &self,
        agency_id: i64,
        actor: &RemoteActor,
        follow_ap_id: &str,
        follow: serde_json::Value,
        caps: FollowerCaps,
    ) -> Result<FollowOutcome, StoreError> {
        let outcome = self.follow_outcome(agency_id, actor, caps).await?;
        let txn = self.begin().await?;
        if outcome == FollowOutcome::Accepted {
            upsert_follower(&txn, agency_id, actor.id, follow_ap_id).await?;
            queue_accept(&txn, agency_id, actor.id, follow_ap_id, follow).await?;
        } else {
            queue_reject(&txn, agency_id, actor.id, follow_ap_id, Some(follow)).await?;
        }
        txn.commit().await?;
        Ok(outcome)
    }

    /// Whether `actor`'s Follow of `agency_id` is within `caps`.
    async fn follow_outcome(
        &self,
        agency_id: i64,
        actor: &RemoteActor,
        caps: FollowerCaps,
    ) -> Result<FollowOutcome, StoreError> {
        let db = self.reader();
        if follows(db, agency_id, actor.id).await? {
            return Ok(FollowOutcome::Accepted);
        }
        if count_on_site(db, agency_id, actor, Counted::Followers, caps.per_host).await?
            >= caps.per_host
        {
            return Ok(FollowOutcome::TooManyFollowers);
        }
        if !inbox_taken(db, agency_id, actor).await?
            && count_on_site(
                db,
                agency_id,
                actor,
                Counted::Inboxes,
                caps.inboxes_per_host,
            )
            .await?
                >= caps.inboxes_per_host
        {
            return Ok(FollowOutcome::TooManyInboxes);
        }
        Ok(FollowOutcome::Accepted)
    }
}

/// What [`count_on_site`] counts.
#[derive(Debug, Clone, Copy)]
enum Counted {
    Followers,
    Inboxes,
}

/// The inbox `actor`'s deliveries go to: its server's shared one where it
/// has one, as the fan-out picks.
fn delivery_inbox(actor: &RemoteActor) -> &str {
    actor.shared_inbox.as_deref().unwrap_or(&actor.inbox)
}

/// `actor`'s site, from its host as it is now: a row written by an older
/// binary during an upgrade may not have its `site` yet.
fn site_of(actor: &RemoteActor) -> String {
    deling_domain::site::site_of(&actor.domain)
}

/// Whether `actor_id` follows `agency_id` already.
async fn follows(
    db: &impl ConnectionTrait,
    agency_id: i64,
    actor_id: i64,
) -> Result<bool, StoreError> {
    let mut p = Params::new(db.get_database_backend());
    let sql = format!(
        "SELECT COUNT(*) AS n FROM follower WHERE agency_id = {} AND remote_actor_id = {}",
        p.push(agency_id),
        p.push(actor_id)
    );
    Ok(count(db, p, sql).await? > 0)
}

/// Whether another follower of `agency_id` on `actor`'s site has the
/// inbox `actor`'s deliveries would go to (a shared inbox, mostly).
async fn inbox_taken(
    db: &impl ConnectionTrait,
    agency_id: i64,
    actor: &RemoteActor,
) -> Result<bool, StoreError> {
    let mut p = Params::new(db.get_database_backend());
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM remote_actor r \
         JOIN follower f ON f.remote_actor_id = r.id AND f.agency_id = {} \
         WHERE r.site = {} AND COALESCE(r.shared_inbox, r.inbox) = {} LIMIT 1) AS t",
        p.push(agency_id),
        p.push(site_of(actor)),
        p.push(delivery_inbox(actor).to_owned()),
    );
    Ok(count(db, p, sql).await? > 0)
}

/// The followers of `agency_id` on `actor`'s site (`actor` not among
/// them: it does not follow yet), or their distinct inboxes, counted up
/// to `at_most`.
async fn count_on_site(
    db: &impl ConnectionTrait,
    agency_id: i64,
    actor: &RemoteActor,
    counted: Counted,
    at_most: u64,
) -> Result<u64, StoreError> {
    let mut p = Params::new(db.get_database_backend());
    let what = match counted {
        Counted::Followers => "r.id",
        Counted::Inboxes => "DISTINCT COALESCE(r.shared_inbox, r.inbox)",
    };
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT {what} FROM follower f \
         JOIN remote_actor r ON r.id = f.remote_actor_id \
         WHERE f.agency_id = {} AND r.site = {} LIMIT {}) AS t",
        p.push(agency_id),
        p.push(site_of(actor)),
        p.push(i64::try_from(at_most).unwrap_or(i64::MAX)),
    );
    count(db, p, sql).await
}
