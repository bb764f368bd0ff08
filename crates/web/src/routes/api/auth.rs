//! Logging in and out.

use crate::{
    auth::Authenticated,
    dto::{LoginBody, ObjectOnly, TokenView},
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_domain::auth::{NewToken, Password, verify_password};
use std::sync::LazyLock;

/// A real argon2id hash of a random string: verifying against it costs what
/// a real check costs, so response time does not tell which usernames exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let random = NewToken::generate().secret;
    Password::parse(&random)
        .map(|p| p.hash())
        .unwrap_or_default()
});

/// Exchanges username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = TokenView), (status = 401, body = Problem), (status = 400, body = Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<ObjectOnly<LoginBody>>,
) -> Result<HttpResponse, ApiError> {
    let LoginBody { username, password } = body.into_inner().0;
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
        _ => return Err(ApiError::Unauthorized("wrong username or password".into())),
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
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    state.store.revoke_token(auth.token.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
