//! Logging in and out.
//!
//! Logins are limited per client address (in this process) and per
//! username (in the database, so every process agrees): after
//! `limits.login_lockout_failures` failures in a row the name is locked,
//! first for `limits.login_lockout_base_seconds`, doubling with every
//! further failure up to `limits.login_lockout_max_seconds`. While it is
//! locked, login answers 429 without looking at the password, for names
//! with and without an account alike.

use crate::{
    auth::Authenticated,
    dto::{LoginBody, TokenView},
    error::{ApiError, Problem},
    ratelimit::{ip_key, too_many},
    state::AppState,
};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use deling_domain::auth::{NewToken, Password, verify_password};
use std::sync::LazyLock;

/// How often one process removes failed-login rows that no longer matter.
const PRUNE_LOGIN_ROWS_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// A real argon2id hash of a random string: verifying against it costs what
/// a real check costs, so response time does not tell which usernames exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let random = NewToken::generate().secret;
    Password::parse(&random)
        .map(|p| p.hash())
        .unwrap_or_default()
});

/// The per-address limit on login attempts, as an extractor that a
/// handler lists before the body, so it is checked first.
pub struct LoginAllowance;

impl FromRequest for LoginAllowance {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = match req.app_data::<web::Data<AppState>>() {
            None => Err(ApiError::Internal("app state missing".into())),
            Some(state) => state
                .limiters
                .login_per_ip
                .check(&ip_key(state.client_ip(req)))
                .map(|()| LoginAllowance)
                .map_err(|wait| too_many("too many login attempts from this address", wait)),
        };
        std::future::ready(result)
    }
}

/// The name failed logins are counted under: the username as typed,
/// trimmed and lower-cased, at most as long as a username can be.
fn lockout_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(64).collect()
}

/// Counts a failed login and, now and then, removes rows of names whose
/// failures are forgotten.
async fn count_failure(state: &AppState, key: &str) -> Result<(), ApiError> {
    let policy = state.lockout_policy();
    state.store.put_login_failure(key, &policy).await?;
    if state.limiters.login_prune_due(PRUNE_LOGIN_ROWS_EVERY) {
        let before = chrono::Utc::now() - policy.forget_after;
        if let Err(e) = state.store.delete_stale_login_attempts(before).await {
            tracing::warn!(error = %e, "cannot prune failed-login rows");
        }
    }
    Ok(())
}

/// Exchanges username and password for a bearer token.
///
/// `429` (with `Retry-After`) when this address has tried too often, or
/// while the username is locked after failed attempts.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = TokenView), (status = 401, body = Problem), (status = 400, body = Problem),
        (status = 429, body = Problem, headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub async fn login(
    state: web::Data<AppState>,
    _allowed: LoginAllowance,
    body: crate::input::JsonBody<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let LoginBody { username, password } = body.into_inner();
    let key = lockout_key(&username);
    if let Some(until) = state.store.get_login_lock(&key).await? {
        let wait = (until - chrono::Utc::now()).to_std().unwrap_or_default();
        return Err(too_many("too many failed logins for this username", wait));
    }
    let staff = state.store.get_staff_by_username(&username).await?;
    let hash = staff
        .as_ref()
        .filter(|s| s.disabled_at.is_none())
        .map(|s| s.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    // argon2 is deliberately slow: keep it off the async workers.
    let ok = web::block(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let staff = match staff {
        Some(s) if ok && s.disabled_at.is_none() => s,
        _ => {
            count_failure(&state, &key).await?;
            return Err(ApiError::Unauthorized("wrong username or password".into()));
        }
    };
    state.store.delete_login_failures(&key).await?;
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
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    state.store.revoke_token(auth.token.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
