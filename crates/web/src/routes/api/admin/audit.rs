//! `/api/v1/admin/audit`: the audit log, newest first.

use super::instance_admin_only;
use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_store::{queries::audit::AuditEntry, records::Staff};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

/// Query of `GET /api/v1/admin/audit` and of an agency's audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Page number, from 1 (`0` reads as 1). The entries before the page
    /// (`(page - 1) * per_page`) must number fewer than 2^63, or the
    /// answer is `400`.
    // The largest page any `per_page` allows is 2^63 (with `per_page=1`).
    // No `#[serde(default)]`: utoipa would declare the parameter nullable.
    #[param(minimum = 0, maximum = 9223372036854775808_u64)]
    pub(crate) page: Option<u64>,
    /// Entries per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub(crate) per_page: Option<u64>,
}

/// A page of the audit log.
#[utoipa::path(get, operation_id = "listAuditLog", path = "/api/v1/admin/audit", tag = "admin", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, description = "Audit entries"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let rows = audit_page(&state, &auth.staff, q.page, q.per_page.unwrap_or(50)).await?;
    let views: Vec<serde_json::Value> = rows.into_iter().map(entry_view).collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Page `page` (from 1; `None` is the first) of the audit log, newest
/// first, `per_page` (1 to 200) entries to a page, for `staff`, an
/// instance administrator. The API and the staff pages both read it
/// through here.
pub async fn audit_page(
    state: &AppState,
    staff: &Staff,
    page: Option<u64>,
    per_page: u64,
) -> Result<Vec<AuditEntry>, ApiError> {
    instance_admin_only(staff)?;
    let offset = page_offset(page, per_page)?;
    Ok(state.store.list_audit(per_page, offset).await?)
}

/// The offset of page `page` (from 1; `None` is the first) of `per_page`
/// (1 to 200) entries; `400` for what is out of range.
pub(crate) fn page_offset(page: Option<u64>, per_page: u64) -> Result<u64, ApiError> {
    if !(1..=200).contains(&per_page) {
        return Err(ApiError::BadRequest(
            "query parameter per_page: must be 1 to 200".into(),
        ));
    }
    let page = page.unwrap_or(1).max(1);
    (page - 1)
        .checked_mul(per_page)
        .filter(|o| *o <= i64::MAX as u64)
        .ok_or_else(|| {
            ApiError::BadRequest("query parameter page: is past the last possible page".into())
        })
}

/// An audit entry as the API shows it.
pub(crate) fn entry_view(r: AuditEntry) -> serde_json::Value {
    json!({"id": r.id, "actor": r.actor, "action": r.action, "target": r.target,
        "details": r.details, "at": r.created_at})
}
