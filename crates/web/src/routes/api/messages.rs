//! An agency's staff inbox: direct messages, followers-only replies and
//! mentions, readable by the agency's own staff only, and answered with
//! the visibility they came with. Messages from a silenced host are held
//! apart (`?held=true`) until the staff release or delete them.

use crate::{
    auth::{Authenticated, require_member},
    dto::{MessagePage, MessageReplyBody, MessageView},
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_domain::{FieldError, text::MarkdownSource};
use deling_store::{
    queries::{audit::Audit, message::AnswerData},
    records::{Agency, Staff},
};
use serde::Deserialize;
use utoipa::IntoParams;

/// Most messages on one page.
const MAX_LIMIT: u64 = 100;

/// Query of `GET /api/v1/agencies/{slug}/messages`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessageQuery {
    /// Only messages older than this message id (the `next` link).
    pub before: Option<i64>,
    /// How many (1 to 100, 20 by default).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    /// `true`: the messages held for release (from silenced hosts)
    /// instead of the inbox's; `false` (the default): the inbox.
    pub held: Option<bool>,
}

/// Lists an agency's messages, newest first (its staff only): those let
/// through, or with `held=true` those held from silenced hosts.
#[utoipa::path(get, operation_id = "listMessages", path = "/api/v1/agencies/{slug}/messages", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug"), MessageQuery), security(("bearer" = [])),
    responses((status = 200, body = MessagePage), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
    q: web::Query<MessageQuery>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    auth.require_member(&state, &agency).await?;
    let limit = q.limit.unwrap_or(20);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::Invalid(vec![FieldError::new(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )]));
    }
    let held = q.held.unwrap_or(false);
    let messages = if held {
        state
            .store
            .list_held_messages(agency.id, q.before, limit)
            .await?
    } else {
        state
            .store
            .list_messages(agency.id, q.before, limit)
            .await?
    };
    let next = (messages.len() as u64 == limit)
        .then(|| messages.last().map(|m| m.id))
        .flatten()
        .map(|id| {
            format!(
                "/api/v1/agencies/{}/messages?before={id}&limit={limit}{}",
                agency.slug,
                if held { "&held=true" } else { "" }
            )
        });
    let messages = messages
        .into_iter()
        .map(|m| MessageView::new(&state, &agency, m))
        .collect();
    Ok(HttpResponse::Ok().json(MessagePage { messages, next }))
}

/// The agency's message `id`, held or not, or 404 (also for another
/// agency's).
async fn find(
    state: &AppState,
    agency: &Agency,
    id: i64,
) -> Result<deling_store::queries::message::Message, ApiError> {
    state
        .store
        .get_message(id)
        .await?
        .filter(|m| m.agency_id == agency.id)
        .ok_or_else(|| ApiError::NotFound(format!("agency {:?} has no message {id}", agency.slug)))
}

/// One of an agency's messages (its staff only).
#[utoipa::path(get, operation_id = "getMessage", path = "/api/v1/agencies/{slug}/messages/{id}", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug"), ("id" = i64, Path, description = "Message id")),
    security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let agency = crate::lookup::agency(&state, &slug).await?;
    auth.require_member(&state, &agency).await?;
    let m = find(&state, &agency, id).await?;
    Ok(HttpResponse::Ok().json(MessageView::new(&state, &agency, m)))
}

/// Answers a received message as the agency, addressed as the message
/// was: a direct message directly to its author, a followers-only one to
/// the agency's followers and the author. Never public unless the
/// message was.
#[utoipa::path(post, operation_id = "replyToMessage", path = "/api/v1/agencies/{slug}/messages/{id}/replies", tag = "agencies",
    request_body = MessageReplyBody,
    params(("slug" = String, Path, description = "The agency's slug"), ("id" = i64, Path, description = "Message id")),
    security(("bearer" = [])),
    responses((status = 201, body = MessageView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem),
        (status = 422, body = Problem)))]
pub async fn reply(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, i64)>,
    body: crate::input::JsonBody<MessageReplyBody>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let agency = crate::lookup::speaking_agency(&state, &slug).await?;
    auth.require_member(&state, &agency).await?;
    let source = MarkdownSource::parse(&body.into_inner().body)
        .map_err(|e| ApiError::Invalid(vec![FieldError::new("body", e)]))?;
    let html = crate::routes::api::comments::render_post(&state, source.as_str())?;
    let parent = find(&state, &agency, id).await?;
    if parent.author.is_none() {
        return Err(ApiError::Invalid(vec![FieldError::new(
            "id",
            "is the agency's own answer; answer the message it answered",
        )]));
    }
    // Not released by answering: an answer makes the agency speak to a
    // host the operator silenced, and letting the message through is a
    // decision of its own, audited, that a reply typed under the held
    // list must not take in passing. Release it first.
    if parent.held {
        return Err(ApiError::Conflict(format!(
            "message {id} is held (its author's host is silenced); release it before answering"
        )));
    }
    let addressed =
        deling_federation::objects::message::answer_audience(&state.urls, &agency.slug, &parent)?;
    let answer = state
        .store
        .put_message_answer(AnswerData {
            agency_id: agency.id,
            parent_id: parent.id,
            source: source.into_inner(),
            html,
            visibility: deling_federation::objects::message::answer_visibility(parent.visibility),
            addressed,
        })
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("agency {slug:?} has no message {id}")))?;
    state.wake_federation();
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/agencies/{slug}/messages/{}", answer.id),
        ))
        .json(MessageView::new(&state, &agency, answer)))
}

/// Releases a held message (its staff only): from then on it is in the
/// inbox like any other, and stays there when its author edits it.
#[utoipa::path(post, operation_id = "releaseMessage", path = "/api/v1/agencies/{slug}/messages/{id}/release", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug"), ("id" = i64, Path, description = "Message id")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn release(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    release_message(&state, &auth.staff, &slug, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes a received message, held or not, from the agency's inbox (its
/// staff only); other agencies' copies stay, and an edit from its author
/// does not bring it back.
#[utoipa::path(delete, operation_id = "deleteMessage", path = "/api/v1/agencies/{slug}/messages/{id}", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug"), ("id" = i64, Path, description = "Message id")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    delete_message(&state, &auth.staff, &slug, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The audit entry of `action` on `agency`'s message `id`, filed under
/// the agency for its admins to read. Not who wrote it: instance
/// administrators read the whole audit log, and who writes to an agency
/// privately is its staff's to know.
fn message_audit(staff: &Staff, agency: &Agency, action: &str, id: i64) -> Audit {
    Audit::new(
        Some(staff.id),
        &staff.username,
        action,
        &format!("{}/messages/{id}", agency.slug),
    )
    .for_agency(agency.id)
}

/// Releases `agency_slug`'s held message `id` as `staff` (on its own
/// staff: an instance admin reads no agency's messages), with a
/// `message.release` audit entry. `409` for one that is not held. The API
/// and the staff pages both release through here.
pub(crate) async fn release_message(
    state: &AppState,
    staff: &Staff,
    agency_slug: &str,
    id: i64,
) -> Result<(), ApiError> {
    let agency = crate::lookup::agency(state, agency_slug).await?;
    require_member(state, staff, &agency).await?;
    let m = find(state, &agency, id).await?;
    if !m.held {
        return Err(ApiError::Conflict(format!("message {id} is not held")));
    }
    let audit = message_audit(staff, &agency, "message.release", id);
    if !state
        .store
        .release_message_audited(agency.id, id, &audit)
        .await?
    {
        // Released or deleted by someone else meanwhile.
        return Err(ApiError::Conflict(format!("message {id} is not held")));
    }
    Ok(())
}

/// Deletes `agency_slug`'s received message `id` as `staff` (on its own
/// staff), with a `message.delete` audit entry. `409` for the agency's
/// own answer, which its recipients hold already. The API and the staff
/// pages both delete through here.
pub(crate) async fn delete_message(
    state: &AppState,
    staff: &Staff,
    agency_slug: &str,
    id: i64,
) -> Result<(), ApiError> {
    let agency = crate::lookup::agency(state, agency_slug).await?;
    require_member(state, staff, &agency).await?;
    let m = find(state, &agency, id).await?;
    if m.author.is_none() {
        return Err(ApiError::Conflict(format!(
            "message {id} is the agency's own answer, which its recipients hold already"
        )));
    }
    let audit = message_audit(staff, &agency, "message.delete", id);
    if !state
        .store
        .delete_message_audited(agency.id, id, &audit)
        .await?
    {
        return Err(ApiError::NotFound(format!(
            "agency {agency_slug:?} has no message {id}"
        )));
    }
    Ok(())
}
