//! `/api/v1/agencies/{slug}/blocks`: remote actors one agency has
//! blocked. What a blocked actor sends that concerns the agency (a
//! follow, a comment on its items, a message, a like or a boost) is
//! refused; the rest of the instance still hears it. Editors of the
//! agency (who moderate its comments) and instance admins keep the list;
//! a block for the whole instance is `/api/v1/admin/actor-blocks`,
//! instance admins' alone.

use super::admin::invalid;
use crate::{
    auth::{Access, Authenticated, require_editor},
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_domain::web_url::WebUrl;
use deling_store::{
    queries::{
        agency_block::{AgencyBlock, AgencyBlocked},
        audit::Audit,
    },
    records::{Agency, Staff},
};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

/// Longest reason kept with a block, in characters.
pub const MAX_BLOCK_REASON: usize = 1000;

fn view(b: &AgencyBlock) -> Value {
    json!({"actor": b.actor, "reason": b.reason, "created": b.created_at})
}

/// The agency's blocked actors, newest first.
#[utoipa::path(get, operation_id = "listAgencyBlocks", path = "/api/v1/agencies/{slug}/blocks", tag = "federation",
    params(("slug" = String, Path, description = "The agency's slug")), security(("bearer" = [])),
    responses((status = 200, description = "The actors the agency has blocked"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    auth.require_editor(&state, &agency).await?;
    let rows = state.store.list_agency_blocks(&[agency.id]).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(view).collect::<Vec<_>>()))
}

/// Body of `POST /api/v1/agencies/{slug}/blocks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyBlockBody {
    /// The actor's id (an `https` URL).
    actor: String,
    #[serde(default)]
    reason: Option<String>,
}

/// Blocks an actor for the agency: its comments on the agency's items
/// are hidden, its follow of the agency ends (its server is sent a
/// `Reject`), so does the agency's follow of it (an `Undo`), and what it
/// sends the agency from now on is refused.
#[utoipa::path(post, operation_id = "blockActorForAgency", path = "/api/v1/agencies/{slug}/blocks", tag = "federation",
    params(("slug" = String, Path, description = "The agency's slug")), request_body = AgencyBlockBody, security(("bearer" = [])),
    responses((status = 201, description = "The block, with how many comments it hid and whether it ended a follow either way"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
    body: crate::input::JsonBody<AgencyBlockBody>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    let access = auth.require_editor(&state, &agency).await?;
    let body = body.into_inner();
    let done = block_for_agency(
        &state,
        &auth.staff,
        &agency,
        access,
        &body.actor,
        body.reason.as_deref(),
        None,
    )
    .await?;
    let mut v = view(&done.block);
    v["comments_hidden"] = done.comments_hidden.into();
    v["follow_ended"] = done.follow_ended.into();
    v["following_ended"] = done.following_ended.into();
    Ok(HttpResponse::Created().json(v))
}

/// Query of `DELETE /api/v1/agencies/{slug}/blocks`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct BlockedActorQuery {
    /// The blocked actor's id.
    actor: String,
}

/// Lifts the agency's block of an actor. Comments the block hid stay
/// hidden until a moderator shows them again.
#[utoipa::path(delete, operation_id = "unblockActorForAgency", path = "/api/v1/agencies/{slug}/blocks", tag = "federation",
    params(("slug" = String, Path, description = "The agency's slug"), BlockedActorQuery), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
    q: web::Query<BlockedActorQuery>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    unblock_for_agency(&state, &auth.staff, &agency, &q.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Blocks `actor` (an http or https URL, else [`ApiError::Invalid`] on
/// field `actor`) for `agency` as `staff`, whose right to moderate there
/// is `access`, with its audit entry (`comment`: the comment that led to
/// it, if any). The API and the staff pages both block through here.
pub async fn block_for_agency(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
    access: Access,
    actor: &str,
    reason: Option<&str>,
    comment: Option<i64>,
) -> Result<AgencyBlocked, ApiError> {
    let actor = WebUrl::parse(actor.trim()).map_err(|e| invalid("actor", e))?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_BLOCK_REASON) {
        return Err(invalid(
            "reason",
            format!("longer than {MAX_BLOCK_REASON} characters"),
        ));
    }
    if state.urls.agency_slug_of(actor.as_url()).is_some() {
        return Err(ApiError::Conflict(
            "that is an agency on this server, which sends nothing through federation".into(),
        ));
    }
    let mut audit = Audit::new(
        Some(staff.id),
        &staff.username,
        "agency_block.put",
        &format!("{}/{}", agency.slug, actor.as_str()),
    )
    .with("reason", reason);
    if let Some(comment) = comment {
        audit = audit.with("comment", comment);
    }
    let audit = access.mark(audit, agency);
    // Used only if the agency follows the actor: the Undo of that follow.
    let undo_id = deling_federation::activities::outgoing::activity_id(&state.urls, "undo");
    let done = state
        .store
        .put_agency_block(
            agency.id,
            actor.as_str(),
            reason,
            undo_id.as_str(),
            Some(&audit),
        )
        .await?;
    if done.follow_ended || done.following_ended {
        state.wake_federation();
    }
    Ok(done)
}

/// Lifts `agency`'s block of `actor` as `staff` (an editor of it or an
/// instance admin); one that is not blocked is [`ApiError::NotFound`].
pub async fn unblock_for_agency(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
    actor: &str,
) -> Result<(), ApiError> {
    let access = require_editor(state, staff, agency).await?;
    // Spelled as the block stored it (host in lower case, a bare origin
    // with its `/`), whatever the caller typed.
    let parsed = WebUrl::parse(actor.trim());
    let actor = parsed.as_ref().map_or(actor.trim(), WebUrl::as_str);
    let audit = access.mark(
        Audit::new(
            Some(staff.id),
            &staff.username,
            "agency_block.delete",
            &format!("{}/{actor}", agency.slug),
        ),
        agency,
    );
    if !state
        .store
        .delete_agency_block(agency.id, actor, Some(&audit))
        .await?
    {
        return Err(ApiError::NotFound(format!(
            "{actor} is not blocked by {:?}",
            agency.slug
        )));
    }
    Ok(())
}
