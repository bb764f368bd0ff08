//! `HEAD` answered as `GET` without the body (RFC 9110, 9.3.2: a server
//! that answers `GET` answers `HEAD`), for every route: uptime monitors
//! and link checkers ask with it.
//!
//! The routes are declared for `GET` only, so the request goes on as a
//! `GET`; actix-http remembers that the request on the wire was a `HEAD`
//! and sends the answer's head alone, its `Content-Length` that of the
//! body it leaves out.

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
};

/// Paths whose `GET` acts rather than reads: single sign-on's start
/// (writes a pending login, asks the identity provider) and callback
/// (consumes the pending login). A `HEAD` of them (a link checker, a
/// prefetch) must not do that, so it is not routed there.
const ACTING_GETS: &str = "/login/oidc";

/// Middleware: routes a `HEAD` request as the `GET` it asks about.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD && !req.path().starts_with(ACTING_GETS) {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
