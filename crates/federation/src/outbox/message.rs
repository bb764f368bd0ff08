//! An agency's answer to a message in its staff inbox: the `Create` of its
//! `Note`, addressed as the message answered was. A direct answer goes to
//! its author alone, never to the followers.

use super::{Built, Outgoing, followers};
use crate::{
    context::Data,
    objects::message::message_note,
    protocol::activity::{ActivityType, ObjectActivity},
};
use deling_domain::audience::Visibility;
use deling_store::{queries::outbox::OutboxEvent, records::Agency};

/// An answer written.
pub(super) async fn create(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some(message_id) = event.message_id else {
        return Ok(vec![]);
    };
    let Some(m) = data.store.get_message(message_id).await? else {
        return Ok(vec![]);
    };
    let urls = &data.urls;
    let Some((note, mut inboxes)) = message_note(&data.store, urls, &agency.slug, &m).await? else {
        return Ok(vec![]);
    };
    // The followers only where the answer is addressed to them: not when
    // the message answered was narrowed after the answer was written.
    let agency_followers = urls.agency_followers(&agency.slug);
    if m.visibility != Visibility::Direct
        && note
            .to
            .iter()
            .chain(&note.cc)
            .any(|a| *a == agency_followers)
    {
        inboxes.extend(followers(agency, data).await?);
    }
    let activity = ObjectActivity {
        kind: ActivityType::Create,
        id: urls.message_create(m.id),
        actor: urls.agency(&agency.slug),
        to: note.to.clone(),
        cc: note.cc.clone(),
        object: note,
        published: Some(m.published_at),
    };
    Ok(vec![Outgoing::new(&activity, inboxes)?])
}
