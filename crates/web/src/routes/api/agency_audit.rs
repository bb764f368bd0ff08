//! `GET /api/v1/agencies/{slug}/audit`: what was done in an agency's name
//! or to it, newest first, for its admins: profile and staff changes,
//! moderation, blocks, and every write an instance admin from outside
//! the agency made for it (marked `"as_instance_admin": true`), so that
//! an agency sees who acted in its name without reading the instance's
//! whole log.

use super::admin::audit::{AuditQuery, entry_view, page_offset};
use crate::{
    auth::{Authenticated, require_agency_admin},
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_store::{
    queries::audit::AuditEntry,
    records::{Agency, Staff},
};

/// A page of the agency's audit entries.
#[utoipa::path(get, operation_id = "listAgencyAudit", path = "/api/v1/agencies/{slug}/audit", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug"), AuditQuery), security(("bearer" = [])),
    responses((status = 200, description = "The agency's audit entries, newest first"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    let rows = agency_audit_page(
        &state,
        &auth.staff,
        &agency,
        q.page,
        q.per_page.unwrap_or(50),
    )
    .await?;
    let views: Vec<serde_json::Value> = rows.into_iter().map(entry_view).collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Page `page` (from 1) of `agency`'s audit entries, `per_page` (1 to
/// 200) to a page, for `staff`, an admin of it or an instance admin. The
/// API and the staff pages read it through here.
pub async fn agency_audit_page(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
    page: Option<u64>,
    per_page: u64,
) -> Result<Vec<AuditEntry>, ApiError> {
    require_agency_admin(state, staff, agency).await?;
    let offset = page_offset(page, per_page)?;
    Ok(state
        .store
        .list_agency_audit(agency.id, per_page, offset)
        .await?)
}
