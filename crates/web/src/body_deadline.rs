//! A deadline for each request's body. actix times out the request head
//! (`client_request_timeout`) but not the body, so a client that sends a
//! byte now and then holds its connection, and the worker's memory for
//! it, for as long as it likes; the per-address limits count such a
//! request once, when its head arrives. Here the body must have arrived
//! within `http.body_timeout_seconds` (`WebSettings::body_deadline`) of
//! the head: after that the handler's read fails (`408 Request Timeout`),
//! the connection is closed, and nothing is stored.

use crate::error::ApiError;
use actix_web::{
    HttpMessage,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    middleware::Next,
    web::Bytes,
};
use futures_core::Stream;
use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

/// The deadline without settings (a test's app without state): what
/// `config/default.toml` sets.
const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);

/// Middleware: gives every request's body the configured deadline.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let allowed = req
        .app_data::<actix_web::web::Data<crate::AppState>>()
        .map_or(DEFAULT_DEADLINE, |s| s.settings.body_deadline);
    let inner = req.take_payload();
    let body = Deadline {
        inner,
        allowed,
        expired: Box::pin(tokio::time::sleep(allowed)),
    };
    req.set_payload(Payload::from(Box::pin(body) as BoxedBody));
    next.call(req).await
}

/// What actix takes as a request body stream.
type BoxedBody = Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;

/// Reads a whole body of at most `limit` bytes: too large is a `413`, too
/// slow (see [`body_deadline`]) a `408`, each as a problem.
pub async fn read_body(mut payload: Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = actix_web::web::BytesMut::new();
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut payload).poll_next(cx)).await {
        let chunk = chunk.map_err(|e| {
            if is_late(&e) {
                ApiError::RequestTimeout(e.to_string())
            } else {
                ApiError::BadRequest(format!("cannot read the body: {e}"))
            }
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(format!(
                "the body exceeds the limit of {limit} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A body that fails once its deadline has passed.
struct Deadline {
    inner: Payload,
    allowed: Duration,
    expired: Pin<Box<tokio::time::Sleep>>,
}

/// Whether `e` is the failure [`body_deadline`] gives a late body, so that
/// it is answered `408 Request Timeout`, not `400`.
pub fn is_late(e: &PayloadError) -> bool {
    matches!(e, PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.expired.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "the request body did not arrive within {} seconds",
                    self.allowed.as_secs()
                ),
            )))));
        }
        Poll::Pending
    }
}
