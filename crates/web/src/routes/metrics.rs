//! `GET /metrics`: Prometheus text format. Counters are this process's;
//! the queue gauges are read from the database on each scrape. Served on
//! the public port only to a bearer of the configured metrics token (and
//! otherwise answered as an unknown route), or on a separate listener
//! that the operator keeps private.

use crate::{error::ApiError, state::AppState};
use actix_web::{HttpRequest, HttpResponse, http::header, web};
use deling_domain::auth::token_hash;

/// Renders the metrics.
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let stats = state.store.queue_stats().await?;
    let m = &state.federation.metrics;
    m.refresh(&stats);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(m.render()))
}

/// `/metrics` on the public port: only with the metrics token.
pub async fn public_metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Some(expected) = &state.settings.metrics_token else {
        return Err(ApiError::NotFound("no route for GET /metrics".into()));
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compared as hashes, so the time taken says nothing about the token.
    if token_hash(given) != token_hash(expected) {
        return Err(ApiError::Unauthorized(
            "/metrics needs Authorization: Bearer with the metrics token".into(),
        ));
    }
    metrics(state).await
}

/// The routes of the private metrics listener: `/metrics` and nothing else.
pub fn configure_private(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state))
            .route("/metrics", web::get().to(metrics))
            .default_service(web::to(crate::routes::api::not_found));
    }
}
