//! `/api/v1/admin/actor-blocks`: actors refused everywhere on this server.

use super::{invalid, policy, require_instance_admin};
use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_federation::policy::{PolicyError, block_reason};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

/// Every blocked actor.
#[utoipa::path(get, path = "/api/v1/admin/actor-blocks", tag = "admin", security(("bearer" = [])),
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
#[utoipa::path(post, path = "/api/v1/admin/actor-blocks", tag = "admin", request_body = ActorBlockBody, security(("bearer" = [])),
    responses((status = 201, description = "The block"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn put(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::input::JsonBody<ActorBlockBody>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let body = body.into_inner();
    let actor =
        deling_domain::web_url::WebUrl::parse(&body.actor).map_err(|e| invalid("actor", e))?;
    let (policy, by) = policy(&state, &auth);
    let reason = body.reason.as_deref();
    let row = policy
        .block_actor(by, actor.as_str(), reason, block_reason(reason))
        .await?;
    Ok(HttpResponse::Created()
        .json(json!({"actor": row.actor, "reason": row.reason, "created": row.created_at})))
}

/// Query of `DELETE /api/v1/admin/actor-blocks`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ActorQuery {
    actor: String,
}

/// Unblocks an actor.
#[utoipa::path(delete, path = "/api/v1/admin/actor-blocks", tag = "admin", params(ActorQuery), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<ActorQuery>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let (policy, by) = policy(&state, &auth);
    policy
        .unblock_actor(by, &q.actor)
        .await
        .map_err(|e| match e {
            PolicyError::NotBlocked(_) => ApiError::NotFound(format!("{} is not blocked", q.actor)),
            other => other.into(),
        })?;
    Ok(HttpResponse::NoContent().finish())
}
