//! A staff member's own API tokens: list them, revoke one.

use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use deling_store::records::ApiToken;
use serde::Serialize;
use utoipa::ToSchema;

/// One of the caller's tokens. The secret is never shown again after it
/// is issued; only its hash is stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    /// Id, for `DELETE /api/v1/auth/tokens/{id}`.
    pub id: i64,
    /// What it is for (`login` for tokens from `POST /api/v1/auth/login`).
    pub label: Option<String>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it was last used (recorded at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it stops working; `null` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Neither revoked nor expired.
    pub active: bool,
    /// The token this request is made with.
    pub current: bool,
}

impl TokenInfo {
    fn new(t: ApiToken, current_id: i64, now: DateTime<Utc>) -> Self {
        Self {
            active: t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now),
            current: t.id == current_id,
            id: t.id,
            label: t.label,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// The caller's tokens, newest first, including revoked and expired ones.
#[utoipa::path(get, operation_id = "listTokens", path = "/api/v1/auth/tokens", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenInfo>), (status = 401, body = Problem),
        (status = 429, body = Problem, headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let tokens: Vec<TokenInfo> = state
        .store
        .list_tokens(auth.staff.id)
        .await?
        .into_iter()
        .map(|t| TokenInfo::new(t, auth.token.id, now))
        .collect();
    Ok(HttpResponse::Ok().json(tokens))
}

/// Revokes one of the caller's tokens (revoking it again is harmless).
/// Another account's token is `404`, as if it did not exist.
#[utoipa::path(delete, operation_id = "revokeToken", path = "/api/v1/auth/tokens/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 429, body = Problem, headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub async fn revoke(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let own = state
        .store
        .list_tokens(auth.staff.id)
        .await?
        .iter()
        .any(|t| t.id == id);
    if !own {
        return Err(ApiError::NotFound(format!("token {id} not found")));
    }
    state.store.revoke_token(id).await?;
    Ok(HttpResponse::NoContent().finish())
}
