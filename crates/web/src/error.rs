//! API errors as RFC 9457 problem details (`application/problem+json`).
//!
//! Each error carries a `detail` that is safe to show a client; causes that
//! are not (database errors) are logged and replaced by a generic message.

use actix_web::{HttpResponse, ResponseError, http::StatusCode, http::header};
use deling_domain::FieldError;
use deling_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem details document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Problem type URI; `about:blank` means the status says it all.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the status.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// For 422 (and a 400 for a bad query parameter or path): every field
    /// that failed, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// Field path, e.g. `links[0].href`.
    pub field: String,
    /// Why it was refused.
    pub problem: String,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed request (bad JSON, bad query).
    #[error("{0}")]
    BadRequest(String),
    /// Query parameters or path segments that can never be valid (a
    /// control character), each named.
    #[error("{} invalid parameter(s)", .0.len())]
    BadParameters(Vec<FieldError>),
    /// No valid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials, not enough rights.
    #[error("{0}")]
    Forbidden(String),
    /// No such thing.
    #[error("{0}")]
    NotFound(String),
    /// Conflicts with stored state.
    #[error("{0}")]
    Conflict(String),
    /// Existed once, withdrawn.
    #[error("{0}")]
    Gone(String),
    /// Body too large.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body did not arrive in time (see `body_deadline`).
    #[error("{0}")]
    RequestTimeout(String),
    /// Wrong content type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Well-formed but invalid values.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// Too many requests (a rate limit or a login lock-out); answered with
    /// `Retry-After`.
    #[error("{detail}")]
    TooManyRequests {
        /// What was limited and when to try again.
        detail: String,
        /// Seconds to wait, for `Retry-After`.
        retry_after: u64,
    },
    /// Another server failed us.
    #[error("{0}")]
    BadGateway(String),
    /// Our fault; the cause is logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(format!("{what} not found")),
            StoreError::Conflict(m) => Self::Conflict(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<deling_federation::policy::PolicyError> for ApiError {
    fn from(e: deling_federation::policy::PolicyError) -> Self {
        use deling_federation::policy::PolicyError as P;
        match e {
            P::OwnDomain(_) => Self::Invalid(vec![deling_domain::FieldError::new("domain", e)]),
            P::NoPolicy(_) | P::NotBlocked(_) => Self::NotFound(e.to_string()),
            P::Store(e) => e.into(),
        }
    }
}

/// All a client learns when another server cannot be reached.
const UNREACHABLE: &str = "the remote server could not be reached";

impl From<deling_federation::error::FedError> for ApiError {
    fn from(e: deling_federation::error::FedError) -> Self {
        use activitypub_federation::error::Error as P;
        use deling_federation::error::FedError as F;
        match e {
            F::Protocol(P::ActivitySignatureInvalid) => {
                Self::Unauthorized("the HTTP signature does not verify".into())
            }
            F::Protocol(P::ActivityBodyDigestInvalid) => {
                Self::Unauthorized("the Digest does not match the body".into())
            }
            F::Protocol(P::ParseReceivedActivity { err, .. }) => {
                Self::BadRequest(format!("not an activity: {err}"))
            }
            F::Protocol(P::UrlVerificationError(why)) => Self::Forbidden(why.to_owned()),
            F::Protocol(P::NotFound) => Self::NotFound("not found".into()),
            F::Protocol(P::WebfingerResolveFailed(e)) => {
                Self::NotFound(format!("WebFinger lookup failed: {e}"))
            }
            // What went wrong reaching another server stays in the log: the
            // library's text names internal addresses and settings.
            F::Protocol(
                e @ (P::Reqwest(_)
                | P::ReqwestMiddleware(_)
                | P::RequestLimit
                | P::ResponseBodyLimit
                | P::DomainResolveError(_)
                | P::ResolveInternalIpError(..)),
            ) => {
                tracing::warn!(cause = %e, "a remote server could not be reached");
                Self::BadGateway(UNREACHABLE.into())
            }
            // The other server answered, with something unusable: that is
            // a fact about the document named, not a failure of ours.
            F::Protocol(
                e
                @ (P::FetchInvalidContentType(_) | P::FetchWrongId(_) | P::ParseFetchedObject(..)),
            ) => {
                tracing::info!(cause = %e, "a remote document could not be used");
                Self::Invalid(vec![deling_domain::FieldError::new(
                    "target",
                    "the other server's document is not an ActivityPub object Deling can use",
                )])
            }
            F::Protocol(P::ObjectDeleted(_)) => {
                Self::Gone("the other server says the object was deleted".into())
            }
            // A remote document that is not UTF-8: only reading a fetched
            // object's body makes one.
            F::Protocol(e @ P::Utf8(_)) => {
                tracing::info!(cause = %e, "a remote document could not be used");
                Self::Invalid(vec![deling_domain::FieldError::new(
                    "target",
                    "the other server's document is not an ActivityPub object Deling can use",
                )])
            }
            // An address the client gave (an id, a handle) that is no URL.
            F::Protocol(P::UrlParse(e)) => Self::BadRequest(format!("not a valid URL: {e}")),
            // Ours alone: signing, our own keys and configuration, the
            // queue, the disk. Their text names internals (a private key's
            // PEM, a queue's state) and none is the client's doing; `Other`
            // is what the library says of its own failures, and the
            // signature checks that could blame a client are Deling's own
            // (`FedError::Unsigned`), not the library's.
            F::Protocol(
                e @ (P::SerializeOutgoingActivity(..)
                | P::SignError(_)
                | P::ActivityQueueError(_)
                | P::StopActivityQueue(_)
                | P::IoError(_)
                | P::Other(_)),
            ) => Self::Internal(e.to_string()),
            F::Store(e) => e.into(),
            F::Json(e) => json_fault(&e),
            F::Refused(why) => Self::Forbidden(why),
            F::Unsigned(why) => Self::Unauthorized(why),
            F::NotFound(what) => Self::NotFound(what),
            F::TimedOut(what) => {
                tracing::warn!(%what, "a remote server timed out");
                Self::BadGateway(UNREACHABLE.into())
            }
        }
    }
}

/// A JSON error from federation: a document the client sent that does
/// not parse (serde_json knows where in the input it failed) is the
/// client's `400`; one without a place in an input (serialising our own
/// values, reading a value already parsed) or an I/O failure is ours.
fn json_fault(e: &serde_json::Error) -> ApiError {
    if e.line() > 0 && !e.is_io() {
        ApiError::BadRequest(format!("malformed JSON: {e}"))
    } else {
        ApiError::Internal(format!("JSON: {e}"))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::BadParameters(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (detail, errors) = match self {
            Self::Invalid(fields) | Self::BadParameters(fields) => (
                format!(
                    "the request has {} invalid {}(s): {}",
                    fields.len(),
                    if matches!(self, Self::Invalid(_)) {
                        "field"
                    } else {
                        "parameter"
                    },
                    fields
                        .iter()
                        .map(|f| f.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                fields
                    .iter()
                    .map(|f| ProblemField {
                        field: f.field.clone(),
                        problem: f.problem.clone(),
                    })
                    .collect(),
            ),
            Self::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    "the server failed to handle the request; the error has been logged".to_owned(),
                    vec![],
                )
            }
            other => (other.to_string(), vec![]),
        };
        let problem = Problem {
            problem_type: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        };
        let mut res = HttpResponse::build(status);
        res.content_type("application/problem+json");
        if status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"deling\""));
        }
        if let Self::TooManyRequests { retry_after, .. } = self {
            res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        res.json(problem)
    }
}

/// Turns actix's JSON body errors into problems: 413 for size, 415 for
/// content type, 400 for the rest (with serde's message, which names the
/// field and line).
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &err {
        E::OverflowKnownLength { length, limit } => {
            ApiError::PayloadTooLarge(format!("the body is {length} bytes; the limit is {limit}"))
        }
        E::Overflow { limit } => {
            ApiError::PayloadTooLarge(format!("the body exceeds the limit of {limit} bytes"))
        }
        E::ContentType => {
            ApiError::UnsupportedMediaType("send the body as application/json".to_owned())
        }
        E::Deserialize(e) => ApiError::BadRequest(format!("the JSON body does not fit: {e}")),
        E::Payload(p) if crate::body_deadline::is_late(p) => {
            ApiError::RequestTimeout(p.to_string())
        }
        other => ApiError::BadRequest(format!("cannot read the body: {other}")),
    };
    api.into()
}

/// Query-string errors as 400 problems.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest(format!("bad query string: {err}")).into()
}

/// Path errors (an id that is not a number) as 400 problems.
pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest(format!("bad path: {err}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use activitypub_federation::error::Error as P;
    use deling_federation::error::FedError;

    async fn answer(e: impl Into<ApiError>) -> (StatusCode, String) {
        let res = e.into().error_response();
        let status = res.status();
        let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[actix_web::test]
    async fn the_libraries_own_failures_are_ours_and_say_nothing() {
        let secret = "Could not create private key from PEM data:-----BEGIN PRIVATE KEY";
        let url = url::Url::parse("https://peer.example/activities/1").unwrap();
        let io = std::io::Error::other("/var/lib/deling/keys: permission denied");
        let unserialisable =
            serde_json::to_string(&std::collections::BTreeMap::from([((1, 2), 3)])).unwrap_err();
        for fault in [
            FedError::Protocol(P::Other(secret.into())),
            FedError::Protocol(P::ActivityQueueError(url.clone())),
            FedError::Protocol(P::IoError(io)),
            FedError::Protocol(P::SerializeOutgoingActivity(
                serde_json::from_str::<u8>("x").unwrap_err(),
                secret.into(),
            )),
            FedError::Json(unserialisable),
        ] {
            let shown = format!("{fault}");
            let (status, body) = answer(fault).await;
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{shown}");
            assert!(body.contains("the error has been logged"), "{body}");
            for inside in ["PEM", "peer.example", "/var/lib", "key must be"] {
                assert!(!body.contains(inside), "{inside} in {body}");
            }
        }
    }

    #[actix_web::test]
    async fn what_a_client_sends_or_names_stays_a_client_error() {
        let not_json = serde_json::from_slice::<serde_json::Value>(b"{").unwrap_err();
        for (e, want) in [
            (
                FedError::Protocol(P::ActivitySignatureInvalid),
                StatusCode::UNAUTHORIZED,
            ),
            (
                FedError::Protocol(P::ParseReceivedActivity {
                    err: serde_json::from_str::<u8>("x").unwrap_err(),
                    id: None,
                }),
                StatusCode::BAD_REQUEST,
            ),
            (
                FedError::Protocol(P::UrlParse(url::ParseError::RelativeUrlWithoutBase)),
                StatusCode::BAD_REQUEST,
            ),
            (FedError::Json(not_json), StatusCode::BAD_REQUEST),
            (FedError::Protocol(P::NotFound), StatusCode::NOT_FOUND),
            (FedError::Protocol(P::RequestLimit), StatusCode::BAD_GATEWAY),
        ] {
            let shown = format!("{e}");
            assert_eq!(answer(e).await.0, want, "{shown}");
        }
    }
}
