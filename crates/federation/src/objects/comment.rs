//! Local comments as `Note` objects, addressed so that whoever they answer
//! sees them: the item's owner and the author of the comment replied to
//! are mentioned and delivered to, as Mastodon expects for notifications.

use crate::{
    Urls,
    error::FedError,
    protocol::{
        PUBLIC,
        note::{Mention, NoteJson},
    },
};
use deling_store::{
    Store,
    queries::comment::CommentState,
    records::{Comment, CommentAuthor, Item, ItemOwner, handle_of},
};
use url::Url;

/// A local comment as a `Note` with its recipients' inboxes; `None` for a
/// remote author's comment, which its own server serves.
pub async fn comment_note(
    store: &Store,
    urls: &Urls,
    comment: &Comment,
    item: &Item,
) -> Result<Option<(NoteJson, Vec<String>)>, FedError> {
    let CommentAuthor::Agency { slug, .. } = &comment.author else {
        return Ok(None);
    };
    let mut mentioned = Vec::new();
    // The parent whatever has become of it (deleted, hidden, narrowed by
    // its author): the reply answers it still, and an edit or a Delete of
    // the reply must go where its Create went. Only the parent's id and
    // author are read, never its content.
    let in_reply_to = match comment.in_reply_to_id {
        Some(p) => match store.get_comment_any(p).await? {
            Some(CommentState {
                comment: parent, ..
            }) => {
                if let CommentAuthor::Remote { ap_id, .. } = &parent.author {
                    mentioned.push(ap_id.clone());
                }
                parent
                    .ap_id
                    .clone()
                    .unwrap_or_else(|| urls.comment(parent.id).to_string())
            }
            None => item
                .ap_id
                .clone()
                .unwrap_or_else(|| urls.item(item.id).to_string()),
        },
        None => item
            .ap_id
            .clone()
            .unwrap_or_else(|| urls.item(item.id).to_string()),
    };
    if let ItemOwner::Remote { ap_id, .. } = &item.owner {
        mentioned.push(ap_id.clone());
    }
    mentioned.sort();
    mentioned.dedup();
    let mut mentions = Vec::new();
    let mut inboxes = Vec::new();
    for ap_id in &mentioned {
        let Some(actor) = store.get_remote_actor_by_ap_id(ap_id).await? else {
            continue;
        };
        let Ok(href) = Url::parse(&actor.ap_id) else {
            continue;
        };
        mentions.push(Mention {
            kind: "Mention".into(),
            name: handle_of(&actor).unwrap_or_else(|| actor.ap_id.clone()),
            href,
        });
        inboxes.push(
            actor
                .shared_inbox
                .clone()
                .unwrap_or_else(|| actor.inbox.clone()),
        );
    }
    let in_reply_to = Url::parse(&in_reply_to).map_err(|e| FedError::Refused(e.to_string()))?;
    let mut cc = vec![urls.agency_followers(slug)];
    cc.extend(mentions.iter().map(|m| m.href.clone()));
    let public = Url::parse(PUBLIC).map_err(|e| FedError::Refused(e.to_string()))?;
    mentions.extend(hashtag_tags(urls, &comment.content_html));
    let note = NoteJson {
        kind: "Note".into(),
        id: urls.comment(comment.id),
        attributed_to: urls.agency(slug),
        in_reply_to,
        content: comment.content_html.clone(),
        to: vec![public],
        cc,
        tag: mentions,
        published: Some(comment.published_at),
        updated: comment.updated_at,
    };
    Ok(Some((note, inboxes)))
}

/// `Hashtag` tags for the hashtags a post's HTML names, as Mastodon needs
/// them to index the post under each tag.
pub fn hashtag_tags(urls: &Urls, html: &str) -> Vec<Mention> {
    deling_domain::post::hashtags(&deling_domain::markdown::plain_text(html))
        .iter()
        .map(|t| Mention {
            kind: "Hashtag".into(),
            href: urls.tag(t.as_str()),
            name: format!("#{}", t.as_str()),
        })
        .collect()
}
