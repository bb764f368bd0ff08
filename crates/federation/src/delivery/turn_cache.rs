//! What one turn of deliveries to a host reads once instead of once per
//! delivery: the host's federation policy and signature style, each
//! inbox's address check, and the signing agencies' rows. A turn lasts at
//! most a few seconds (`pool::HOST_TURN`), so a change made meanwhile (a
//! new policy, a rotated key) counts from the host's next turn.

use super::send::SignatureStyle;
use crate::{context::Data, error::FedError};
use deling_store::records::{Agency, Instance};
use std::collections::HashMap;

/// The reads of one turn; [`Default`] for a fresh one.
#[derive(Debug, Default)]
pub struct TurnCache {
    /// Whether the federation policy refuses the host.
    pub(super) refused: Option<bool>,
    /// The style to sign with first, and whether the store says so.
    pub(super) style: Option<(SignatureStyle, bool)>,
    /// Each inbox's address check (`Err` says why it is refused).
    pub(super) targets: HashMap<String, Result<(), String>>,
    agencies: HashMap<i64, Option<Agency>>,
    instance: Option<Instance>,
}

impl TurnCache {
    /// The agency `id` (`None` if it is gone), read once per turn.
    pub(super) async fn agency(
        &mut self,
        id: i64,
        data: &Data,
    ) -> Result<Option<&mut Agency>, FedError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.agencies.entry(id) {
            slot.insert(data.store.get_agency(id).await?);
        }
        Ok(self.agencies.get_mut(&id).and_then(Option::as_mut))
    }

    /// The instance row, read once per turn.
    pub(super) async fn instance(&mut self, data: &Data) -> Result<Option<&Instance>, FedError> {
        if self.instance.is_none() {
            self.instance = data.store.get_instance().await?;
        }
        Ok(self.instance.as_ref())
    }
}
