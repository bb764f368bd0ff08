//! `POST /inbox` and `POST /agencies/{slug}/inbox`: signed activities in.
//!
//! Rate limits come first, per client address and per remote host (the
//! host of the signature's `keyId`, read without fetching anything), so a
//! flood is turned away with `429` before any signature work.

use crate::{
    error::ApiError,
    ratelimit::{ip_key, signature_key_host, too_many},
    state::AppState,
};
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
    deling_federation::signed_fetch::refuse_authorization_signature(
        req.headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
    )?;
    let covered = deling_federation::signed_fetch::covered_headers(signature).ok_or_else(|| {
        unauthorized("the signature does not say (unambiguously) which headers it covers")
    })?;
    let covered: Vec<&str> = covered.iter().map(String::as_str).collect();
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

/// Takes one delivery from the client address's bucket and, when the
/// request names a signing key, from its host's. Returns that host.
fn check_limits(state: &AppState, req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let limiters = &state.limiters;
    limiters
        .inbox_per_ip
        .check(&ip_key(state.client_ip(req)))
        .map_err(|wait| too_many("too many deliveries from this address", wait))?;
    let host = signature_key_host(req.headers());
    if let Some(host) = &host {
        limiters
            .inbox_per_host
            .check(host)
            .map_err(|wait| too_many(&format!("too many deliveries from {host}"), wait))?;
    }
    Ok(host)
}

/// The rate limits as an extractor, so that a handler lists it before the
/// body and a limited request is refused without reading the body. Holds
/// the host of the signing key, if the request names one.
pub struct InboxAllowance(Option<String>);

impl actix_web::FromRequest for InboxAllowance {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let result = match req.app_data::<web::Data<AppState>>() {
            None => Err(ApiError::Internal("app state missing".into())),
            Some(state) => check_limits(state, req)
                .map(InboxAllowance)
                .inspect_err(|_| rejected(state)),
        };
        std::future::ready(result)
    }
}

fn rejected(state: &AppState) {
    state
        .federation
        .metrics
        .inbox
        .with_label_values(&["rejected"])
        .inc();
}

async fn receive(
    state: &AppState,
    host: Option<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let result = receive_checked(state, req, body).await;
    if let (Err(ApiError::Unauthorized(_)), Some(host)) = (&result, &host) {
        // The signature did not verify, so the request need not have come
        // from that host: give its delivery back, or anyone could use up a
        // peer's budget by naming its key.
        state.limiters.inbox_per_host.refund(host);
    }
    if result.is_err() {
        rejected(state);
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
    allowed: InboxAllowance,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    receive(&state, allowed.0, req, body).await
}

/// An agency's own inbox.
pub async fn agency(
    state: web::Data<AppState>,
    req: HttpRequest,
    allowed: InboxAllowance,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    crate::routes::api::agencies::find(&state, &slug).await?;
    receive(&state, allowed.0, req, body).await
}
