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
        let class = format!("{}xx", res.status().as_u16() / 100);
        state
            .federation
            .metrics
            .http_requests
            .with_label_values(&[route.as_str(), class.as_str()])
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}
