//! `/api/v1/admin/actor-blocks`: actors refused everywhere on this server.

use super::{instance_admin_only, invalid, policy_by, require_instance_admin};
use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_federation::policy::{PolicyError, block_reason};
use deling_store::{queries::policy::ActorBlock, records::Staff};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

/// Every blocked actor.
#[utoipa::path(get, operation_id = "listActorBlocks", path = "/api/v1/admin/actor-blocks", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "The blocked actors"), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let rows = state.store.list_actor_blocks().await?;
    let views: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| json!({"actor": r.actor, "reason": r.reason, "created": r.created_at}))
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Body of `POST /api/v1/admin/actor-blocks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorBlockBody {
    actor: String,
    #[serde(default)]
    reason: Option<String>,
}

/// Blocks an actor.
#[utoipa::path(post, operation_id = "blockActor", path = "/api/v1/admin/actor-blocks", tag = "admin", request_body = ActorBlockBody, security(("bearer" = [])),
    responses((status = 201, description = "The block"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn put(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::input::JsonBody<ActorBlockBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let row = block_actor(&state, &auth.staff, &body.actor, body.reason.as_deref()).await?;
    Ok(HttpResponse::Created()
        .json(json!({"actor": row.actor, "reason": row.reason, "created": row.created_at})))
}

/// Query of `DELETE /api/v1/admin/actor-blocks`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ActorQuery {
    actor: String,
}

/// Unblocks an actor.
#[utoipa::path(delete, operation_id = "unblockActor", path = "/api/v1/admin/actor-blocks", tag = "admin", params(ActorQuery), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<ActorQuery>,
) -> Result<HttpResponse, ApiError> {
    unblock_actor(&state, &auth.staff, &q.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Blocks `actor` (an http or https URL, else [`ApiError::Invalid`] on
/// field `actor`) everywhere on this server, as `staff`, an instance
/// administrator, with its audit entry. The API and the staff pages both
/// block actors through here.
pub async fn block_actor(
    state: &AppState,
    staff: &Staff,
    actor: &str,
    reason: Option<&str>,
) -> Result<ActorBlock, ApiError> {
    instance_admin_only(staff)?;
    let actor = deling_domain::web_url::WebUrl::parse(actor).map_err(|e| invalid("actor", e))?;
    let (policy, by) = policy_by(state, staff);
    let block = policy
        .block_actor(by, actor.as_str(), reason, block_reason(reason))
        .await?;
    // The Rejects of the follows the block ended go out now.
    state.wake_federation();
    Ok(block)
}

/// Unblocks `actor` as `staff`, an instance administrator; one that is not
/// blocked is [`ApiError::NotFound`].
pub async fn unblock_actor(state: &AppState, staff: &Staff, actor: &str) -> Result<(), ApiError> {
    instance_admin_only(staff)?;
    let (policy, by) = policy_by(state, staff);
    policy.unblock_actor(by, actor).await.map_err(|e| match e {
        PolicyError::NotBlocked(_) => ApiError::NotFound(format!("{actor} is not blocked")),
        other => other.into(),
    })
}
