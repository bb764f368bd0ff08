//! What one turn of deliveries to a host reads once instead of once per
//! delivery: the host's federation policy and signature style, and the
//! signing agencies' rows. A turn lasts at most a few seconds
//! (`pool::HOST_TURN`), so a change made meanwhile (a new policy, a
//! rotated key) counts from the host's next turn.
//!
//! The turns started from one claim share more ([`ClaimReads`]): the
//! policy verdicts and signature styles of all the claim's hosts, read in
//! one go, and the agency and instance rows. A fan-out to a thousand hosts
//! has a thousand turns of one delivery each, so per-turn reads alone were
//! four statements per delivery. Every turn of a claim starts within
//! moments of it and ends within `pool::HOST_TURN` (plus one request), so
//! what they share is no staler than what one turn keeps for itself.

use super::send::{SignatureStyle, choose_style};
use crate::{context::Data, error::FedError};
use deling_store::queries::{host::HostStanding, policy::Verdict};
use deling_store::records::{Agency, Instance};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// The reads of one turn; [`Default`] for a fresh one that reads
/// everything itself, [`TurnCache::for_claim`] for one of a claim's turns.
#[derive(Debug, Default)]
pub struct TurnCache {
    /// Whether the federation policy refuses the host.
    pub(super) refused: Option<bool>,
    /// The style to sign with first, and whether the store says so.
    pub(super) style: Option<(SignatureStyle, bool)>,
    agencies: HashMap<i64, Option<Agency>>,
    instance: Option<Instance>,
    /// What the turns of the same claim share.
    claim: Option<Arc<ClaimReads>>,
}

/// What the turns started from one claim read once for all of them.
#[derive(Debug, Default)]
pub(super) struct ClaimReads {
    /// Per host: whether the federation policy refuses it.
    refused: HashMap<String, bool>,
    /// Per host that has one: the signature style it took and when.
    styles: HashMap<String, (String, chrono::DateTime<chrono::Utc>)>,
    /// Per host with delivery history: how it stands.
    standings: HashMap<String, HostStanding>,
    /// Whether `refused` and `styles` were read (else each turn reads its
    /// host's itself).
    loaded: bool,
    agencies: Mutex<HashMap<i64, Option<Agency>>>,
    instance: Mutex<Option<Instance>>,
}

impl ClaimReads {
    /// The verdicts, signature styles and standings of `hosts`, in four
    /// reads; on a failure, nothing (each turn then reads its own host's,
    /// as alone, and every host counts as answering).
    pub(super) async fn load(hosts: &[String], data: &Data) -> Arc<Self> {
        let read = async {
            let verdicts = data.store.get_host_verdicts(hosts).await?;
            let styles = data.store.get_host_signature_styles(hosts).await?;
            let standings = data.store.get_host_standings(hosts).await?;
            Ok::<_, FedError>((verdicts, styles, standings))
        };
        match read.await {
            Ok((verdicts, styles, standings)) => Arc::new(Self {
                refused: hosts
                    .iter()
                    .cloned()
                    .zip(verdicts.into_iter().map(|v| v == Verdict::Refused))
                    .collect(),
                styles,
                standings,
                loaded: true,
                ..Self::default()
            }),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the claimed hosts' policy and signature styles");
                Arc::default()
            }
        }
    }
}

impl ClaimReads {
    /// Whether `host`'s last delivery was taken (every host, when the
    /// claim's reads failed: nothing is held back on a guess).
    pub(super) fn answering(&self, host: &str) -> bool {
        !self.loaded
            || self
                .standings
                .get(host)
                .copied()
                .unwrap_or(HostStanding::Unknown)
                == HostStanding::Answering
    }
}

impl TurnCache {
    /// The cache of a turn to `host` started from a claim whose shared
    /// reads are `claim`.
    pub(super) fn for_claim(claim: &Arc<ClaimReads>, host: &str) -> Self {
        let mut cache = Self {
            claim: Some(claim.clone()),
            ..Self::default()
        };
        if claim.loaded {
            cache.refused = claim.refused.get(host).copied();
            cache.style = Some(choose_style(
                claim.styles.get(host).cloned(),
                chrono::Utc::now(),
            ));
        }
        cache
    }

    /// The agency `id` (`None` if it is gone), read once per turn (once
    /// per claim for a claim's turns).
    pub(super) async fn agency(
        &mut self,
        id: i64,
        data: &Data,
    ) -> Result<Option<&mut Agency>, FedError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.agencies.entry(id) {
            let shared = self.claim.as_ref().and_then(|c| {
                c.agencies
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&id)
                    .cloned()
            });
            let agency = match shared {
                Some(agency) => agency,
                None => {
                    let agency = data.store.get_agency(id).await?;
                    if let Some(c) = &self.claim {
                        c.agencies
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(id, agency.clone());
                    }
                    agency
                }
            };
            slot.insert(agency);
        }
        Ok(self.agencies.get_mut(&id).and_then(Option::as_mut))
    }

    /// The instance row, read once per turn (once per claim for a claim's
    /// turns).
    pub(super) async fn instance(&mut self, data: &Data) -> Result<Option<&Instance>, FedError> {
        if self.instance.is_none() {
            let shared = self
                .claim
                .as_ref()
                .and_then(|c| c.instance.lock().unwrap_or_else(|e| e.into_inner()).clone());
            self.instance = match shared {
                Some(instance) => Some(instance),
                None => {
                    let instance = data.store.get_instance().await?;
                    if let (Some(c), Some(i)) = (&self.claim, &instance) {
                        *c.instance.lock().unwrap_or_else(|e| e.into_inner()) = Some(i.clone());
                    }
                    instance
                }
            };
        }
        Ok(self.instance.as_ref())
    }
}
