//! Reports: a `Flag` of a remote comment, to its author's server, whose
//! moderators judge it (Mastodon files it as a report of the account with
//! the status attached). From the instance actor, as Mastodon sends its
//! own, so the other server sees which server reported, not which person.

use super::{Built, Outgoing, stored_url};
use crate::{
    context::Data,
    protocol::activity::{ActivityType, Flag},
};
use deling_store::queries::outbox::{FlagSent, OutboxEvent};

/// Staff reported a remote comment on one of their agency's items.
pub(super) fn comment(event: &OutboxEvent, data: &Data) -> Built {
    let Some(sent) = event.payload::<FlagSent>() else {
        return Ok(vec![]);
    };
    let (Some(id), Some(author), Some(comment)) = (
        stored_url(&sent.flag_id, event),
        stored_url(&sent.author, event),
        stored_url(&sent.comment, event),
    ) else {
        return Ok(vec![]);
    };
    let activity = Flag {
        kind: ActivityType::Flag,
        id,
        actor: data.urls.instance_actor(),
        content: sent.content,
        object: vec![author.clone(), comment],
        to: vec![author],
    };
    Ok(vec![Outgoing::by_instance(&activity, vec![sent.inbox])?])
}
