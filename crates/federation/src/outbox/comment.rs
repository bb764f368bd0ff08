//! A local agency's comments: the `Create`, `Update` and `Delete` of its
//! `Note`, to the agency's followers and to those the comment answers
//! (the item's owner and the author of the comment replied to).

use super::{Built, Outgoing, followers};
use crate::{
    context::Data,
    objects::comment::comment_note,
    protocol::{
        activity::{ActivityType, ObjectActivity},
        context::Tombstone,
        public,
    },
};
use deling_store::{
    queries::{comment::CommentState, outbox::OutboxEvent},
    records::Agency,
};

/// A comment written: the `Create` of its `Note`, `published` when the
/// comment was.
pub(super) async fn create(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    created_or_updated(Change::Created, event, agency, data).await
}

/// A comment edited: an `Update` of its `Note`, `published` when it was
/// edited.
pub(super) async fn update(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    created_or_updated(Change::Updated, event, agency, data).await
}

/// What happened to the comment.
#[derive(Clone, Copy)]
enum Change {
    Created,
    Updated,
}

/// The comment as it is now; nothing once it is deleted or hidden.
async fn created_or_updated(
    change: Change,
    event: &OutboxEvent,
    agency: &Agency,
    data: &Data,
) -> Built {
    let Some(comment_id) = event.comment_id else {
        return Ok(vec![]);
    };
    let Some((comment, item)) = data.store.get_comment(comment_id).await? else {
        return Ok(vec![]);
    };
    let urls = &data.urls;
    let Some((note, answered)) = comment_note(&data.store, urls, &comment, &item).await? else {
        return Ok(vec![]);
    };
    let (kind, id, published) = match change {
        Change::Created => (
            ActivityType::Create,
            urls.comment_create(comment.id),
            Some(comment.published_at),
        ),
        Change::Updated => (
            ActivityType::Update,
            urls.comment_update(comment.id, event.id),
            comment.updated_at,
        ),
    };
    let activity = ObjectActivity {
        kind,
        id,
        actor: urls.agency(&agency.slug),
        to: vec![public()],
        cc: note.cc.clone(),
        object: note,
        published,
    };
    let mut inboxes = followers(agency, data).await?;
    inboxes.extend(answered);
    Ok(vec![Outgoing::new(&activity, inboxes)?])
}

/// A comment deleted: its `Delete`, naming its `Tombstone`, to everyone
/// its `Create` went to.
pub(super) async fn delete(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some(comment_id) = event.comment_id else {
        return Ok(vec![]);
    };
    let Some(CommentState { comment, item, .. }) = data.store.get_comment_any(comment_id).await?
    else {
        return Ok(vec![]);
    };
    let urls = &data.urls;
    // The same audience as the Create: followers, the item's owner and the
    // author answered.
    let Some((note, answered)) = comment_note(&data.store, urls, &comment, &item).await? else {
        return Ok(vec![]);
    };
    let activity = ObjectActivity {
        kind: ActivityType::Delete,
        id: urls.comment_delete(comment.id),
        actor: urls.agency(&agency.slug),
        object: Tombstone::new(urls.comment(comment.id), "Note"),
        to: vec![public()],
        cc: note.cc,
        published: None,
    };
    let mut inboxes = followers(agency, data).await?;
    inboxes.extend(answered);
    Ok(vec![Outgoing::new(&activity, inboxes)?])
}
