//! Comments on items: what the API shows, and the bodies that write and
//! edit one.

use super::ActorRef;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use deling_store::records::{Comment, CommentAuthor};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Query of `GET /api/v1/items/{id}/comments`. Other parameters are
/// ignored, as they were before the list had pages.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentQuery {
    /// Comments per page, 1 to 500 (default 100).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// Where to go on from: the `after` of the `Link: <...>; rel="next"`
    /// header of the previous page (opaque).
    pub after: Option<String>,
}

/// A comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentView {
    /// Local id.
    pub id: i64,
    /// The item.
    pub item_id: i64,
    /// The comment answered, if any.
    pub in_reply_to_id: Option<i64>,
    /// ActivityPub id.
    pub ap_id: String,
    /// Who wrote it.
    pub author: ActorRef,
    /// `public` or `unlisted`: nothing else is ever a comment.
    pub visibility: String,
    /// The author's content warning: show it, and the text only on request.
    pub content_warning: Option<String>,
    /// Marked sensitive by its author.
    pub sensitive: bool,
    /// Sanitised HTML.
    pub content_html: String,
    /// Language.
    pub language: Option<String>,
    /// Written.
    pub published: DateTime<Utc>,
    /// Edited.
    pub updated: Option<DateTime<Utc>>,
}

impl CommentView {
    /// Shapes a stored comment.
    pub fn new(state: &AppState, c: Comment) -> Self {
        let author = match c.author {
            CommentAuthor::Agency { slug, name } => ActorRef::agency(state, slug, name),
            CommentAuthor::Remote {
                ap_id,
                handle,
                name,
                ..
            } => ActorRef::remote(ap_id, handle, name),
        };
        Self {
            ap_id: c
                .ap_id
                .unwrap_or_else(|| state.urls.comment(c.id).to_string()),
            id: c.id,
            item_id: c.item_id,
            in_reply_to_id: c.in_reply_to_id,
            author,
            visibility: c.visibility.as_str().to_owned(),
            content_warning: c.content_warning,
            sensitive: c.sensitive,
            content_html: c.content_html,
            language: c.language,
            published: c.published_at,
            updated: c.updated_at,
        }
    }
}

/// Body of `POST /api/v1/comments/{id}/report`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// Why, for the other server's moderators: plain text, 1 to 1000
    /// characters.
    pub reason: String,
}

/// Body of `PATCH /api/v1/comments/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentEditBody {
    /// The new text, Markdown.
    pub body: String,
}

/// Body of `POST /api/v1/items/{id}/comments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    /// Slug of the agency that speaks.
    pub agency: String,
    /// Markdown.
    pub body: String,
    /// Id of the comment this answers, if any.
    #[serde(default)]
    pub in_reply_to: Option<i64>,
}
