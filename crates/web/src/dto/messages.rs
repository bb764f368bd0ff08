//! An agency's staff inbox: messages and answers.

use super::ActorRef;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use deling_store::records::Agency;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A message in an agency's staff inbox (or the agency's answer to one).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    /// Local id.
    pub id: i64,
    /// `in` for a received message, `out` for the agency's answer.
    pub direction: &'static str,
    /// ActivityPub id.
    pub ap_id: String,
    /// Who wrote it: the remote author, or the agency.
    pub author: ActorRef,
    /// `public`, `unlisted`, `followers` (the author's followers and those
    /// named) or `direct` (only those named).
    pub visibility: String,
    /// The author's content warning: show it, and the text only on request.
    pub content_warning: Option<String>,
    /// Marked sensitive by its author.
    pub sensitive: bool,
    /// Sanitised HTML.
    pub content_html: String,
    /// Language.
    pub language: Option<String>,
    /// What it answers (an ActivityPub id), if anything.
    pub in_reply_to: Option<String>,
    /// The message here it answers, if any.
    pub in_reply_to_message_id: Option<i64>,
    /// The item it concerns, if it replies to one.
    pub item_id: Option<i64>,
    /// Primary addressees.
    pub to: Vec<String>,
    /// Secondary addressees.
    pub cc: Vec<String>,
    /// Written.
    pub published: DateTime<Utc>,
    /// Edited.
    pub updated: Option<DateTime<Utc>>,
    /// Held for the agency's staff to release, because its author's host
    /// is silenced: listed only with `held=true`, not counted, and not
    /// answered until released.
    pub held: bool,
}

impl MessageView {
    /// Shapes a stored message of agency `agency` (slug and name).
    pub fn new(
        state: &AppState,
        agency: &Agency,
        m: deling_store::queries::message::Message,
    ) -> Self {
        let (direction, ap_id, author) = match m.author {
            Some(a) => (
                "in",
                m.ap_id.unwrap_or_default(),
                ActorRef::remote(a.ap_id, a.handle, a.name),
            ),
            None => (
                "out",
                state.urls.message(m.id).to_string(),
                ActorRef::local(state, agency),
            ),
        };
        Self {
            id: m.id,
            direction,
            ap_id,
            author,
            visibility: m.visibility.as_str().to_owned(),
            content_warning: m.content_warning,
            sensitive: m.sensitive,
            content_html: m.content_html,
            language: m.language,
            in_reply_to: m.in_reply_to,
            in_reply_to_message_id: m.in_reply_to_message_id,
            item_id: m.item_id,
            to: m.addressed.to,
            cc: m.addressed.cc,
            published: m.published_at,
            updated: m.updated_at,
            held: m.held,
        }
    }
}

/// A page of an agency's staff inbox, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessagePage {
    /// The messages.
    pub messages: Vec<MessageView>,
    /// The query for the next (older) page, if there may be one.
    pub next: Option<String>,
}

/// Body of `POST /api/v1/agencies/{slug}/messages/{id}/replies`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageReplyBody {
    /// The answer, Markdown.
    pub body: String,
}
