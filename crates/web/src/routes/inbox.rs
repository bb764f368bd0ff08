//! `POST /inbox` and `POST /agencies/{slug}/inbox`: signed activities in.
//!
//! The per-address rate limit comes first, before the body is read; the
//! per-host limit comes once the signature has verified, and counts the
//! host of the actor whose key it verified with (see
//! `deling_federation::signature`), so no `keyId` can dodge it.

use crate::{
    error::ApiError,
    ratelimit::{ip_key, too_many},
    state::AppState,
};
use activitypub_federation::traits::Object;
use actix_web::{HttpRequest, HttpResponse, web};
use deling_federation::{
    error::FedError,
    inbox::{accept_delivery, verify_delivery},
    signature::SignedRequest,
    urls::authority,
};

/// Takes one delivery from the client address's bucket.
fn check_ip_limit(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    state
        .limiters
        .inbox_per_ip
        .check(&ip_key(state.client_ip(req)))
        .map_err(|wait| too_many("too many deliveries from this address", wait))
}

/// The per-address limit as an extractor, so that a handler lists it
/// before the body and a limited request is refused without reading it.
pub struct InboxAllowance;

impl actix_web::FromRequest for InboxAllowance {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let result = match req.app_data::<web::Data<AppState>>() {
            None => Err(ApiError::Internal("app state missing".into())),
            Some(state) => check_ip_limit(state, req)
                .map(|()| InboxAllowance)
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
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let result = receive_checked(state, &req, &body).await;
    if let Err(e) = &result {
        tracing::info!(error = %e, "inbox refused an activity");
        rejected(state);
    }
    result
}

async fn receive_checked(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let (headers, path) = crate::signed::signed_parts(state, req);
    let data = state.fed_data();
    let request = SignedRequest {
        method: "POST",
        path_and_query: &path,
        headers,
    };
    let delivery = match verify_delivery(request, body, &data).await {
        Ok(d) => d,
        // The signer is gone (its document answers 410): there is nobody
        // left to verify or to act for, so acknowledge and drop it, as
        // Mastodon does for the Deletes of vanished accounts.
        Err(FedError::Protocol(activitypub_federation::error::Error::ObjectDeleted(_))) => {
            return Ok(HttpResponse::Accepted().finish());
        }
        Err(e) => return Err(e.into()),
    };
    // Counted by the host whose key verified, never by what keyId claims:
    // a sender cannot open fresh budgets by naming other hosts.
    let host = authority(delivery.signer.id());
    state
        .limiters
        .inbox_per_host
        .check(&host)
        .map_err(|wait| too_many(&format!("too many deliveries from {host}"), wait))?;
    accept_delivery(delivery, &data).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// The shared inbox.
pub async fn shared(
    state: web::Data<AppState>,
    req: HttpRequest,
    _allowed: InboxAllowance,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = read(&state, body).await?;
    receive(&state, req, body).await
}

/// An agency's own inbox.
pub async fn agency(
    state: web::Data<AppState>,
    req: HttpRequest,
    _allowed: InboxAllowance,
    slug: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    crate::lookup::agency(&state, &slug).await?;
    let body = read(&state, body).await?;
    receive(&state, req, body).await
}

/// The body, within the size limit and the body deadline, or a problem
/// (`413`, `408`) counted as a refusal.
async fn read(state: &AppState, body: web::Payload) -> Result<web::Bytes, ApiError> {
    crate::body_deadline::read_body(body.into_inner(), state.settings.max_body_bytes)
        .await
        .inspect_err(|_| rejected(state))
}
