//! `/api/v1/items/{id}/comments` and `/api/v1/comments/{id}`: agencies'
//! own comments (written, edited and deleted here and sent to peers) and
//! the moderation of everyone's comments on our items.

use crate::{
    auth::{Access, Authenticated, require_editor},
    dto::{CommentBody, CommentEditBody, CommentView, ReportBody},
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_domain::text::MarkdownSource;
use deling_federation::policy::{ChangedBy, PolicyService};
use deling_store::{
    queries::{audit::Audit, comment::ModeratedComment},
    records::{Agency, Comment, CommentAuthor, Staff},
};
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
#[utoipa::path(post, operation_id = "createComment", path = "/api/v1/items/{id}/comments", tag = "items", request_body = CommentBody,
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
    let comment = write_comment(
        &state,
        &auth.staff,
        *id,
        &body.agency,
        body.in_reply_to,
        &body.body,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/items/{}/comments", comment.item_id),
        ))
        .json(CommentView::new(&state, comment)))
}

/// Writes a comment on item `item_id` as agency `agency_slug`, answering
/// `in_reply_to` if given, when `staff` may speak for that agency: stored
/// and queued for peers, with a `comment.create` audit entry when an
/// instance admin from outside the agency writes it. The API and the
/// staff pages both comment through this.
pub(crate) async fn write_comment(
    state: &AppState,
    staff: &Staff,
    item_id: i64,
    agency_slug: &str,
    in_reply_to: Option<i64>,
    body: &str,
) -> Result<Comment, ApiError> {
    let item = crate::lookup::item(state, item_id).await?;
    let agency = crate::lookup::speaking_agency(state, agency_slug).await?;
    let access = require_editor(state, staff, &agency).await?;
    let source = MarkdownSource::parse(body)
        .map_err(|e| ApiError::Invalid(vec![deling_domain::FieldError::new("body", e)]))?;
    let html = render_post(state, source.as_str())?;
    if let Some(parent) = in_reply_to {
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
    // Comment ids are bare in the audit log's targets (as `comment.hide`
    // has them); the store appends the new one.
    let audit = access
        .audit(staff, &agency, "comment.create", "")
        .map(|a| a.with("item", item.id));
    let comment = state
        .store
        .put_agency_comment_audited(
            item.id,
            agency.id,
            in_reply_to,
            source.as_str(),
            &html,
            None,
            audit.as_ref(),
        )
        .await?;
    state.wake_federation();
    Ok(comment)
}

/// Edits an agency's own comment (its editors only): everyone who got the
/// comment gets an `Update` of the `Note`.
#[utoipa::path(patch, operation_id = "updateComment", path = "/api/v1/comments/{id}", tag = "items", request_body = CommentEditBody,
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
    let comment = edit_own_comment(&state, &auth.staff, *id, &body.into_inner().body).await?;
    Ok(HttpResponse::Ok().json(CommentView::new(&state, comment)))
}

/// Rewrites comment `id`, which an agency here wrote, when `staff` may
/// speak for that agency; peers get the `Update`. An instance admin from
/// outside the agency leaves a `comment.update` audit entry.
pub(crate) async fn edit_own_comment(
    state: &AppState,
    staff: &Staff,
    id: i64,
    body: &str,
) -> Result<Comment, ApiError> {
    let found = state.store.get_comment_for_moderation(id).await?;
    let c = found.ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    let CommentAuthor::Agency { slug, .. } = &c.comment.author else {
        return Err(ApiError::Forbidden(
            "only comments written by an agency here can be edited here".into(),
        ));
    };
    let agency = crate::lookup::agency(state, slug).await?;
    let access = require_editor(state, staff, &agency).await?;
    let source = MarkdownSource::parse(body)
        .map_err(|e| ApiError::Invalid(vec![deling_domain::FieldError::new("body", e)]))?;
    let html = render_post(state, source.as_str())?;
    let audit = access
        .audit(staff, &agency, "comment.update", &id.to_string())
        .map(|a| a.with("item", c.item_id));
    let comment = state
        .store
        .update_own_comment_audited(id, agency.id, source.as_str(), &html, audit.as_ref())
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    state.wake_federation();
    Ok(comment)
}

/// A comment `staff` may moderate ([`moderated`]).
pub(crate) struct Moderated {
    /// The comment.
    pub comment: ModeratedComment,
    /// The local agency whose item it is on, and what lets `staff`
    /// moderate there; `None` for a comment on another server's item,
    /// which only an instance admin moderates here.
    pub agency: Option<(Agency, Access)>,
}

impl Moderated {
    /// `audit` (moderation is always audited), saying so when an instance
    /// admin from outside the item's agency moderates (see
    /// [`Access::mark`]).
    fn mark(&self, audit: Audit) -> Audit {
        match &self.agency {
            Some((agency, access)) => access.mark(audit, agency),
            None => audit,
        }
    }
}

/// Finds a comment `staff` may moderate: an editor of the agency that
/// owns the item it is on, or an instance admin.
pub(crate) async fn moderated(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<Moderated, ApiError> {
    let c = state
        .store
        .get_comment_for_moderation(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    let item = state.store.get_item(c.item_id).await?;
    let agency_id = match item.as_ref().map(|i| i.agency_id()) {
        Some(Some(agency_id)) => agency_id,
        // An instance admin moderates every comment here, whatever it is
        // on; there is no agency to act for.
        _ if staff.instance_admin => {
            return Ok(Moderated {
                comment: c,
                agency: None,
            });
        }
        Some(None) => {
            return Err(ApiError::Forbidden(
                "comments on other servers' items are moderated there".into(),
            ));
        }
        None => return Err(ApiError::NotFound(format!("no comment {id}"))),
    };
    let agency = state
        .store
        .get_agency(agency_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("agency not found".into()))?;
    let access = require_editor(state, staff, &agency).await?;
    Ok(Moderated {
        comment: c,
        agency: Some((agency, access)),
    })
}

/// Hides a comment from everyone but its item's moderators.
#[utoipa::path(post, operation_id = "hideComment", path = "/api/v1/comments/{id}/hide", tag = "items", params(("id" = i64, Path, description = "Comment id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn hide(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    set_hidden(&state, &auth.staff, *id, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Shows a hidden comment again.
#[utoipa::path(post, operation_id = "unhideComment", path = "/api/v1/comments/{id}/unhide", tag = "items", params(("id" = i64, Path, description = "Comment id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn unhide(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    set_hidden(&state, &auth.staff, *id, false).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Hides or shows comment `id` when `staff` moderates it, with an audit
/// entry in the same transaction.
pub(crate) async fn set_hidden(
    state: &AppState,
    staff: &Staff,
    id: i64,
    hidden: bool,
) -> Result<(), ApiError> {
    let m = moderated(state, staff, id).await?;
    let action = if hidden {
        "comment.hide"
    } else {
        "comment.unhide"
    };
    let audit = m.mark(Audit::new(
        Some(staff.id),
        &staff.username,
        action,
        &id.to_string(),
    ));
    if !state
        .store
        .set_comment_hidden_audited(id, hidden, Some(&audit))
        .await?
    {
        return Err(ApiError::NotFound(format!("no comment {id}")));
    }
    Ok(())
}

/// Deletes a comment. A remote author's comment is removed here (its
/// item's moderators); an agency's own comment is deleted by its staff and
/// the deletion is sent to everyone who received it.
#[utoipa::path(delete, operation_id = "deleteComment", path = "/api/v1/comments/{id}", tag = "items", params(("id" = i64, Path, description = "Comment id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    remove_comment(&state, &auth.staff, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes comment `id` as `staff`: an agency's own one (its editors; the
/// deletion is sent on), or a remote one (its item's moderators).
pub(crate) async fn remove_comment(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<(), ApiError> {
    let found = state.store.get_comment_for_moderation(id).await?;
    let c = found.ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    if let CommentAuthor::Agency { slug, .. } = &c.comment.author {
        let agency = crate::lookup::agency(state, slug).await?;
        let access = require_editor(state, staff, &agency).await?;
        let audit = access.mark(
            Audit::new(
                Some(staff.id),
                &staff.username,
                "comment.delete",
                &id.to_string(),
            )
            .with("author", state.urls.agency(slug).as_str()),
            &agency,
        );
        if !state
            .store
            .delete_own_comment(id, agency.id, Some(&audit))
            .await?
        {
            return Err(ApiError::NotFound(format!("no comment {id}")));
        }
        state.wake_federation();
        return Ok(());
    }
    let m = moderated(state, staff, id).await?;
    let audit = m.mark(
        Audit::new(
            Some(staff.id),
            &staff.username,
            "comment.delete",
            &id.to_string(),
        )
        .with("author", m.comment.remote_author.clone()),
    );
    if !state.store.delete_comment_audited(id, Some(&audit)).await? {
        return Err(ApiError::NotFound(format!("no comment {id}")));
    }
    Ok(())
}

/// Blocks a remote comment's author for the agency whose item it is on:
/// the author's comments on its items are hidden, its follow of the
/// agency ends, and what it sends the agency is refused from now on. On
/// another server's item (only an instance admin moderates those) the
/// block is for the whole instance.
#[utoipa::path(post, operation_id = "blockCommentAuthor", path = "/api/v1/comments/{id}/block-author", tag = "items", params(("id" = i64, Path, description = "Comment id")), security(("bearer" = [])),
    responses((status = 201, description = "The blocked actor, and the agency it is blocked for (none: the whole instance)"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn block_author(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (author, agency) = block_comment_author(&state, &auth.staff, *id).await?;
    Ok(HttpResponse::Created().json(json!({"actor": author, "agency": agency})))
}

/// Blocks the remote author of comment `id` when `staff` moderates it:
/// for the agency whose item it is on (see [`super::blocks`]), or, on
/// another server's item, for the whole instance, hiding the comment.
/// The author's id and the agency's slug (none for the instance). `409`
/// for an agency's own comment.
pub(crate) async fn block_comment_author(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<(String, Option<String>), ApiError> {
    let m = moderated(state, staff, id).await?;
    let Some(author) = m.comment.remote_author.clone() else {
        return Err(ApiError::Conflict(
            "the author is an agency on this server".into(),
        ));
    };
    let reason = format!("author of comment {id}");
    if let Some((agency, access)) = &m.agency {
        super::blocks::block_for_agency(
            state,
            staff,
            agency,
            *access,
            &author,
            Some(&reason),
            Some(id),
        )
        .await?;
        return Ok((author, Some(agency.slug.to_string())));
    }
    // Only an instance admin moderates a comment on another server's
    // item (see [`moderated`]): there is no agency to block for.
    let details = Audit::new(Some(staff.id), &staff.username, "actor_block.put", &author)
        .with("comment", id)
        .details;
    let policy = PolicyService::new(&state.store, &state.settings.domain);
    let by = ChangedBy {
        staff_id: Some(staff.id),
        name: &staff.username,
    };
    policy
        .block_actor(by, &author, Some(&reason), details)
        .await?;
    state.wake_federation();
    state.store.set_comment_hidden(id, true).await?;
    Ok((author, None))
}

/// Longest report reason, in characters (Mastodon keeps 1000 of a
/// forwarded report's comment).
pub(crate) const MAX_REASON: usize = 1000;

/// Reports a remote comment on one of the agency's items to its author's
/// server, whose moderators judge it: a `Flag` from this server. Editors
/// of the item's agency and instance admins may.
#[utoipa::path(post, operation_id = "reportComment", path = "/api/v1/comments/{id}/report", tag = "items", params(("id" = i64, Path, description = "Comment id")), request_body = ReportBody, security(("bearer" = [])),
    responses((status = 202, description = "The report is on its way"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn report(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
    body: crate::input::JsonBody<ReportBody>,
) -> Result<HttpResponse, ApiError> {
    let flag_id = report_comment(&state, &auth.staff, *id, &body.into_inner().reason).await?;
    Ok(HttpResponse::Accepted().json(json!({"flag": flag_id})))
}

/// Reports remote comment `id` to its author's server as `staff` (who
/// moderates it) with `reason`: the Flag is queued; its id.
pub(crate) async fn report_comment(
    state: &AppState,
    staff: &Staff,
    id: i64,
    reason: &str,
) -> Result<url::Url, ApiError> {
    let m = moderated(state, staff, id).await?;
    let c = &m.comment;
    let reason = reason.trim().to_owned();
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
    let audit = m.mark(
        Audit::new(
            Some(staff.id),
            &staff.username,
            "comment.report",
            &id.to_string(),
        )
        .with("flag", flag_id.as_str())
        .with("author", c.remote_author.clone().unwrap_or_default()),
    );
    state
        .store
        .report_comment(id, agency_id, flag_id.as_str(), &reason, &audit)
        .await?;
    state.wake_federation();
    Ok(flag_id)
}
