//! `GET /metrics`: Prometheus text format. Counters are this process's;
//! the queue gauges are read from the database on each scrape.

use crate::{error::ApiError, state::AppState};
use actix_web::{HttpResponse, web};

/// Renders the metrics.
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let stats = state.store.queue_stats().await?;
    let m = &state.federation.metrics;
    m.queue_depth
        .set(i64::try_from(stats.pending_deliveries).unwrap_or(i64::MAX));
    m.inbox_depth
        .set(i64::try_from(stats.pending_inbox).unwrap_or(i64::MAX));
    m.failing_hosts
        .set(i64::try_from(stats.failing_hosts.len()).unwrap_or(i64::MAX));
    m.oldest_pending_seconds.set(
        stats
            .oldest_pending
            .map_or(0, |t| (chrono::Utc::now() - t).num_seconds().max(0)),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(m.render()))
}
