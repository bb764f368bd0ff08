//! Request timing for `/metrics`, labelled by route pattern (not the raw
//! path, which would give every item its own series) and status class.

use crate::state::AppState;
use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use std::time::Instant;

/// Middleware for `actix_web::middleware::from_fn`.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    if let Some(state) = state {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        state
            .federation
            .metrics
            .http_requests
            .with_label_values(&[route.as_str(), class(res.status().as_u16())])
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}

/// The status class label (`2xx`), without formatting one per request.
fn class(status: u16) -> &'static str {
    const CLASSES: [&str; 10] = [
        "0xx", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx",
    ];
    // Status codes run from 100 to 999.
    CLASSES[usize::from(status / 100).min(9)]
}
