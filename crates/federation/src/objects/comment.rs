//! Local comments as `Note` objects.

use crate::{
    Urls,
    protocol::{PUBLIC, note::NoteJson},
};
use deling_store::records::{Comment, CommentAuthor};
use url::Url;

/// A local agency's comment as a `Note`; `None` for a remote author's
/// comment, which is served by its own server.
pub fn comment_note(urls: &Urls, comment: &Comment, in_reply_to: Url) -> Option<NoteJson> {
    let CommentAuthor::Agency { slug, .. } = &comment.author else {
        return None;
    };
    Some(NoteJson {
        kind: "Note".into(),
        id: urls.comment(comment.id),
        attributed_to: urls.agency(slug),
        in_reply_to,
        content: comment.content_html.clone(),
        to: vec![Url::parse(PUBLIC).ok()?],
        cc: vec![urls.agency_followers(slug)],
        published: Some(comment.published_at),
        updated: comment.updated_at,
    })
}
