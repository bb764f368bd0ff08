//! What every inbound activity implements, as Lemmy's activities do
//! (`verify`, then `receive`). Ours are stored when they arrive and
//! processed later by the inbox worker, so the library's `Activity` trait
//! (called inside the request) is not the one: the worker reads a stored
//! activity back, finds its stored actor, and calls these.

use crate::{context::Data, error::FedError, objects::actors::DbRemoteActor};
use deling_store::queries::policy::Verdict;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What an activity is handled with, besides itself.
#[derive(Clone, Copy)]
pub struct Received<'a> {
    /// Its actor, as stored here: it signed the activity (or the
    /// activity's object is checked at its origin) and is not blocked.
    pub actor: &'a DbRemoteActor,
    /// The activity as stored, for a handler that answers with it (an
    /// Accept embeds the Follow it accepts, as it came).
    pub raw: &'a Value,
    /// The federation context.
    pub data: &'a Data,
    /// The policy's verdict on the actor's host, read afresh as this
    /// activity's processing began (it is not `Refused`: such an activity
    /// is dropped before it gets here).
    pub host_verdict: Verdict,
    /// The agencies here that block the actor (usually none), read with
    /// the verdict.
    pub blockers: &'a [i64],
}

/// An activity type we act on: its struct (read from the stored JSON;
/// a shape it cannot read is refused) with its checks and its effect.
/// One module of `inbox::activities` per type, and one line in the
/// dispatch table (`inbox::dispatch`).
#[async_trait::async_trait]
pub trait Inbound: DeserializeOwned + Send + Sync + 'static {
    /// What can be checked from the activity and its actor alone, before
    /// anything is looked up or changed: that the actor may send it, that
    /// it names what it must. A refusal here is final.
    async fn verify(&self, ctx: &Received<'_>) -> Result<(), FedError>;

    /// Its effect: what it changes in the store and what it queues. It
    /// may still refuse when what it names is not here.
    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError>;
}
