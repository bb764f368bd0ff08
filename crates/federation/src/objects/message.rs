//! An agency's answer to a message in its staff inbox, as a `Note`
//! addressed as the message answered was: a direct message is answered
//! directly, a followers-only one to the agency's followers and the
//! author, never to the public.

use crate::{
    Urls,
    error::FedError,
    protocol::{
        PUBLIC,
        note::{Mention, NoteJson},
    },
};
use deling_domain::audience::Visibility;
use deling_store::{
    Store,
    queries::message::{Addressed, Message},
};
use url::Url;

fn parse(s: &str) -> Result<Url, FedError> {
    Url::parse(s).map_err(|e| FedError::Refused(format!("{s}: {e}")))
}

/// Who an agency's answer to `parent` goes to: the same degree of
/// visibility, with the author of `parent` addressed (as Mastodon
/// addresses a reply's mentions) so that it reaches them.
pub fn answer_audience(urls: &Urls, slug: &str, parent: &Message) -> Result<Addressed, FedError> {
    let author = parent
        .author
        .as_ref()
        .ok_or_else(|| FedError::Refused("only received messages are answered".into()))?
        .ap_id
        .clone();
    let followers = urls.agency_followers(slug).to_string();
    let public = PUBLIC.to_owned();
    let (to, cc) = match parent.visibility {
        Visibility::Public => (vec![public], vec![followers, author]),
        Visibility::Unlisted => (vec![followers], vec![public, author]),
        Visibility::Followers => (vec![followers], vec![author]),
        Visibility::Direct => (vec![author], vec![]),
    };
    Ok(Addressed { to, cc })
}

/// An agency's answer as a `Note` and the inboxes of those it mentions;
/// `None` for a received message (its author's server serves it) or one
/// whose message answered is gone.
pub async fn message_note(
    store: &Store,
    urls: &Urls,
    slug: &str,
    m: &Message,
) -> Result<Option<(NoteJson, Vec<String>)>, FedError> {
    if m.author.is_some() {
        return Ok(None);
    }
    let (Some(in_reply_to), Some(parent_id)) = (&m.in_reply_to, m.in_reply_to_message_id) else {
        return Ok(None);
    };
    let Some(parent) = store.get_message(parent_id).await? else {
        return Ok(None);
    };
    let Some(author) = parent.author else {
        return Ok(None);
    };
    let href = parse(&author.ap_id)?;
    let note = NoteJson {
        kind: "Note".into(),
        id: urls.message(m.id),
        attributed_to: urls.agency(slug),
        in_reply_to: parse(in_reply_to)?,
        content: m.content_html.clone(),
        to: m
            .addressed
            .to
            .iter()
            .map(|a| parse(a))
            .collect::<Result<_, _>>()?,
        cc: m
            .addressed
            .cc
            .iter()
            .map(|a| parse(a))
            .collect::<Result<_, _>>()?,
        tag: std::iter::once(Mention {
            kind: "Mention".into(),
            name: author
                .handle
                .clone()
                .unwrap_or_else(|| author.ap_id.clone()),
            href,
        })
        .chain(super::comment::hashtag_tags(urls, &m.content_html))
        .collect(),
        published: Some(m.published_at),
        updated: m.updated_at,
    };
    Ok(Some((note, vec![author.inbox])))
}
