//! Logging in and out.
//!
//! The lock-out is [`crate::login`]'s, shared with the login page: while a
//! name is locked, login answers 429 without looking at the password.

use crate::{
    auth::Authenticated,
    dto::{LoginBody, TokenView},
    error::{ApiError, Problem},
    login::{LoginAllowance, Refused, check_password},
    ratelimit::too_many,
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_domain::auth::NewToken;

/// Exchanges username and password for a bearer token.
///
/// `429` (with `Retry-After`) when this address has tried too often, or
/// while the username is locked after failed attempts.
#[utoipa::path(post, operation_id = "login", path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = TokenView), (status = 401, body = Problem), (status = 400, body = Problem),
        (status = 429, body = Problem, headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub async fn login(
    state: web::Data<AppState>,
    _allowed: LoginAllowance,
    body: crate::input::JsonBody<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let LoginBody { username, password } = body.into_inner();
    if !state.settings.password_login {
        return Err(ApiError::Forbidden(
            "password login is turned off on this instance; log in with single sign-on".into(),
        ));
    }
    let staff = match check_password(&state, &username, password).await? {
        Ok(staff) => staff,
        Err(Refused::Locked(wait)) => {
            return Err(too_many("too many failed logins for this username", wait));
        }
        Err(Refused::Wrong) => {
            return Err(ApiError::Unauthorized("wrong username or password".into()));
        }
    };
    let token = NewToken::generate();
    let expires_at = chrono::Utc::now() + state.settings.token_lifetime;
    let row = state
        .store
        .put_token(staff.id, token.hash, Some("login".into()), Some(expires_at))
        .await?;
    Ok(HttpResponse::Ok().json(TokenView {
        token: token.secret,
        expires_at: row.expires_at,
    }))
}

/// Revokes the token this request is made with.
#[utoipa::path(delete, operation_id = "logout", path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    state.store.revoke_token(auth.token.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
