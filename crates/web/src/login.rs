//! Checking a username and password, for the API's token login and the
//! staff pages' login form alike, so both share one lock-out.
//!
//! Logins are limited per client address (in this process, see
//! [`LoginAllowance`]) and per username (in the database, so every process
//! agrees): after `limits.login_lockout_failures` failures in a row the
//! name is locked, first for `limits.login_lockout_base_seconds`, doubling
//! with every further failure up to `limits.login_lockout_max_seconds`.
//! While it is locked, a login is refused without looking at the password,
//! for names with and without an account alike.

use crate::{
    error::ApiError,
    ratelimit::{ip_key, too_many},
    state::AppState,
};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use deling_domain::auth::{NewToken, Password, verify_password};
use deling_store::records::Staff;
use std::{sync::LazyLock, time::Duration};

/// How often one process removes failed-login rows that no longer matter.
const PRUNE_LOGIN_ROWS_EVERY: Duration = Duration::from_secs(3600);

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
        std::future::ready(allowance(req))
    }
}

/// The per-address check of [`LoginAllowance`], for handlers that answer
/// its refusal themselves (the login page shows it on the form).
pub fn allowance(req: &HttpRequest) -> Result<LoginAllowance, ApiError> {
    match req.app_data::<web::Data<AppState>>() {
        None => Err(ApiError::Internal("app state missing".into())),
        Some(state) => state
            .limiters
            .login_per_ip
            .check(&ip_key(state.client_ip(req)))
            .map(|()| LoginAllowance)
            .map_err(|wait| too_many("too many login attempts from this address", wait)),
    }
}

/// Why a login was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The username is locked after failed attempts, for this long.
    Locked(Duration),
    /// No such account, a disabled one, or the wrong password: which of
    /// them is not told.
    Wrong,
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

/// Checks `username` and `password` under the lock-out: the account, or
/// why not. The caller has already passed [`LoginAllowance`].
pub async fn check_password(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<Result<Staff, Refused>, ApiError> {
    let key = lockout_key(username);
    let _turn = state.limiters.login_turn(&key).await;
    if let Some(until) = state.store.get_login_lock(&key).await? {
        let wait = (until - chrono::Utc::now()).to_std().unwrap_or_default();
        return Ok(Err(Refused::Locked(wait)));
    }
    let staff = state.store.get_staff_by_username(username.trim()).await?;
    let hash = staff
        .as_ref()
        .filter(|s| s.disabled_at.is_none())
        .map(|s| s.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    // argon2 is deliberately slow: keep it off the async workers.
    let ok = web::block(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    match staff {
        Some(s) if ok && s.disabled_at.is_none() => {
            state.store.delete_login_failures(&key).await?;
            Ok(Ok(s))
        }
        _ => {
            count_failure(state, &key).await?;
            Ok(Err(Refused::Wrong))
        }
    }
}
