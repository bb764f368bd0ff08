//! From a stored activity to the module that handles its type.
//!
//! `TABLE` names every activity type we act on and its struct (each in
//! its own module of `inbox::activities`); any other type is acknowledged
//! and ignored (and, since [`handles`] says so as it arrives, not even
//! stored). Adding an inbound activity is one new module there and
//! one line here.

use super::{
    activities::{
        accept, announce, create_or_update, delete, flag, follow, like, moving, reject, undo,
    },
    inbound::{Inbound, Received},
};
use crate::{
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
    protocol::incoming::Activity,
};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::{fmt, future::Future, pin::Pin};

/// Reads an activity into its type's struct and runs its checks and
/// effect (see [`handle`]).
type Handler =
    for<'a> fn(Received<'a>) -> Pin<Box<dyn Future<Output = Result<(), FedError>> + Send + 'a>>;

/// The dispatch table: each activity type we act on, and its struct.
/// Create and Update are one thing (an object, new or changed), handled
/// by one module.
const TABLE: &[(&str, Handler)] = &[
    ("Follow", handle::<follow::Follow>),
    ("Undo", handle::<undo::Undo>),
    ("Accept", handle::<accept::Accept>),
    ("Reject", handle::<reject::Reject>),
    ("Create", handle::<create_or_update::CreateOrUpdate>),
    ("Update", handle::<create_or_update::CreateOrUpdate>),
    ("Delete", handle::<delete::Delete>),
    ("Like", handle::<like::Like>),
    ("Announce", handle::<announce::Announce>),
    ("Flag", handle::<flag::Flag>),
    ("Move", handle::<moving::Move>),
];

/// Whether activities of type `kind` are acted on. Any other type is
/// acknowledged and dropped as it arrives, never stored: holding what
/// nothing reads would let a peer fill the disk (see
/// [`crate::inbox::accept_delivery`]).
pub fn handles(kind: &str) -> bool {
    TABLE.iter().any(|(k, _)| *k == kind)
}

/// The handler of type `A`: reads its struct from the stored activity (a
/// shape it cannot read is refused), checks it, and applies it.
fn handle<A: Inbound>(
    ctx: Received<'_>,
) -> Pin<Box<dyn Future<Output = Result<(), FedError>> + Send + '_>> {
    Box::pin(async move {
        let activity = A::deserialize(ctx.raw)
            .map_err(|e| FedError::Refused(format!("unsupported shape: {e}")))?;
        activity.verify(&ctx).await?;
        activity.receive(&ctx).await
    })
}

/// A stored activity as the dispatcher first reads it.
#[derive(Debug)]
pub enum Incoming {
    /// A type in the dispatch table.
    Handled(Box<Handled>),
    /// Any other type: acknowledged and ignored.
    Other,
}

/// An activity of a type we act on, with what every such activity names.
pub struct Handled {
    /// Its type.
    pub kind: &'static str,
    /// Its id, actor and object.
    pub activity: Activity,
    handler: Handler,
}

impl fmt::Debug for Handled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handled")
            .field("kind", &self.kind)
            .field("activity", &self.activity)
            .finish_non_exhaustive()
    }
}

impl Incoming {
    /// Reads an activity: its `type` (a string, or the shape is refused)
    /// and, for a type in the table, its id, actor and object.
    pub fn read(value: &Value) -> Result<Self, serde_json::Error> {
        let kind = match value.get("type") {
            Some(Value::String(kind)) => kind,
            Some(_) => return Err(serde::de::Error::custom("`type` is not a string")),
            None => return Err(serde::de::Error::missing_field("type")),
        };
        let Some((kind, handler)) = TABLE.iter().find(|(k, _)| k == kind) else {
            return Ok(Self::Other);
        };
        Ok(Self::Handled(Box::new(Handled {
            kind,
            activity: Activity::deserialize(value)?,
            handler: *handler,
        })))
    }
}

impl<'de> Deserialize<'de> for Incoming {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::read(&Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Processes one stored activity: reads it, drops it if its actor is
/// blocked now or gone, and hands it to its type's module.
pub async fn process(body: &str, data: &Data) -> Result<(), FedError> {
    let value: Value = serde_json::from_str(body)?;
    let handled = match Incoming::read(&value) {
        Ok(Incoming::Handled(handled)) => handled,
        Ok(Incoming::Other) => return Ok(()),
        Err(e) => return refuse(format!("unsupported shape: {e}")),
    };
    let actor_id = &handled.activity.actor;
    // Read afresh (never from the memo the request used): blocked after
    // the activity was stored, it is dropped now.
    let (policy, blockers) = crate::policy::sender_standing(&data.store, actor_id).await?;
    if policy.refused() {
        return Ok(());
    }
    let Some(row) = data
        .store
        .get_remote_actor_by_ap_id(actor_id.as_str())
        .await?
    else {
        // The actor deleted itself meanwhile: nothing left to act for.
        return Ok(());
    };
    let actor = DbRemoteActor::new(row)?;
    (handled.handler)(Received {
        actor: &actor,
        raw: &value,
        data,
        host_verdict: policy.host,
        blockers: &blockers,
    })
    .await
}
