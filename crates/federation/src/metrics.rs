//! Process-local counters and timings in Prometheus form. Each process
//! (server or worker) counts what it did; Prometheus sums across them.
//! Queue depths come from the database when `/metrics` is read.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The metrics of one process.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Delivery attempts by result: `delivered`, `refused`, `retry`,
    /// `unauthorized` (a `401` to every signature: retried, the host not
    /// counted failing), `given_up`, `postponed` (a passing database
    /// error before sending: put back, no attempt counted).
    pub deliveries: IntCounterVec,
    /// Inbox POSTs by result: `accepted`, `duplicate`, `ignored` (a type
    /// nothing acts on, not stored), `rejected`.
    pub inbox: IntCounterVec,
    /// Processed inbox activities by result: `done`, `retry`, `failed`.
    pub inbox_processed: IntCounterVec,
    /// HTTP request durations by route group and status class.
    pub http_requests: HistogramVec,
    /// Deliveries waiting (set when read).
    pub queue_depth: IntGauge,
    /// Age in seconds of the oldest waiting delivery (set when read).
    pub oldest_pending_seconds: IntGauge,
    /// Incoming activities waiting to be processed (set when read).
    pub inbox_depth: IntGauge,
    /// Hosts with failures in a row (set when read).
    pub failing_hosts: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// Registers every metric in a fresh registry.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let deliveries = IntCounterVec::new(
            Opts::new("deling_deliveries_total", "Delivery attempts by result"),
            &["result"],
        )?;
        let inbox = IntCounterVec::new(
            Opts::new("deling_inbox_requests_total", "Inbox POSTs by result"),
            &["result"],
        )?;
        let inbox_processed = IntCounterVec::new(
            Opts::new(
                "deling_inbox_processed_total",
                "Stored incoming activities processed, by result",
            ),
            &["result"],
        )?;
        let http_requests = HistogramVec::new(
            HistogramOpts::new(
                "deling_http_request_duration_seconds",
                "HTTP request latency",
            )
            .buckets(vec![
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["route", "status"],
        )?;
        let queue_depth = IntGauge::new(
            "deling_delivery_queue_depth",
            "Deliveries waiting to be sent",
        )?;
        let oldest_pending_seconds = IntGauge::new(
            "deling_delivery_oldest_pending_seconds",
            "Age of the oldest waiting delivery",
        )?;
        let inbox_depth = IntGauge::new(
            "deling_inbox_queue_depth",
            "Incoming activities waiting to be processed",
        )?;
        let failing_hosts = IntGauge::new(
            "deling_failing_hosts",
            "Peer hosts whose last delivery failed",
        )?;
        registry.register(Box::new(deliveries.clone()))?;
        registry.register(Box::new(inbox.clone()))?;
        registry.register(Box::new(inbox_processed.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(queue_depth.clone()))?;
        registry.register(Box::new(oldest_pending_seconds.clone()))?;
        registry.register(Box::new(inbox_depth.clone()))?;
        registry.register(Box::new(failing_hosts.clone()))?;
        Ok(Self {
            registry,
            deliveries,
            inbox,
            inbox_processed,
            http_requests,
            queue_depth,
            oldest_pending_seconds,
            inbox_depth,
            failing_hosts,
        })
    }

    /// Sets the queue gauges from the database's counts.
    pub fn refresh(&self, stats: &deling_store::queries::delivery::QueueStats) {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.queue_depth.set(n(stats.pending_deliveries));
        self.inbox_depth.set(n(stats.pending_inbox));
        self.failing_hosts
            .set(i64::try_from(stats.failing_hosts.len()).unwrap_or(i64::MAX));
        self.oldest_pending_seconds.set(
            stats
                .oldest_pending
                .map_or(0, |t| (chrono::Utc::now() - t).num_seconds().max(0)),
        );
    }

    /// The Prometheus text exposition of everything registered.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}
