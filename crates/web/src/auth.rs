//! Bearer-token authentication (with the per-token rate limit) and the
//! rules for who may write what, shared with the staff pages' sessions
//! (`crate::session`).

use crate::{error::ApiError, ratelimit::too_many, state::AppState};
use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use deling_domain::auth::{Role, token_hash};
use deling_store::{
    queries::audit::Audit,
    records::{Agency, ApiToken, Staff},
};
use std::{future::Future, pin::Pin};

/// The staff member behind a valid bearer token.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The account.
    pub staff: Staff,
    /// The token used.
    pub token: ApiToken,
}

impl Authenticated {
    /// Succeeds when the caller may publish and edit for `agency`; see
    /// [`require_editor`].
    pub async fn require_editor(
        &self,
        state: &AppState,
        agency: &Agency,
    ) -> Result<Access, ApiError> {
        require_editor(state, &self.staff, agency).await
    }

    /// Succeeds when the caller manages `agency`; see
    /// [`require_agency_admin`].
    pub async fn require_agency_admin(
        &self,
        state: &AppState,
        agency: &Agency,
    ) -> Result<Access, ApiError> {
        require_agency_admin(state, &self.staff, agency).await
    }

    /// Succeeds when the caller is on `agency`'s own staff; see
    /// [`require_member`].
    pub async fn require_member(
        &self,
        state: &AppState,
        agency: &Agency,
    ) -> Result<Role, ApiError> {
        require_member(state, &self.staff, agency).await
    }
}

/// What lets a staff member act for an agency, as [`require_editor`] and
/// [`require_agency_admin`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// The role the staff member acts with (an instance admin acts as an
    /// admin of every agency).
    pub role: Role,
    /// The right comes from being an instance admin alone: the staff
    /// member is not on the agency's own staff.
    pub as_instance_admin: bool,
}

impl Access {
    /// The audit entry for an action the agency's own staff may take
    /// unrecorded (publishing, sharing, following, commenting): `Some`
    /// only when an instance admin from outside the agency takes it, so
    /// the agency can learn that someone not on its staff acted in its
    /// name. See [`Access::mark`] for what the entry says.
    pub fn audit(
        &self,
        staff: &Staff,
        agency: &Agency,
        action: &str,
        target: &str,
    ) -> Option<Audit> {
        self.as_instance_admin.then(|| {
            self.mark(
                Audit::new(Some(staff.id), &staff.username, action, target),
                agency,
            )
        })
    }

    /// `audit` (an entry written whoever acts), filed under `agency` for
    /// its admins to read, and saying which agency was acted for and that
    /// it was by an instance admin not on its staff (`as_instance_admin:
    /// true`) when that is so.
    pub fn mark(&self, audit: Audit, agency: &Agency) -> Audit {
        let audit = audit.for_agency(agency.id);
        if self.as_instance_admin {
            audit
                .with("agency", agency.slug.as_str())
                .with("as_instance_admin", true)
        } else {
            audit
        }
    }
}

/// Succeeds when `staff` may publish and edit for `agency`: an editor or
/// admin of it, or an instance admin. The same rule for a bearer token and
/// for a web session. The [`Access`] says which of these it is, so the
/// caller can record an instance admin acting for an agency they are not
/// on the staff of.
pub async fn require_editor(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
) -> Result<Access, ApiError> {
    let member = state.store.get_role(staff.id, agency.id).await?;
    match member {
        // An instance admin manages every agency, whatever their role in
        // it: an editor of it does not lose the agency admin's rights.
        _ if staff.instance_admin => Ok(Access {
            role: Role::Admin,
            as_instance_admin: member.is_none(),
        }),
        Some(role) => Ok(Access {
            role,
            as_instance_admin: false,
        }),
        None => Err(ApiError::Forbidden(format!(
            "{} has no role in agency {:?}",
            staff.username, agency.slug
        ))),
    }
}

/// Succeeds when `staff` manages `agency` (its profile and its staff): an
/// admin of it, or an instance admin. Editors get 403.
pub async fn require_agency_admin(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
) -> Result<Access, ApiError> {
    let access = require_editor(state, staff, agency).await?;
    match access.role {
        Role::Admin => Ok(access),
        Role::Editor => Err(ApiError::Forbidden(format!(
            "{} is an editor of agency {:?}; managing the agency needs an admin of it",
            staff.username, agency.slug
        ))),
    }
}

/// Succeeds when `staff` is on `agency`'s own staff (an editor or admin of
/// it). Unlike [`require_editor`], being an instance admin is not enough:
/// what people write to an agency privately is for that agency's staff
/// alone.
pub async fn require_member(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
) -> Result<Role, ApiError> {
    state
        .store
        .get_role(staff.id, agency.id)
        .await?
        .ok_or_else(|| {
            ApiError::Forbidden(format!(
                "{} is not on the staff of agency {:?}; its messages are for its staff only",
                staff.username, agency.slug
            ))
        })
}

/// Succeeds when `staff` administers the whole instance.
pub fn require_instance_admin(staff: &Staff) -> Result<(), ApiError> {
    if staff.instance_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "{} is not an instance administrator",
            staff.username
        )))
    }
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_owned));
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("app state missing".into()))?;
            let value = match header {
                None => {
                    return Err(ApiError::Unauthorized(
                        "this needs an Authorization: Bearer <token> header".into(),
                    ));
                }
                Some(Err(_)) => {
                    return Err(ApiError::Unauthorized(
                        "the Authorization header is not text".into(),
                    ));
                }
                Some(Ok(v)) => v,
            };
            let secret = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    ApiError::Unauthorized(
                        "the Authorization header must be 'Bearer <token>'".into(),
                    )
                })?;
            let Some((token, staff)) = state.store.get_token_owner(&token_hash(secret)).await?
            else {
                return Err(ApiError::Unauthorized(
                    "the token is unknown, expired or revoked".into(),
                ));
            };
            state
                .limiters
                .api_per_token
                .check(&token.id.to_string())
                .map_err(|wait| too_many("too many requests with this token", wait))?;
            Ok(Self { staff, token })
        })
    }
}
