//! An agency's answer to a message in its staff inbox, as a `Note`: a
//! public or unlisted message is answered as it came, a followers-only or
//! direct one directly to its author, never to the public or the agency's
//! followers.

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

/// How an agency answers a message of `visibility`: a public or unlisted
/// one as it came, a followers-only or direct one directly to its author.
/// A followers-only post reached the author's followers and the agency,
/// not the agency's followers: an answer to those would tell strangers
/// who wrote to the agency, and often what about (Mastodon would address
/// it to the replier's followers; an agency answering a citizen does not).
pub fn answer_visibility(visibility: Visibility) -> Visibility {
    match visibility {
        Visibility::Followers => Visibility::Direct,
        other => other,
    }
}

/// Who an agency's answer to `parent` goes to: as [`answer_visibility`]
/// says, with the author of `parent` addressed (as Mastodon addresses a
/// reply's mentions) so that it reaches them.
pub fn answer_audience(urls: &Urls, slug: &str, parent: &Message) -> Result<Addressed, FedError> {
    let author = parent
        .author
        .as_ref()
        .ok_or_else(|| FedError::Refused("only received messages are answered".into()))?
        .ap_id
        .clone();
    let followers = urls.agency_followers(slug).to_string();
    let public = PUBLIC.to_owned();
    let (to, cc) = match answer_visibility(parent.visibility) {
        Visibility::Public => (vec![public], vec![followers, author]),
        Visibility::Unlisted => (vec![followers], vec![public, author]),
        Visibility::Followers | Visibility::Direct => (vec![author], vec![]),
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
    // Addressed as written, unless the message answered has been narrowed
    // by its author since: then no wider than an answer to it now goes.
    let addressed = if answer_visibility(parent.visibility).narrower(m.visibility) != m.visibility {
        answer_audience(urls, slug, &parent)?
    } else {
        m.addressed.clone()
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
        to: addressed
            .to
            .iter()
            .map(|a| parse(a))
            .collect::<Result<_, _>>()?,
        cc: addressed
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
