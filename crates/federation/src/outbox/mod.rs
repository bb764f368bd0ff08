//! Outgoing activities. Every activity this server sends starts as an
//! outbox event, written by the store in the transaction of the change it
//! reports (`deling_store::queries::outbox`); the fan-out worker hands each
//! event to [`deliveries_for`], whose one `match` over its
//! [`OutboxKind`] picks the builder. A builder turns the event into the
//! activity, from the `protocol` types, and its audience (the inboxes);
//! the same builder serves the activity where it is served over HTTP
//! (`GET /items/{id}/create`, `GET /shares/{id}`).
//!
//! One module per subject: `item` (Create, Update, Delete of a `Page`, and
//! pins as Add/Remove), `comment` (Create, Update, Delete of a `Note`),
//! `share` (Announce and its Undo), `message` (an answer in the staff
//! inbox), `agency` (Update, key-rotation Update, Delete, Move of the
//! actor), `follow` (Follow, its Undo, the Accept of a follower's
//! Follow) and `flag` (a report of a remote comment). Adding an outgoing activity is one [`OutboxKind`] variant, a
//! store function that writes it with its change, and one builder here.

pub mod agency;
mod comment;
mod flag;
mod follow;
pub mod item;
mod message;
pub mod share;

use crate::{context::Data, error::FedError, protocol::context::with_context, urls::authority};
use deling_store::{
    queries::{
        delivery::NewDelivery,
        host::HostStanding,
        outbox::{OutboxEvent, OutboxKind},
    },
    records::Agency,
};
use serde::Serialize;
use serde_json::Value;
use url::Url;

/// An activity and the inboxes it goes to.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The activity, without `@context`.
    pub activity: Value,
    /// Where it goes; repeated ones are sent once.
    pub inboxes: Vec<String>,
    /// Signed by the instance actor rather than the event's agency.
    pub by_instance: bool,
}

impl Outgoing {
    /// `activity` for `inboxes`.
    pub fn new(activity: &impl Serialize, inboxes: Vec<String>) -> Result<Self, FedError> {
        let activity = serde_json::to_value(activity)
            .map_err(|e| FedError::Refused(format!("an activity does not serialize: {e}")))?;
        Ok(Self {
            activity,
            inboxes,
            by_instance: false,
        })
    }

    /// `activity` for `inboxes`, from (and signed by) the instance actor.
    pub fn by_instance(activity: &impl Serialize, inboxes: Vec<String>) -> Result<Self, FedError> {
        Ok(Self {
            by_instance: true,
            ..Self::new(activity, inboxes)?
        })
    }
}

/// What a builder hands back: nothing when the event's subject is gone.
type Built = Result<Vec<Outgoing>, FedError>;

/// The deliveries an event calls for (none if its subject is gone).
pub async fn deliveries_for(
    event: &OutboxEvent,
    data: &Data,
) -> Result<Vec<NewDelivery>, FedError> {
    let Some(agency_id) = event.agency_id else {
        return Ok(vec![]);
    };
    let Some(agency) = data.store.get_agency(agency_id).await? else {
        return Ok(vec![]);
    };
    // A withdrawn agency says nothing more than Deletes, even what it
    // queued just before: its own, and those of its items and comments
    // queued before it was withdrawn.
    if agency.deleted_at.is_some()
        && !matches!(
            event.kind,
            OutboxKind::AgencyDelete | OutboxKind::ItemDelete | OutboxKind::CommentDelete
        )
    {
        return Ok(vec![]);
    }
    let (e, a) = (event, &agency);
    let built = match event.kind {
        OutboxKind::ItemCreate => item::create(e, a, data).await?,
        OutboxKind::ItemUpdate => item::update(e, a, data).await?,
        OutboxKind::ItemDelete => item::delete(e, a, data).await?,
        OutboxKind::ItemPin => item::pin(e, a, data).await?,
        OutboxKind::ItemUnpin => item::unpin(e, a, data).await?,
        OutboxKind::CommentCreate => comment::create(e, a, data).await?,
        OutboxKind::CommentUpdate => comment::update(e, a, data).await?,
        OutboxKind::CommentDelete => comment::delete(e, a, data).await?,
        OutboxKind::ShareCreate => share::create(e, a, data).await?,
        OutboxKind::ShareUndo => share::undo(e, a, data).await?,
        OutboxKind::MessageCreate => message::create(e, a, data).await?,
        OutboxKind::AgencyUpdate => agency::update(e, a, data).await?,
        OutboxKind::AgencyKeyRotate => agency::key_update(e, a, data).await?,
        OutboxKind::AgencyDelete => agency::delete(e, a, data).await?,
        OutboxKind::AgencyMove => agency::move_to(e, a, data).await?,
        OutboxKind::Follow => follow::follow(e, a, data)?,
        OutboxKind::FollowUndo => follow::undo(e, a, data)?,
        OutboxKind::FollowAccept => follow::accept(e, a, data)?,
        OutboxKind::FollowReject => follow::reject(e, a, data)?,
        OutboxKind::CommentFlag => flag::comment(e, data)?,
    };
    let mut out = Vec::new();
    for o in built {
        let signer = (!o.by_instance).then_some(agency_id);
        out.extend(allowed_deliveries(data, &o.activity, signer, o.inboxes).await?);
    }
    Ok(out)
}

/// The inboxes (shared where they have one) of `agency`'s followers.
async fn followers(agency: &Agency, data: &Data) -> Result<Vec<String>, FedError> {
    Ok(data.store.list_follower_inboxes(agency.id).await?)
}

/// A stored id as a URL; an unreadable one leaves the activity unbuilt
/// (logged), as a missing subject does.
fn stored_url(s: &str, event: &OutboxEvent) -> Option<Url> {
    match Url::parse(s) {
        Ok(u) => Some(u),
        Err(e) => {
            tracing::warn!(event = event.id, kind = ?event.kind, value = s, error = %e,
                "an outbox event names something that is not a URL");
            None
        }
    }
}

/// One delivery per distinct inbox, signed by `agency_id` (or the instance
/// actor), except to blocked domains (and, in
/// allow-list mode, to any domain not allowed). The policy is read once
/// for all the inboxes' hosts, not once per inbox.
///
/// The inboxes go in the order their hosts stand: those whose last
/// delivery was taken first, then those never delivered to, then those
/// failing, each group in followers' order. Deliveries are claimed in the
/// order they are queued, so the followers known to answer are not kept
/// waiting while the worker signs for, and opens connections to, hosts
/// that may never answer (in the fan-out benchmark, a tenth of the hosts
/// silent and a tenth slow cost the others about a fifth of their rate).
/// This orders one activity's deliveries only: a later activity's still
/// come after all of them.
async fn allowed_deliveries(
    data: &Data,
    activity: &Value,
    agency_id: Option<i64>,
    inboxes: Vec<String>,
) -> Result<Vec<NewDelivery>, FedError> {
    // An inbox that is not a URL gets no delivery either way.
    let parsed: Vec<(String, String)> = inboxes
        .into_iter()
        .filter_map(|inbox| {
            let host = authority(&Url::parse(&inbox).ok()?);
            Some((inbox, host))
        })
        .collect();
    let hosts: Vec<&str> = parsed.iter().map(|(_, h)| h.as_str()).collect();
    let verdicts = data.store.get_host_verdicts(&hosts).await?;
    let mut allowed: Vec<(String, String)> = parsed
        .into_iter()
        .zip(verdicts)
        .filter(|(_, v)| *v != deling_store::queries::policy::Verdict::Refused)
        .map(|(inbox_host, _)| inbox_host)
        .collect();
    if allowed.len() > 1 {
        let mut hosts: Vec<&str> = allowed.iter().map(|(_, h)| h.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        let standings = data.store.get_host_standings(&hosts).await?;
        let standing = |host: &str| {
            standings
                .get(host)
                .copied()
                .unwrap_or(HostStanding::Unknown)
        };
        // Stable: followers' order within each standing.
        allowed.sort_by_cached_key(|(_, host)| standing(host));
    }
    let allowed: Vec<String> = allowed.into_iter().map(|(inbox, _)| inbox).collect();
    Ok(deliveries(activity, agency_id, &allowed))
}

/// One delivery per distinct inbox of `activity` (already a JSON object
/// without `@context`), signed by `agency_id` (or the instance actor).
fn deliveries(activity: &Value, agency_id: Option<i64>, inboxes: &[String]) -> Vec<NewDelivery> {
    let id = activity
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let body = with_context(activity).to_string();
    let mut seen: std::collections::HashSet<&String> = std::collections::HashSet::new();
    inboxes
        .iter()
        .filter(|i| seen.insert(*i))
        .filter_map(|inbox| {
            let url = Url::parse(inbox).ok()?;
            Some(NewDelivery {
                activity_id: id.clone(),
                agency_id,
                host: authority(&url),
                inbox: inbox.clone(),
                body: body.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
