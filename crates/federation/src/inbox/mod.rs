//! The inbox: verify, store, acknowledge; process later from the store.
//!
//! Receiving (this file): [`verify_delivery`] checks the body digest
//! (`Digest`, or `Content-Digest` with an RFC 9421 signature) and the
//! signature against the key of the actor `keyId` names (fetched again
//! once if it does not verify); [`accept_delivery`] checks that the
//! activity's id is on its actor's server (host and port), drops a type
//! nothing acts on, checks that the signer is that actor or the activity
//! is one that can be verified at its origin (a forwarded reply), and
//! stores it, ignoring an id the same signer sent before. A crash after
//! the 202 loses nothing and slow work never holds a peer's request. What
//! receiving reads about the signer (the policy's verdict, its row, its
//! host's health) is memoised for a second (`memo`); the deliveries
//! arriving together are stored in one statement (`batch`).
//!
//! Processing, later, by the worker:
//! - `worker`: the inbox loop that claims stored activities (an actor's in
//!   order, a host's at most half the slots unless the rest are free for
//!   what fetches nothing) and records each outcome;
//! - `dispatch`: the dispatch table, one line per activity type, and
//!   [`process`], which reads what every activity names, applies the
//!   federation policy, finds the stored actor and hands the activity to
//!   its module;
//! - `activities`: one module per activity type, each with its struct,
//!   its checks (`verify`) and its effect (`receive`): Follow in
//!   `follow.rs`, Undo in `undo.rs`, Accept in `accept.rs`, Reject in
//!   `reject.rs`, Create and Update in `create_or_update.rs`, Delete in
//!   `delete.rs`, Like in `like.rs`, Announce in `announce.rs`, Flag in
//!   `flag.rs`, Move in `moving.rs`; the trait they implement is in
//!   `inbound`;
//! - what they share about objects: `note` (a reply or post: a public
//!   comment or a message to an agency's staff), `catalogue` (a peer's
//!   item stored in the federated catalogue), `narrowing` (an object its
//!   author made private: its public copies go, whichever way the new
//!   version is handled), `page` (a peer's `Page`
//!   checked field by field) and `remote` (the policy's verdict on a
//!   peer, objects fetched by id).

pub mod activities;
pub mod batch;
pub mod catalogue;
pub mod dispatch;
pub mod inbound;
pub mod memo;
pub mod narrowing;
pub mod note;
pub mod page;
pub mod remote;
#[cfg(test)]
mod tests;
pub mod worker;

pub use dispatch::{Incoming, process};

use crate::{
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
    signature::{SignedRequest, check_body},
    urls::{authority, same_origin},
};
use activitypub_federation::traits::Object;
use deling_store::queries::inbox::NewInboxActivity;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

/// Any activity, kept whole: only what the signature check needs is parsed
/// before it is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    /// Activity id.
    pub id: Url,
    /// Actor id (an embedded actor is read as its id, and stored so).
    #[serde(deserialize_with = "crate::protocol::incoming::id_or_embedded")]
    pub actor: Url,
    /// Activity type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Everything else, as sent.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A delivery whose HTTP signature verified: the activity, as sent, and
/// the actor that signed it (not necessarily the activity's actor).
#[derive(Debug)]
pub struct SignedDelivery {
    /// The activity.
    pub activity: Envelope,
    /// Who signed the request.
    pub signer: DbRemoteActor,
}

/// Checks a delivery's Digest and signature (see [`crate::signature`]) and
/// reads the activity; nothing is stored yet. What the policy says of the
/// signer, and its row, may come from the memo of the last second
/// ([`memo`]): the worker checks the policy afresh before acting.
pub async fn verify_delivery(
    request: SignedRequest<'_>,
    body: &[u8],
    data: &Data,
) -> Result<SignedDelivery, FedError> {
    check_body(&request, body)?;
    let signer = crate::signature::verify_delivery_signature(request, data).await?;
    let activity: Envelope = serde_json::from_slice(body)?;
    Ok(SignedDelivery { activity, signer })
}

/// Stores a verified delivery before the request is answered: the
/// activity's id must be on its actor's server, and an activity signed by
/// another server than its actor's (a forwarded reply) is only taken in a
/// form that the worker verifies at the object's origin. A type the
/// dispatcher does not act on is acknowledged and not stored.
pub async fn accept_delivery(delivery: SignedDelivery, data: &Data) -> Result<(), FedError> {
    let SignedDelivery {
        mut activity,
        signer,
    } = delivery;
    check_activity_url(&activity.id, data)?;
    same_origin(&activity.id, &activity.actor)?;
    if !dispatch::handles(&activity.kind) {
        ignore(&activity, data);
        return Ok(());
    }
    if signer.id() == &activity.actor {
        // Only a relay's copy is checked at its origin: an actor's own
        // activity cannot claim to be one, to make the worker fetch.
        activity.rest.remove(crate::protocol::incoming::FORWARDED);
    } else {
        take_forwarded(&mut activity, &signer)?;
        // The worker acts for a stored actor: make sure this one is. The
        // relay's request waits on it, so it is held to the bounds of the
        // signer's own fetch.
        crate::signature::ActorFetch::new(data)
            .actor(&activity.actor)
            .await?;
    }
    store(&activity, &signer, data).await
}

/// Acknowledges an activity of a type nothing acts on without storing it:
/// it would only take room (a peer can send any number, of any size up to
/// the body limit) until the worker read and dropped it.
fn ignore(activity: &Envelope, data: &Data) {
    data.metrics.inbox.with_label_values(&["ignored"]).inc();
    tracing::debug!(id = %activity.id, kind = %activity.kind,
        "activity of a type not acted on: acknowledged, not stored");
}

/// Writes the activity's row under its signer; `false` if the signer sent
/// its id before. Ids are unique per signer, not alone: ids are
/// predictable (Mastodon's `…/statuses/1#delete`), and another account on
/// the actor's server, or a relay, must not be able to send an actor's
/// next id first and have the actor's own activity dropped as a repeat.
async fn put_row(
    activity: &Envelope,
    signer: &DbRemoteActor,
    data: &Data,
) -> Result<bool, FedError> {
    let row = NewInboxActivity {
        ap_id: activity.id.to_string(),
        actor: activity.actor.to_string(),
        kind: activity.kind.clone(),
        body: serde_json::to_string(activity)?,
    };
    if signer.id() == &activity.actor {
        // Written with the other deliveries arriving now, in one
        // statement; back once committed.
        Ok(data.inbox_batch.put(&data.store, row).await?)
    } else {
        // Relayed: rare (forwarded replies), so written alone.
        Ok(data
            .store
            .put_inbox_activity_from(&row, signer.id().as_str())
            .await?)
    }
}

/// What activitypub_federation checked of an activity id before: http(s)
/// (plain HTTP only in debug mode) and not one of ours.
fn check_activity_url(id: &Url, data: &Data) -> Result<(), FedError> {
    match id.scheme() {
        "https" => {}
        "http" if data.settings.debug => {}
        _ => return refuse(format!("{id} is not an https URL")),
    }
    if authority(id).eq_ignore_ascii_case(&data.settings.domain) {
        return refuse("the activity claims to come from this server");
    }
    Ok(())
}

/// An activity relayed by another server than its actor's, as Mastodon
/// forwards replies to the followers of the account replied to
/// (`app/lib/activitypub/activity/create.rb`, `forward_for_reply`). The
/// relay's signature says nothing about the activity, so for a Create or
/// Update the embedded object is dropped and only its id kept: the worker
/// then fetches it, signed, from the actor's own server and takes what that
/// server says. Anything else relayed is refused.
fn take_forwarded(activity: &mut Envelope, signer: &DbRemoteActor) -> Result<(), FedError> {
    let unsigned = |why: String| Err(FedError::Unsigned(why));
    if !matches!(activity.kind.as_str(), "Create" | "Update" | "Delete") {
        return unsigned(format!(
            "the request is signed by {}, not by the activity's actor {}; only a \
             Create, Update or Delete is taken from another server, verified at its origin",
            signer.id(),
            activity.actor
        ));
    }
    let object_id = match activity.rest.get("object") {
        Some(Value::String(id)) => id.clone(),
        Some(Value::Object(o)) => match o.get("id") {
            Some(Value::String(id)) => id.clone(),
            _ => return refuse("a forwarded object without an id"),
        },
        _ => return refuse("a forwarded activity without an object"),
    };
    let object_id =
        Url::parse(&object_id).map_err(|_| FedError::Refused("object id is not a URL".into()))?;
    same_origin(&object_id, &activity.actor)?;
    tracing::debug!(activity = %activity.id, relay = %signer.id(),
        "forwarded activity: its object will be fetched from its origin");
    activity
        .rest
        .insert("object".into(), Value::String(object_id.into()));
    // Whatever the relay said: the worker checks a forwarded Delete at the
    // origin (a Create or Update is fetched from there anyway).
    activity.rest.insert(
        crate::protocol::incoming::FORWARDED.into(),
        Value::Bool(true),
    );
    Ok(())
}

/// Stores a verified activity, ignoring an id `signer` sent before. One
/// relayed for another actor is checked against the federation policy for
/// that actor first (the signer passed it in `verify_delivery` a moment
/// ago). The worker checks again when it processes the activity, so a
/// block made in between still drops it.
async fn store(activity: &Envelope, signer: &DbRemoteActor, data: &Data) -> Result<(), FedError> {
    let relayed = signer.id() != &activity.actor;
    if relayed && crate::policy::refuses_sender(&data.store, &activity.actor).await? {
        return Err(FedError::Refused(
            "the actor is blocked on this server".into(),
        ));
    }
    let inserted = put_row(activity, signer, data).await?;
    // Any signed activity from a host shows it is up: deliveries that
    // were waiting out its failures go now. Asked of a read connection
    // first, and remembered for a second (see `memo`): nearly always the
    // host has no failures, and a busy peer sends many activities a
    // second. The signer's host, not the actor's: a relayed activity says
    // nothing of whether its actor's server is up, and any server could
    // otherwise relay one to wipe a failing host's backoff.
    let host = authority(signer.id());
    let failing = match data.inbox_memo.host_failing(&host) {
        Some(failing) => failing,
        None => {
            let at = std::time::Instant::now();
            let failing = data
                .store
                .get_host_state(&host)
                .await?
                .is_some_and(|h| h.consecutive_failures > 0);
            data.inbox_memo.put_host(&host, failing, at);
            failing
        }
    };
    if failing {
        let at = std::time::Instant::now();
        if data.store.put_host_alive(&host).await? {
            data.wake.notify_one();
        }
        data.inbox_memo.put_host(&host, false, at);
    }
    let result = if inserted { "accepted" } else { "duplicate" };
    data.metrics.inbox.with_label_values(&[result]).inc();
    if inserted {
        data.wake.notify_one();
    } else {
        tracing::debug!(id = %activity.id, "repeated activity ignored");
    }
    Ok(())
}
