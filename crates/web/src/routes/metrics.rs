//! `GET /metrics`: Prometheus text format. Counters are this process's;
//! the queue gauges are read from the database on each scrape.

use crate::{error::ApiError, state::AppState};
use actix_web::{HttpResponse, web};

/// Renders the metrics.
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let stats = state.store.queue_stats().await?;
    let m = &state.federation.metrics;
    m.refresh(&stats);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(m.render()))
}
