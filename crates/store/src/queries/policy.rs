//! Federation policy: the mode, domain policies and blocked actors.

use crate::{
    Store, StoreError,
    entities::{actor_block, comment, domain_policy, follower, instance, remote_actor},
    queries::{
        audit::{Audit, write_audit},
        follow::reject_follower,
        params::{self, Params},
        remote_actor::remote_actor_id,
    },
    records::now,
};
use deling_domain::policy::{Domain, DomainBlock, FederationMode, Severity};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
    sea_query::{Expr, OnConflict},
};
use std::sync::atomic::{AtomicU64, Ordering};

/// Bumped after every change of the policy (mode, domain policy, actor
/// block) this process commits; see [`policy_generation`].
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// A number that changes whenever this process changes the federation
/// policy. A memo of a verdict taken while it had one value must not be
/// trusted once it has another: read it *before* reading the policy, so
/// that a change committed meanwhile makes the memo stale, never the
/// other way round. It is one counter for every store in the process (the
/// tests run many), so a change anywhere makes every memo stale: at worst
/// a verdict is read again. Changes made by another process (the command
/// line) do not move it: a memo must also be bounded in time.
pub fn policy_generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Called once a policy change is committed.
fn policy_changed() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}

/// A stored domain policy.
pub type DomainPolicy = domain_policy::Model;
/// A blocked actor.
pub type ActorBlock = actor_block::Model;

/// What the policy says about one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Federates normally.
    Open,
    /// Refused entirely (suspended, or not allowed in allow-list mode).
    Refused,
    /// Federates, comments held hidden, items not catalogued.
    Silenced,
    /// Federates without media.
    NoMedia,
}

/// What the policy says about an actor that sends us something: its
/// host's verdict and whether the actor itself is blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderVerdict {
    /// The verdict on the actor's host.
    pub host: Verdict,
    /// The actor is blocked.
    pub blocked: bool,
}

impl SenderVerdict {
    /// Whether what the actor sends is refused.
    pub fn refused(&self) -> bool {
        self.blocked || self.host == Verdict::Refused
    }
}

/// The names a policy for `host` may be stored under, nearest first: the
/// host with its port, the bare name, then each parent domain
/// (`a.b.example:8443`, `a.b.example`, `b.example`, `example`). Lower
/// case, and `example.` is `example`: a trailing dot must not escape a
/// policy.
fn policy_candidates(host: &str) -> Vec<String> {
    let lower = host.to_ascii_lowercase();
    let (name, port) = match lower.rsplit_once(':') {
        Some((n, p)) if deling_domain::host::port_ok(p) => (n, Some(p)),
        _ => (lower.as_str(), None),
    };
    let bare = name.trim_end_matches('.').to_owned();
    let host = match port {
        Some(p) => format!("{bare}:{p}"),
        None => bare.clone(),
    };
    // host, then each parent: a.b.example -> b.example -> example.
    let mut candidates = vec![host.clone()];
    let mut rest = bare.as_str();
    while let Some((_, parent)) = rest.split_once('.') {
        candidates.push(parent.to_owned());
        rest = parent;
    }
    if bare != host {
        candidates.insert(1, bare.clone());
    }
    candidates
}

/// The severity of the nearest of `candidates` among `rows` of
/// (domain, severity).
fn nearest_severity<'a>(
    candidates: &[String],
    rows: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<Severity> {
    candidates
        .iter()
        .find_map(|c| rows.clone().find(|(d, _)| d == c))
        .and_then(|(_, s)| s.parse().ok())
}

/// The policy of `host` given the mode and its row, if any. A policy on a
/// domain also covers its subdomains (as in Mastodon).
pub fn verdict(mode: FederationMode, policy: Option<Severity>) -> Verdict {
    match (mode, policy) {
        (_, Some(Severity::Suspend)) => Verdict::Refused,
        (FederationMode::Allowlist, None) => Verdict::Refused,
        (_, Some(Severity::Silence)) => Verdict::Silenced,
        (_, Some(Severity::RejectMedia)) => Verdict::NoMedia,
        (_, Some(Severity::Allow)) | (FederationMode::Blocklist, None) => Verdict::Open,
    }
}

/// Hides the public comments of remote actors `authors` that are neither
/// deleted nor hidden yet, as a moderator would; returns how many. Their
/// authors' later Deletes and edits are refused with everything else they
/// send, so a comment left shown could never be taken back. Lifting the
/// block shows nothing again: a moderator does, comment by comment.
async fn hide_comments_of(txn: &DatabaseTransaction, authors: Vec<i64>) -> Result<u64, StoreError> {
    let mut hidden = 0;
    for chunk in authors.chunks(500) {
        hidden += comment::Entity::update_many()
            .col_expr(comment::Column::HiddenAt, Expr::value(Some(now())))
            .filter(comment::Column::AuthorRemoteActorId.is_in(chunk.iter().copied()))
            .filter(comment::Column::DeletedAt.is_null())
            .filter(comment::Column::HiddenAt.is_null())
            .exec(txn)
            .await?
            .rows_affected;
    }
    Ok(hidden)
}

/// The remote actors on `domains` or their subdomains (any port) whose
/// host the policies now suspend: the nearest policy decides, so a
/// subdomain allowed on its own is left alone.
async fn suspended_actors(
    txn: &DatabaseTransaction,
    domains: &[&str],
) -> Result<Vec<i64>, StoreError> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    let mut on = Condition::any();
    for d in domains {
        on = on
            .add(remote_actor::Column::Domain.eq(*d))
            .add(remote_actor::Column::Domain.like(format!("{d}:%")))
            .add(remote_actor::Column::Domain.like(format!("%.{d}")))
            .add(remote_actor::Column::Domain.like(format!("%.{d}:%")));
    }
    let actors: Vec<(i64, String)> = remote_actor::Entity::find()
        .select_only()
        .column(remote_actor::Column::Id)
        .column(remote_actor::Column::Domain)
        .filter(on)
        .into_tuple()
        .all(txn)
        .await?;
    if actors.is_empty() {
        return Ok(Vec::new());
    }
    let policies: Vec<(String, String)> = domain_policy::Entity::find()
        .select_only()
        .column(domain_policy::Column::Domain)
        .column(domain_policy::Column::Severity)
        .into_tuple()
        .all(txn)
        .await?;
    let rows = policies.iter().map(|(d, s)| (d.as_str(), s.as_str()));
    Ok(actors
        .into_iter()
        .filter(|(_, host)| {
            nearest_severity(&policy_candidates(host), rows.clone()) == Some(Severity::Suspend)
        })
        .map(|(id, _)| id)
        .collect())
}

impl Store {
    /// The federation mode.
    pub async fn get_federation_mode(&self) -> Result<FederationMode, StoreError> {
        let mode = instance::Entity::find()
            .one(self.reader())
            .await?
            .map(|i| i.federation_mode)
            .unwrap_or_default();
        Ok(mode.parse().unwrap_or(FederationMode::Blocklist))
    }

    /// Sets the federation mode, and writes `audit` with it.
    pub async fn put_federation_mode(
        &self,
        mode: FederationMode,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let txn = self.begin().await?;
        instance::Entity::update_many()
            .col_expr(instance::Column::FederationMode, Expr::value(mode.as_str()))
            .exec(&txn)
            .await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        policy_changed();
        Ok(())
    }

    /// The policy that applies to `host` (its own row, or its nearest
    /// parent domain's), and the verdict under the current mode.
    pub async fn get_host_verdict(&self, host: &str) -> Result<Verdict, StoreError> {
        Ok(self
            .get_host_verdicts(std::slice::from_ref(&host))
            .await?
            .pop()
            .unwrap_or(Verdict::Refused))
    }

    /// [`Store::get_host_verdict`] of each of `hosts`, in their order, in
    /// two reads for up to a thousand domains (one more per thousand
    /// beyond): a fan-out to a thousand hosts asks once, not a thousand
    /// times.
    pub async fn get_host_verdicts(
        &self,
        hosts: &[impl AsRef<str>],
    ) -> Result<Vec<Verdict>, StoreError> {
        if hosts.is_empty() {
            return Ok(Vec::new());
        }
        let candidates: Vec<Vec<String>> = hosts
            .iter()
            .map(|h| policy_candidates(h.as_ref()))
            .collect();
        let mut all: Vec<String> = candidates.iter().flatten().cloned().collect();
        all.sort();
        all.dedup();
        // A read connection: every signed request asks this, and the one
        // writer is the inbox's narrowest point.
        let rows = domain_policy::Entity::find()
            .filter(params::in_list(self.backend(), "domain", &all, false))
            .all(self.reader())
            .await?;
        let mode = self.get_federation_mode().await?;
        Ok(candidates
            .iter()
            .map(|c| {
                let severity = nearest_severity(
                    c,
                    rows.iter()
                        .map(|r| (r.domain.as_str(), r.severity.as_str())),
                );
                verdict(mode, severity)
            })
            .collect())
    }

    /// What the policy says about `actor` (an actor id) on `host` (its
    /// authority): [`Store::get_host_verdict`] and [`Store::is_actor_blocked`]
    /// in one statement on a read connection, since every inbound activity
    /// asks both, once when it arrives and again when it is processed.
    pub async fn get_sender_verdict(
        &self,
        actor: &str,
        host: &str,
    ) -> Result<SenderVerdict, StoreError> {
        Ok(self.sender_facts(actor, host, false).await?.0)
    }

    /// [`Store::get_sender_verdict`] and the agencies here that block
    /// `actor` ([`Store::agencies_blocking`]), in that same one statement:
    /// what processing an inbound activity asks first, and a reply, a
    /// like or a follow asks next.
    pub async fn get_sender_standing(
        &self,
        actor: &str,
        host: &str,
    ) -> Result<(SenderVerdict, Vec<i64>), StoreError> {
        self.sender_facts(actor, host, true).await
    }

    async fn sender_facts(
        &self,
        actor: &str,
        host: &str,
        agency_blocks: bool,
    ) -> Result<(SenderVerdict, Vec<i64>), StoreError> {
        let candidates = policy_candidates(host);
        let mut p = Params::new(self.backend());
        let blocked = p.push(actor);
        let domains: Vec<String> = candidates.iter().map(|c| p.push(c.as_str())).collect();
        // One row per fact, told apart by the first column: the mode, the
        // block (if any), the policies of the candidate domains (if any),
        // and the agencies' blocks (if asked; values pushed in the order
        // their placeholders appear).
        let mut sql = format!(
            "SELECT 'mode' AS fact, (SELECT federation_mode FROM instance LIMIT 1) AS name, \
             CAST(NULL AS TEXT) AS severity \
             UNION ALL SELECT 'block', actor, CAST(NULL AS TEXT) FROM actor_block WHERE actor = {blocked} \
             UNION ALL SELECT 'domain', domain, severity FROM domain_policy WHERE domain IN ({})",
            domains.join(", ")
        );
        if agency_blocks {
            let actor = p.push(actor);
            sql.push_str(&format!(
                " UNION ALL SELECT 'agency_block', CAST(agency_id AS TEXT), CAST(NULL AS TEXT) \
                 FROM agency_block WHERE actor = {actor}"
            ));
        }
        let rows = self
            .reader()
            .query_all_raw(Statement::from_sql_and_values(p.backend, sql, p.values))
            .await?;
        let mut mode = FederationMode::Blocklist;
        let mut is_blocked = false;
        let mut policies: Vec<(String, String)> = Vec::new();
        let mut blockers: Vec<i64> = Vec::new();
        for row in rows {
            let fact: String = row.try_get("", "fact")?;
            let name: Option<String> = row.try_get("", "name")?;
            let severity: Option<String> = row.try_get("", "severity")?;
            match fact.as_str() {
                "mode" => {
                    mode = name
                        .and_then(|m| m.parse().ok())
                        .unwrap_or(FederationMode::Blocklist);
                }
                "block" => is_blocked = true,
                "agency_block" => blockers.extend(name.and_then(|a| a.parse::<i64>().ok())),
                _ => policies.extend(name.zip(severity)),
            }
        }
        let severity = nearest_severity(
            &candidates,
            policies.iter().map(|(d, s)| (d.as_str(), s.as_str())),
        );
        blockers.sort_unstable();
        Ok((
            SenderVerdict {
                host: verdict(mode, severity),
                blocked: is_blocked,
            },
            blockers,
        ))
    }

    /// Adds or replaces the policy for a domain, and writes `audit` with it.
    /// Suspending hides the comments of the actors it now refuses (see
    /// [`hide_comments_of`]).
    pub async fn put_domain_policy(
        &self,
        domain: &Domain,
        severity: Severity,
        public_comment: Option<&str>,
        private_comment: Option<&str>,
        audit: Option<&Audit>,
    ) -> Result<DomainPolicy, StoreError> {
        let txn = self.begin().await?;
        domain_policy::Entity::insert(domain_policy::ActiveModel {
            domain: Set(domain.to_string()),
            severity: Set(severity.as_str().to_owned()),
            public_comment: Set(public_comment.map(str::to_owned)),
            private_comment: Set(private_comment.map(str::to_owned)),
            created_at: Set(now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(domain_policy::Column::Domain)
                .update_columns([
                    domain_policy::Column::Severity,
                    domain_policy::Column::PublicComment,
                    domain_policy::Column::PrivateComment,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
        let row = domain_policy::Entity::find()
            .filter(domain_policy::Column::Domain.eq(domain.as_str()))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("domain policy"))?;
        let comments_hidden = if severity == Severity::Suspend {
            let authors = suspended_actors(&txn, &[domain.as_str()]).await?;
            hide_comments_of(&txn, authors).await?
        } else {
            0
        };
        if let Some(audit) = audit {
            let audit = audit.clone().with("comments_hidden", comments_hidden);
            write_audit(&txn, &audit).await?;
        }
        txn.commit().await?;
        policy_changed();
        Ok(row)
    }

    /// Imports many policies, and writes `audit`, in one transaction: all
    /// or nothing.
    pub async fn put_domain_policies(
        &self,
        blocks: &[DomainBlock],
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        let txn = self.begin().await?;
        for b in blocks {
            domain_policy::Entity::insert(domain_policy::ActiveModel {
                domain: Set(b.domain.to_string()),
                severity: Set(b.severity.as_str().to_owned()),
                public_comment: Set(b.public_comment.clone()),
                private_comment: Set(None),
                created_at: Set(now()),
                ..Default::default()
            })
            .on_conflict(
                OnConflict::column(domain_policy::Column::Domain)
                    .update_columns([
                        domain_policy::Column::Severity,
                        domain_policy::Column::PublicComment,
                    ])
                    .to_owned(),
            )
            .exec(&txn)
            .await?;
        }
        let suspended: Vec<&str> = blocks
            .iter()
            .filter(|b| b.severity == Severity::Suspend)
            .map(|b| b.domain.as_str())
            .collect();
        let mut comments_hidden = 0;
        for chunk in suspended.chunks(50) {
            let authors = suspended_actors(&txn, chunk).await?;
            comments_hidden += hide_comments_of(&txn, authors).await?;
        }
        if let Some(audit) = audit {
            let audit = audit.clone().with("comments_hidden", comments_hidden);
            write_audit(&txn, &audit).await?;
        }
        txn.commit().await?;
        policy_changed();
        Ok(blocks.len())
    }

    /// Removes a domain's policy; `true` if there was one, and then
    /// `audit` is written with the change.
    pub async fn delete_domain_policy(
        &self,
        domain: &Domain,
        audit: Option<&Audit>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        let removed = domain_policy::Entity::delete_many()
            .filter(domain_policy::Column::Domain.eq(domain.as_str()))
            .exec(&txn)
            .await?
            .rows_affected
            > 0;
        if let (true, Some(audit)) = (removed, audit) {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        policy_changed();
        Ok(removed)
    }

    /// Every domain policy, by domain.
    pub async fn list_domain_policies(&self) -> Result<Vec<DomainPolicy>, StoreError> {
        Ok(domain_policy::Entity::find()
            .order_by_asc(domain_policy::Column::Domain)
            .all(self.reader())
            .await?)
    }

    /// Blocks an actor everywhere, and writes `audit` with it; its follows
    /// of our agencies end, with a `Reject` queued for each, and its
    /// comments are hidden (see [`hide_comments_of`]).
    pub async fn put_actor_block(
        &self,
        actor: &str,
        reason: Option<&str>,
        audit: Option<&Audit>,
    ) -> Result<ActorBlock, StoreError> {
        let txn = self.begin().await?;
        actor_block::Entity::insert(actor_block::ActiveModel {
            actor: Set(actor.to_owned()),
            reason: Set(reason.map(str::to_owned)),
            created_at: Set(now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(actor_block::Column::Actor)
                .update_column(actor_block::Column::Reason)
                .to_owned(),
        )
        .exec(&txn)
        .await?;
        let row = actor_block::Entity::find()
            .filter(actor_block::Column::Actor.eq(actor))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("actor block"))?;
        // Its follows of our agencies end, each with a Reject its server
        // is sent, so that the actor no longer counts among followers.
        let remote = remote_actor_id(&txn, actor).await?;
        let mut follows_ended = 0u64;
        if let Some(remote) = remote {
            let agencies: Vec<i64> = follower::Entity::find()
                .select_only()
                .column(follower::Column::AgencyId)
                .filter(follower::Column::RemoteActorId.eq(remote))
                .into_tuple()
                .all(&txn)
                .await?;
            for agency_id in agencies {
                if reject_follower(&txn, agency_id, remote).await? {
                    follows_ended += 1;
                }
            }
        }
        let comments_hidden = match remote {
            Some(remote) => hide_comments_of(&txn, vec![remote]).await?,
            None => 0,
        };
        if let Some(audit) = audit {
            let audit = audit
                .clone()
                .with("follows_ended", follows_ended)
                .with("comments_hidden", comments_hidden);
            write_audit(&txn, &audit).await?;
        }
        txn.commit().await?;
        policy_changed();
        Ok(row)
    }

    /// Unblocks an actor; `true` if it was blocked, and then `audit` is
    /// written with the change.
    pub async fn delete_actor_block(
        &self,
        actor: &str,
        audit: Option<&Audit>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        let removed = actor_block::Entity::delete_many()
            .filter(actor_block::Column::Actor.eq(actor))
            .exec(&txn)
            .await?
            .rows_affected
            > 0;
        if let (true, Some(audit)) = (removed, audit) {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        policy_changed();
        Ok(removed)
    }

    /// Whether an actor is blocked.
    pub async fn is_actor_blocked(&self, actor: &str) -> Result<bool, StoreError> {
        Ok(actor_block::Entity::find()
            .filter(actor_block::Column::Actor.eq(actor))
            .one(self.reader())
            .await?
            .is_some())
    }

    /// Every blocked actor.
    pub async fn list_actor_blocks(&self) -> Result<Vec<ActorBlock>, StoreError> {
        Ok(actor_block::Entity::find()
            .order_by_asc(actor_block::Column::Actor)
            .all(self.reader())
            .await?)
    }
}
