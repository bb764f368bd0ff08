//! `/api/v1/admin/audit`: the audit log, newest first.

use super::require_instance_admin;
use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

/// Query of `GET /api/v1/admin/audit`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    #[serde(default)]
    page: Option<u64>,
    #[serde(default)]
    per_page: Option<u64>,
}

/// A page of the audit log.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, description = "Audit entries"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let per_page = q.per_page.unwrap_or(50);
    if !(1..=200).contains(&per_page) {
        return Err(ApiError::BadRequest(
            "query parameter per_page: must be 1 to 200".into(),
        ));
    }
    let page = q.page.unwrap_or(1).max(1);
    let offset = (page - 1)
        .checked_mul(per_page)
        .filter(|o| *o <= i64::MAX as u64)
        .ok_or_else(|| {
            ApiError::BadRequest("query parameter page: is past the last possible page".into())
        })?;
    let rows = state.store.list_audit(per_page, offset).await?;
    let views: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| {
            json!({"id": r.id, "actor": r.actor, "action": r.action, "target": r.target,
                        "details": r.details, "at": r.created_at})
        })
        .collect();
    Ok(HttpResponse::Ok().json(views))
}
