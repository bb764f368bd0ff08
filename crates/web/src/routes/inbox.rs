//! `POST /inbox` and `POST /agencies/{slug}/inbox`: signed activities in.

use crate::{error::ApiError, state::AppState};
use activitypub_federation::actix_web::inbox::receive_activity_with_hook;
use actix_web::{HttpRequest, HttpResponse, web};
use deling_federation::{
    context::FedContext,
    inbox::{Envelope, StoreHook},
    objects::actors::DbRemoteActor,
};

/// How far in the past a signed Date may be (as activitypub_federation's
/// own expiry) and how far ahead (clock skew).
const MAX_AGE: chrono::Duration = chrono::Duration::hours(1);
const MAX_AHEAD: chrono::Duration = chrono::Duration::minutes(15);

/// What activitypub_federation leaves open: the signature must cover the
/// request target, Host, Digest and a Date (or `(created)`), and the Date
/// must be recent and not in the future, so a captured request cannot be
/// replayed later or aimed at another server.
fn check_signature_params(req: &HttpRequest) -> Result<(), ApiError> {
    let unauthorized = |m: &str| ApiError::Unauthorized(m.to_owned());
    let signature = req
        .headers()
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("the request carries no HTTP signature"))?;
    let covered = signature
        .split(',')
        .find_map(|p| p.trim().strip_prefix("headers="))
        .map(|v| v.trim_matches('"').to_ascii_lowercase())
        .ok_or_else(|| unauthorized("the signature does not say which headers it covers"))?;
    let covered: Vec<&str> = covered.split_whitespace().collect();
    for needed in ["(request-target)", "host", "digest"] {
        if !covered.contains(&needed) {
            return Err(ApiError::Unauthorized(format!(
                "the signature must cover {needed}"
            )));
        }
    }
    if !covered.contains(&"date") && !covered.contains(&"(created)") {
        return Err(unauthorized("the signature must cover date"));
    }
    if covered.contains(&"date") {
        let date = req
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .ok_or_else(|| unauthorized("the Date header is missing or unreadable"))?;
        let age = chrono::Utc::now() - date.with_timezone(&chrono::Utc);
        if age > MAX_AGE || -age > MAX_AHEAD {
            return Err(unauthorized("the Date is outside the accepted window"));
        }
    }
    Ok(())
}

async fn receive(
    state: &AppState,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let result = receive_checked(state, req, body).await;
    if result.is_err() {
        state
            .federation
            .metrics
            .inbox
            .with_label_values(&["rejected"])
            .inc();
    }
    result
}

async fn receive_checked(
    state: &AppState,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    check_signature_params(&req)?;
    let data = state.fed_data();
    match receive_activity_with_hook::<Envelope, DbRemoteActor, FedContext>(
        req, body, StoreHook, &data,
    )
    .await
    {
        Ok(_) => Ok(HttpResponse::Accepted().finish()),
        // The actor is gone (its document answers 410): there is nobody
        // left to verify or to act for, so acknowledge and drop it, as
        // Mastodon does for the Deletes of vanished accounts.
        Err(deling_federation::error::FedError::Protocol(
            activitypub_federation::error::Error::ObjectDeleted(_),
        )) => Ok(HttpResponse::Accepted().finish()),
        // The library reports expired and malformed signatures as "other".
        Err(deling_federation::error::FedError::Protocol(
            activitypub_federation::error::Error::Other(why),
        )) => {
            tracing::info!(%why, "inbox refused a signature");
            Err(ApiError::Unauthorized(format!(
                "the HTTP signature does not verify: {why}"
            )))
        }
        Err(e) => {
            let e = ApiError::from(e);
            tracing::info!(error = %e, "inbox refused an activity");
            Err(e)
        }
    }
}

/// The shared inbox.
pub async fn shared(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    receive(&state, req, body).await
}

/// An agency's own inbox.
pub async fn agency(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    crate::routes::api::agencies::find(&state, &slug).await?;
    receive(&state, req, body).await
}
