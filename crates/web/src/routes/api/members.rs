//! An agency's staff, managed by its admins, and the caller's own roles.

use crate::{
    auth::Authenticated,
    dto::{MeView, MemberBody, MemberView, MembershipView},
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_domain::{FieldError, auth::Role};
use deling_store::{
    queries::audit::Audit,
    records::{Agency, Staff},
};

fn view(staff: &Staff, role: Role) -> MemberView {
    MemberView {
        username: staff.username.clone(),
        role: role.as_str().to_owned(),
        instance_admin: staff.instance_admin,
    }
}

/// Lists an agency's staff with their roles (admins of the agency only).
#[utoipa::path(get, operation_id = "listMembers", path = "/api/v1/agencies/{slug}/members", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug")), security(("bearer" = [])),
    responses((status = 200, body = Vec<MemberView>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    auth.require_agency_admin(&state, &agency).await?;
    let members: Vec<MemberView> = state
        .store
        .list_agency_members(agency.id)
        .await?
        .iter()
        .map(|(s, r)| view(s, *r))
        .collect();
    Ok(HttpResponse::Ok().json(members))
}

/// Gives an existing staff account a role in the agency, or changes it.
/// An agency admin cannot demote the agency's last admin (`409`).
#[utoipa::path(put, operation_id = "setMember", path = "/api/v1/agencies/{slug}/members/{username}", tag = "agencies",
    request_body = MemberBody,
    params(("slug" = String, Path, description = "The agency's slug"),
        ("username" = String, Path, description = "The staff account")),
    security(("bearer" = [])),
    responses((status = 200, body = MemberView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 410, body = Problem), (status = 422, body = Problem)))]
pub async fn put(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
    body: crate::input::JsonBody<MemberBody>,
) -> Result<HttpResponse, ApiError> {
    let (slug, username) = path.into_inner();
    let agency = crate::lookup::agency(&state, &slug).await?;
    auth.require_agency_admin(&state, &agency).await?;
    let role: Role = body
        .into_inner()
        .role
        .parse()
        .map_err(|e| ApiError::Invalid(vec![FieldError::new("role", e)]))?;
    let (staff, _) = set_role(&state, &auth.staff, &agency, &username, Some(role)).await?;
    Ok(HttpResponse::Ok().json(view(&staff, role)))
}

/// Removes a staff member's role in the agency. An agency admin cannot
/// remove the agency's last admin (`409`).
#[utoipa::path(delete, operation_id = "removeMember", path = "/api/v1/agencies/{slug}/members/{username}", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug"),
        ("username" = String, Path, description = "The staff account")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, username) = path.into_inner();
    let agency = crate::lookup::agency(&state, &slug).await?;
    auth.require_agency_admin(&state, &agency).await?;
    let not_member = || ApiError::NotFound(format!("{username:?} has no role in agency {slug:?}"));
    let (_, before) = set_role(&state, &auth.staff, &agency, &username, None)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => not_member(),
            other => other,
        })?;
    before.ok_or_else(not_member)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Gives the staff account `username` the role `role` in `agency` (or
/// takes its role away, with `None`), as `by`, who must manage the agency;
/// with its audit entry (marked as an instance admin's when `by` is one
/// from outside the agency). An agency admin cannot demote or remove the
/// agency's last admin ([`ApiError::Conflict`]); an instance admin can. An
/// unknown account is [`ApiError::NotFound`]. An instance admin from
/// outside the agency cannot change their own role in it
/// ([`ApiError::Forbidden`], see [`refuse_self_grant`]). Returns the
/// account and the role it held before. The API and the staff pages change
/// roles through here.
pub async fn set_role(
    state: &AppState,
    by: &Staff,
    agency: &Agency,
    username: &str,
    role: Option<Role>,
) -> Result<(Staff, Option<Role>), ApiError> {
    let access = crate::auth::require_agency_admin(state, by, agency).await?;
    let staff = state
        .store
        .get_staff_by_username(username)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no staff account {username:?}")))?;
    refuse_self_grant(access, by, &staff, agency)?;
    let action = if role.is_some() {
        "membership.put"
    } else {
        "membership.delete"
    };
    let audit = access.mark(
        Audit::new(
            Some(by.id),
            &by.username,
            action,
            &format!("{}@{}", staff.username, agency.slug),
        ),
        agency,
    );
    let before = state
        .store
        .set_member_role(agency.id, staff.id, role, !by.instance_admin, Some(audit))
        .await?;
    Ok((staff, before))
}

/// Refuses an instance admin from outside `agency` (`access` as
/// [`crate::auth::require_agency_admin`] found it for `by`) who would
/// change their own role in it. A role would put them on the agency's
/// staff, and the agency's private messages are for its staff alone: an
/// instance admin must not be able to let themselves in. Roles for
/// others, and an agency's own staff changing their own, are unaffected;
/// the operator's `deling admin user grant` still can (audited as `cli`).
fn refuse_self_grant(
    access: crate::auth::Access,
    by: &Staff,
    target: &Staff,
    agency: &Agency,
) -> Result<(), ApiError> {
    if access.as_instance_admin && target.id == by.id {
        return Err(ApiError::Forbidden(format!(
            "{} is an instance admin, not on the staff of agency {:?}, and cannot \
             give themselves a role in it; an admin of the agency can, or the operator \
             with `deling admin user grant`",
            by.username, agency.slug
        )));
    }
    Ok(())
}

/// Who the caller is and where they may act.
#[utoipa::path(get, operation_id = "getMe", path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeView), (status = 401, body = Problem)))]
pub async fn me(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let agencies = state
        .store
        .list_memberships(auth.staff.id)
        .await?
        .into_iter()
        .filter(|(a, _)| a.deleted_at.is_none())
        .map(|(a, r)| MembershipView {
            slug: a.slug,
            name: a.name,
            role: r.as_str().to_owned(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(MeView {
        username: auth.staff.username,
        instance_admin: auth.staff.instance_admin,
        agencies,
    }))
}
