//! Bearer-token authentication (with the per-token rate limit) and the
//! rules for who may write what, shared with the staff pages' sessions
//! (`crate::session`).

use crate::{error::ApiError, ratelimit::too_many, state::AppState};
use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use deling_domain::auth::{Role, token_hash};
use deling_store::records::{Agency, ApiToken, Staff};
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
    ) -> Result<Role, ApiError> {
        require_editor(state, &self.staff, agency).await
    }

    /// Succeeds when the caller manages `agency`; see
    /// [`require_agency_admin`].
    pub async fn require_agency_admin(
        &self,
        state: &AppState,
        agency: &Agency,
    ) -> Result<(), ApiError> {
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

/// Succeeds when `staff` may publish and edit for `agency`: an editor or
/// admin of it, or an instance admin. The same rule for a bearer token and
/// for a web session.
pub async fn require_editor(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
) -> Result<Role, ApiError> {
    if staff.instance_admin {
        return Ok(Role::Admin);
    }
    state
        .store
        .get_role(staff.id, agency.id)
        .await?
        .ok_or_else(|| {
            ApiError::Forbidden(format!(
                "{} has no role in agency {:?}",
                staff.username, agency.slug
            ))
        })
}

/// Succeeds when `staff` manages `agency` (its profile and its staff): an
/// admin of it, or an instance admin. Editors get 403.
pub async fn require_agency_admin(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
) -> Result<(), ApiError> {
    match require_editor(state, staff, agency).await? {
        Role::Admin => Ok(()),
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
