//! Agencies.

use crate::{
    auth::Authenticated,
    dto::{AgencyBody, AgencyView},
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_domain::agency::{AgencyProfile, RawAgencyProfile};
use deling_store::{
    queries::{agency::stored_profile, audit::Audit},
    records::{Agency, Staff},
};

/// Lists the agencies on this instance.
#[utoipa::path(get, operation_id = "listAgencies", path = "/api/v1/agencies", tag = "agencies",
    responses((status = 200, body = Vec<AgencyView>)))]
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let agencies = state.store.list_agencies().await?;
    let views: Vec<AgencyView> = agencies
        .into_iter()
        .map(|a| AgencyView::new(&state, a))
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Shows one agency.
#[utoipa::path(get, operation_id = "getAgency", path = "/api/v1/agencies/{slug}", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug")),
    responses((status = 200, body = AgencyView), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    Ok(HttpResponse::Ok().json(AgencyView::new(&state, agency)))
}

/// Changes an agency's public profile (name, description, web site, logo,
/// organisation number). Followers get an `Update` of the agency's actor;
/// a request that changes nothing sends nothing.
#[utoipa::path(patch, operation_id = "updateAgency", path = "/api/v1/agencies/{slug}", tag = "agencies", request_body = AgencyBody,
    params(("slug" = String, Path, description = "The agency's slug")),
    security(("bearer" = [])),
    responses((status = 200, body = AgencyView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 410, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
    body: crate::input::JsonBody<AgencyBody>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    auth.require_agency_admin(&state, &agency).await?;
    let patch = RawAgencyProfile::try_from(body.into_inner()).map_err(ApiError::Invalid)?;
    let updated = update_profile(&state, &auth.staff, agency, patch).await?;
    Ok(HttpResponse::Ok().json(AgencyView::new(&state, updated)))
}

/// Lays `patch` over `agency`'s profile and stores it, as `staff` (who
/// must manage the agency), with its audit entry (marked as an instance
/// admin's when `staff` is one from outside the agency); followers get an
/// `Update` of the actor. Bad fields are [`ApiError::Invalid`], each named
/// as in [`AgencyBody`], and nothing is stored. A patch that changes
/// nothing writes nothing and notifies no one. The API's `PATCH` and the
/// staff pages' profile form both change a profile through here.
pub async fn update_profile(
    state: &AppState,
    staff: &Staff,
    agency: Agency,
    patch: RawAgencyProfile,
) -> Result<Agency, ApiError> {
    let access = crate::auth::require_agency_admin(state, staff, &agency).await?;
    let current = stored_profile(&agency);
    let profile = AgencyProfile::parse(patch.over(current.clone())).map_err(ApiError::Invalid)?;
    // Compared as stored (an unchanged summary renders the same HTML), so
    // re-sending the same profile neither writes nor notifies anyone.
    if AgencyProfile::parse(current).ok().as_ref() == Some(&profile) {
        return Ok(agency);
    }
    let audit = access.mark(
        Audit::new(
            Some(staff.id),
            &staff.username,
            "agency.update",
            &agency.slug,
        )
        .with(
            "changed",
            changed_fields(&stored_profile(&agency), &profile.to_raw()),
        ),
        &agency,
    );
    let updated = state
        .store
        .update_agency_profile(agency.id, &profile, agency.updated_at, Some(&audit))
        .await?;
    state.wake_federation();
    Ok(updated)
}

/// Withdraws an agency (instance admins only): its items become tombstones,
/// its actor, WebFinger and pages answer 410, its staff lose their roles
/// in it, and its followers get a `Delete` of the actor. It cannot be
/// undone, and the slug is not given out again.
#[utoipa::path(delete, operation_id = "withdrawAgency", path = "/api/v1/agencies/{slug}", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    if !auth.staff.instance_admin {
        return Err(ApiError::Forbidden(format!(
            "only an instance admin may withdraw agency {:?}",
            agency.slug
        )));
    }
    let audit = Audit::new(
        Some(auth.staff.id),
        &auth.staff.username,
        "agency.withdraw",
        &agency.slug,
    );
    state.store.withdraw_agency(agency.id, Some(audit)).await?;
    state.wake_federation();
    Ok(HttpResponse::NoContent().finish())
}

/// Which profile fields a change touches, for the audit log.
fn changed_fields(before: &RawAgencyProfile, after: &RawAgencyProfile) -> Vec<&'static str> {
    [
        ("name", before.name != after.name),
        ("summary", before.summary != after.summary),
        ("website", before.website != after.website),
        ("icon_url", before.icon_url != after.icon_url),
        ("org_number", before.org_number != after.org_number),
        ("indexable", before.indexable != after.indexable),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}
