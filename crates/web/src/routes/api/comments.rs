//! `/api/v1/items/{id}/comments` and `/api/v1/comments/{id}`: agencies'
//! own comments (written, edited and deleted here and sent to peers) and
//! the moderation of everyone's comments on our items.

use crate::{
    auth::Authenticated,
    dto::{CommentBody, CommentEditBody, CommentView, ReportBody},
    error::{ApiError, Problem},
    routes::api::admin::audit,
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_domain::text::MarkdownSource;
use deling_federation::policy::{ChangedBy, PolicyService};
use serde_json::json;

/// An agency's post (comment or answer) as HTML: Markdown with bare
/// addresses and hashtags linked, hashtags to their listing here; `422`
/// for one that shows as nothing.
pub(crate) fn render_post(state: &AppState, source: &str) -> Result<String, ApiError> {
    deling_domain::post::render_post_visible(source, |t| state.urls.tag(t.as_str()).to_string())
        .map(|p| p.html)
        .map_err(|e| ApiError::Invalid(vec![deling_domain::FieldError::new("body", e)]))
}

/// Comments on an item, local or remote, as one of the caller's agencies.
#[utoipa::path(post, path = "/api/v1/items/{id}/comments", tag = "items", request_body = CommentBody,
    params(("id" = i64, Path, description = "Item id")), security(("bearer" = [])),
    responses((status = 201, body = CommentView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
    body: crate::input::JsonBody<CommentBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let item = crate::lookup::item(&state, *id).await?;
    let agency = crate::lookup::speaking_agency(&state, &body.agency).await?;
    auth.require_editor(&state, &agency).await?;
    let source = MarkdownSource::parse(&body.body)
        .map_err(|e| ApiError::Invalid(vec![deling_domain::FieldError::new("body", e)]))?;
    let html = render_post(&state, source.as_str())?;
    if let Some(parent) = body.in_reply_to {
        match state.store.get_comment(parent).await? {
            Some((c, _)) if c.item_id == item.id => {}
            _ => {
                return Err(ApiError::Invalid(vec![deling_domain::FieldError::new(
                    "in_reply_to",
                    "is not a comment on this item",
                )]));
            }
        }
    }
    let comment = state
        .store
        .put_agency_comment(
            item.id,
            agency.id,
            body.in_reply_to,
            source.as_str(),
            &html,
            None,
        )
        .await?;
    state.wake_federation();
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/items/{}/comments", item.id),
        ))
        .json(CommentView::new(&state, comment)))
}

/// Edits an agency's own comment (its editors only): everyone who got the
/// comment gets an `Update` of the `Note`.
#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "items", request_body = CommentEditBody,
    params(("id" = i64, Path, description = "Comment id")), security(("bearer" = [])),
    responses((status = 200, body = CommentView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem),
        (status = 422, body = Problem)))]
pub async fn edit(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
    body: crate::input::JsonBody<CommentEditBody>,
) -> Result<HttpResponse, ApiError> {
    let id = *id;
    let found = state.store.get_comment_for_moderation(id).await?;
    let c = found.ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    let deling_store::records::CommentAuthor::Agency { slug, .. } = &c.comment.author else {
        return Err(ApiError::Forbidden(
            "only comments written by an agency here can be edited here".into(),
        ));
    };
    let agency = crate::lookup::agency(&state, slug).await?;
    auth.require_editor(&state, &agency).await?;
    let source = MarkdownSource::parse(&body.into_inner().body)
        .map_err(|e| ApiError::Invalid(vec![deling_domain::FieldError::new("body", e)]))?;
    let html = render_post(&state, source.as_str())?;
    let comment = state
        .store
        .update_own_comment(id, agency.id, source.as_str(), &html)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    state.wake_federation();
    Ok(HttpResponse::Ok().json(CommentView::new(&state, comment)))
}

/// Finds a comment the caller may moderate: an editor of the agency that
/// owns the item it is on, or an instance admin.
async fn moderated(
    state: &AppState,
    auth: &Authenticated,
    id: i64,
) -> Result<deling_store::queries::comment::ModeratedComment, ApiError> {
    let c = state
        .store
        .get_comment_for_moderation(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    if auth.staff.instance_admin {
        return Ok(c);
    }
    let item = state
        .store
        .get_item(c.item_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    let agency_id = item.agency_id().ok_or_else(|| {
        ApiError::Forbidden("comments on other servers' items are moderated there".into())
    })?;
    let agency = state
        .store
        .get_agency(agency_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("agency not found".into()))?;
    auth.require_editor(state, &agency).await?;
    Ok(c)
}

/// Hides a comment from everyone but its item's moderators.
#[utoipa::path(post, path = "/api/v1/comments/{id}/hide", tag = "items", params(("id" = i64, Path, description = "Comment id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn hide(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    moderated(&state, &auth, *id).await?;
    state.store.set_comment_hidden(*id, true).await?;
    audit(&state, &auth, "comment.hide", &id.to_string(), json!({})).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Shows a hidden comment again.
#[utoipa::path(post, path = "/api/v1/comments/{id}/unhide", tag = "items", params(("id" = i64, Path, description = "Comment id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn unhide(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    moderated(&state, &auth, *id).await?;
    state.store.set_comment_hidden(*id, false).await?;
    audit(&state, &auth, "comment.unhide", &id.to_string(), json!({})).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes a comment. A remote author's comment is removed here (its
/// item's moderators); an agency's own comment is deleted by its staff and
/// the deletion is sent to everyone who received it.
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "items", params(("id" = i64, Path, description = "Comment id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let found = state.store.get_comment_for_moderation(*id).await?;
    let c = found.ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    if let deling_store::records::CommentAuthor::Agency { slug, .. } = &c.comment.author {
        let agency = crate::lookup::agency(&state, slug).await?;
        auth.require_editor(&state, &agency).await?;
        let audit = deling_store::queries::audit::Audit::new(
            Some(auth.staff.id),
            &auth.staff.username,
            "comment.delete",
            &id.to_string(),
        )
        .with("author", state.urls.agency(slug).as_str());
        if !state
            .store
            .delete_own_comment(*id, agency.id, Some(&audit))
            .await?
        {
            return Err(ApiError::NotFound(format!("no comment {id}")));
        }
        state.wake_federation();
        return Ok(HttpResponse::NoContent().finish());
    }
    let c = moderated(&state, &auth, *id).await?;
    state.store.delete_comment(*id).await?;
    audit(
        &state,
        &auth,
        "comment.delete",
        &id.to_string(),
        json!({"author": c.remote_author}),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Blocks a remote comment's author everywhere and hides the comment.
#[utoipa::path(post, path = "/api/v1/comments/{id}/block-author", tag = "items", params(("id" = i64, Path, description = "Comment id")), security(("bearer" = [])),
    responses((status = 201, description = "The blocked actor"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn block_author(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let c = moderated(&state, &auth, *id).await?;
    let Some(author) = c.remote_author else {
        return Err(ApiError::Conflict(
            "the author is an agency on this server".into(),
        ));
    };
    let policy = PolicyService::new(&state.store, &state.settings.domain);
    let by = ChangedBy {
        staff_id: Some(auth.staff.id),
        name: &auth.staff.username,
    };
    policy
        .block_actor(
            by,
            &author,
            Some(&format!("author of comment {id}")),
            json!({"comment": *id}),
        )
        .await?;
    state.store.set_comment_hidden(*id, true).await?;
    Ok(HttpResponse::Created().json(json!({"actor": author})))
}

/// Longest report reason, in characters (Mastodon keeps 1000 of a
/// forwarded report's comment).
const MAX_REASON: usize = 1000;

/// Reports a remote comment on one of the agency's items to its author's
/// server, whose moderators judge it: a `Flag` from this server. Editors
/// of the item's agency and instance admins may.
#[utoipa::path(post, path = "/api/v1/comments/{id}/report", tag = "items", params(("id" = i64, Path, description = "Comment id")), request_body = ReportBody, security(("bearer" = [])),
    responses((status = 202, description = "The report is on its way"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn report(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
    body: crate::input::JsonBody<ReportBody>,
) -> Result<HttpResponse, ApiError> {
    let c = moderated(&state, &auth, *id).await?;
    let reason = body.into_inner().reason.trim().to_owned();
    let chars = reason.chars().count();
    if chars == 0 || chars > MAX_REASON {
        return Err(ApiError::Invalid(vec![deling_domain::FieldError::new(
            "reason",
            format!("must be 1 to {MAX_REASON} characters"),
        )]));
    }
    let agency_id = state
        .store
        .get_item(c.item_id)
        .await?
        .and_then(|i| i.agency_id())
        .ok_or_else(|| {
            ApiError::Forbidden("comments on other servers' items are reported there".into())
        })?;
    let flag_id = deling_federation::activities::outgoing::activity_id(&state.urls, "flag");
    let audit = deling_store::queries::audit::Audit::new(
        Some(auth.staff.id),
        &auth.staff.username,
        "comment.report",
        &id.to_string(),
    )
    .with("flag", flag_id.as_str())
    .with("author", c.remote_author.clone().unwrap_or_default());
    state
        .store
        .report_comment(*id, agency_id, flag_id.as_str(), &reason, &audit)
        .await?;
    state.wake_federation();
    Ok(HttpResponse::Accepted().json(json!({"flag": flag_id})))
}
