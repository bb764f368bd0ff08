//! Federation policy, the one way to change it and the one way to apply
//! it. The command line and the API both change domain policies, the mode
//! and actor blocks through [`PolicyService`], so they make the same checks
//! and write each change with its audit entry in one transaction. Received
//! and outgoing traffic is checked by [`refuses_sender`] and
//! [`refuses_host`].

use crate::urls::authority;
use deling_domain::{
    policy::{Domain, DomainBlock, FederationMode, Severity},
    web_url::WebUrl,
};
use deling_store::{
    Store, StoreError,
    queries::{
        audit::Audit,
        policy::{ActorBlock, DomainPolicy, SenderVerdict, Verdict},
    },
};
use serde_json::json;
use url::Url;

/// Why a policy change was not made.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A policy for this server's own domain would cut it off from itself.
    #[error("{0} is this server")]
    OwnDomain(String),
    /// Removing a domain policy that does not exist.
    #[error("there is no policy for {0}")]
    NoPolicy(String),
    /// Unblocking an actor that is not blocked.
    #[error("{0} is not blocked")]
    NotBlocked(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who changes the policy, as the audit log names them.
#[derive(Debug, Clone, Copy)]
pub struct ChangedBy<'a> {
    /// The staff member, through the API; `None` on the command line.
    pub staff_id: Option<i64>,
    /// A username, or `cli`.
    pub name: &'a str,
}

impl ChangedBy<'static> {
    /// The operator's command line.
    pub const CLI: Self = Self {
        staff_id: None,
        name: "cli",
    };
}

impl ChangedBy<'_> {
    fn audit(&self, action: &str, target: &str) -> Audit {
        Audit::new(self.staff_id, self.name, action, target)
    }
}

/// Changes the federation policy of the instance at `own_domain`.
#[derive(Debug, Clone, Copy)]
pub struct PolicyService<'a> {
    store: &'a Store,
    own_domain: &'a str,
}

impl<'a> PolicyService<'a> {
    /// The service for the instance whose public host is `own_domain`.
    pub fn new(store: &'a Store, own_domain: &'a str) -> Self {
        Self { store, own_domain }
    }

    fn not_own(&self, domain: &Domain) -> Result<(), PolicyError> {
        if domain.as_str().eq_ignore_ascii_case(self.own_domain) {
            return Err(PolicyError::OwnDomain(domain.to_string()));
        }
        Ok(())
    }

    /// Sets (adds or replaces) the policy for one domain.
    pub async fn put_domain(
        &self,
        by: ChangedBy<'_>,
        domain: &Domain,
        severity: Severity,
        public_comment: Option<&str>,
        private_comment: Option<&str>,
    ) -> Result<DomainPolicy, PolicyError> {
        self.not_own(domain)?;
        let audit = by
            .audit("domain_policy.put", domain.as_str())
            .with("severity", severity.as_str());
        Ok(self
            .store
            .put_domain_policy(
                domain,
                severity,
                public_comment,
                private_comment,
                Some(&audit),
            )
            .await?)
    }

    /// Imports domain policies (a Mastodon CSV, parsed), all or none;
    /// `source` names where they came from in the audit log.
    pub async fn import_domains(
        &self,
        by: ChangedBy<'_>,
        blocks: &[DomainBlock],
        source: &str,
    ) -> Result<usize, PolicyError> {
        for b in blocks {
            self.not_own(&b.domain)?;
        }
        let audit = by
            .audit("domain_policy.import", source)
            .with("rows", blocks.len());
        Ok(self.store.put_domain_policies(blocks, Some(&audit)).await?)
    }

    /// Removes a domain's policy.
    pub async fn delete_domain(
        &self,
        by: ChangedBy<'_>,
        domain: &Domain,
    ) -> Result<(), PolicyError> {
        let audit = by.audit("domain_policy.delete", domain.as_str());
        if !self
            .store
            .delete_domain_policy(domain, Some(&audit))
            .await?
        {
            return Err(PolicyError::NoPolicy(domain.to_string()));
        }
        Ok(())
    }

    /// Every domain policy that can be exported, by domain.
    pub async fn domain_blocks(&self) -> Result<Vec<DomainBlock>, PolicyError> {
        Ok(self
            .store
            .list_domain_policies()
            .await?
            .into_iter()
            .filter_map(|r| {
                Some(DomainBlock {
                    domain: Domain::parse(&r.domain).ok()?,
                    severity: r.severity.parse().ok()?,
                    public_comment: r.public_comment,
                })
            })
            .collect())
    }

    /// Sets the federation mode.
    pub async fn set_mode(
        &self,
        by: ChangedBy<'_>,
        mode: FederationMode,
    ) -> Result<(), PolicyError> {
        let audit = by.audit("federation_mode.put", mode.as_str());
        Ok(self.store.put_federation_mode(mode, Some(&audit)).await?)
    }

    /// Blocks an actor everywhere; `details` go to the audit log.
    pub async fn block_actor(
        &self,
        by: ChangedBy<'_>,
        actor: &str,
        reason: Option<&str>,
        details: serde_json::Value,
    ) -> Result<ActorBlock, PolicyError> {
        let mut audit = by.audit("actor_block.put", actor);
        audit.details = details;
        Ok(self
            .store
            .put_actor_block(actor, reason, Some(&audit))
            .await?)
    }

    /// Unblocks an actor.
    pub async fn unblock_actor(&self, by: ChangedBy<'_>, actor: &str) -> Result<(), PolicyError> {
        // Spelled as the block stored it (host in lower case, a bare
        // origin with its `/`), whatever the caller typed.
        let parsed = WebUrl::parse(actor.trim());
        let actor = parsed.as_ref().map_or(actor.trim(), WebUrl::as_str);
        let audit = by.audit("actor_block.delete", actor);
        if !self.store.delete_actor_block(actor, Some(&audit)).await? {
            return Err(PolicyError::NotBlocked(actor.to_owned()));
        }
        Ok(())
    }
}

/// Inbound: whether what `actor` sends is refused, because the actor is
/// blocked or its server is (or, in allow-list mode, is not allowed).
pub async fn refuses_sender(store: &Store, actor: &Url) -> Result<bool, StoreError> {
    Ok(sender_verdict(store, actor).await?.refused())
}

/// Inbound: what the policy says about `actor` and its server, read in one
/// statement (see [`Store::get_sender_verdict`]).
pub async fn sender_verdict(store: &Store, actor: &Url) -> Result<SenderVerdict, StoreError> {
    store
        .get_sender_verdict(actor.as_str(), &authority(actor))
        .await
}

/// Inbound, as an activity's processing begins: [`sender_verdict`] and the
/// agencies here that block `actor`, in the same one statement (see
/// [`Store::get_sender_standing`]).
pub async fn sender_standing(
    store: &Store,
    actor: &Url,
) -> Result<(SenderVerdict, Vec<i64>), StoreError> {
    store
        .get_sender_standing(actor.as_str(), &authority(actor))
        .await
}

/// Outbound (and fetches): whether the server of `url` is refused.
pub async fn refuses_host(store: &Store, url: &Url) -> Result<bool, StoreError> {
    Ok(store.get_host_verdict(&authority(url)).await? == Verdict::Refused)
}

/// The audit details of a new actor block made by hand.
pub fn block_reason(reason: Option<&str>) -> serde_json::Value {
    json!({ "reason": reason })
}
