//! A load generator: a number of keep-alive connections, each sending one
//! GET after another for a while, every latency kept.

use std::time::{Duration, Instant};

/// What one load run saw.
pub struct Load {
    /// Latency of each answered request.
    pub latencies: Vec<Duration>,
    /// Requests answered with anything but the expected status, or not at
    /// all.
    pub errors: usize,
    /// How long the run took.
    pub elapsed: Duration,
}

impl Load {
    /// Answered requests per second.
    pub fn rps(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The `p` quantile of the latencies (0 to 1), in milliseconds.
    pub fn ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1e3
    }

    /// `rps, p50, p99` as printed in the table.
    pub fn summary(&self) -> String {
        let errors = if self.errors > 0 {
            format!(", {} errors", self.errors)
        } else {
            String::new()
        };
        format!(
            "{:.0} rps, p50 {:.2} ms, p99 {:.2} ms{errors}",
            self.rps(),
            self.ms(0.5),
            self.ms(0.99)
        )
    }
}

/// GETs `url` with `accept` over `connections` connections for `duration`;
/// a request counts when answered with `200`. The clients run on a runtime
/// of their own with a thread per core, so that they are not held to the
/// caller's (actix's is single-threaded).
pub async fn run(
    url: &str,
    accept: &str,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Load> {
    let (url, accept) = (url.to_owned(), accept.to_owned());
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(crate::ceilings::cores())
            .enable_all()
            .build()?
            .block_on(drive(&url, &accept, connections, duration))
    })
    .await?
}

async fn drive(
    url: &str,
    accept: &str,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Load> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let url = url.to_owned();
        let accept = accept.to_owned();
        tasks.push(tokio::spawn(async move {
            // One client each: one connection each, kept alive.
            let client = reqwest::Client::builder()
                .no_proxy()
                .http1_only()
                .pool_max_idle_per_host(1)
                .build()?;
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                match client.get(&url).header("accept", &accept).send().await {
                    Ok(r) if r.status() == 200 => match r.bytes().await {
                        Ok(_) => latencies.push(t.elapsed()),
                        Err(_) => errors += 1,
                    },
                    _ => errors += 1,
                }
            }
            anyhow::Ok((latencies, errors))
        }));
    }
    let mut load = Load {
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        let (l, e) = t.await??;
        load.latencies.extend(l);
        load.errors += e;
    }
    load.elapsed = started.elapsed();
    load.latencies.sort();
    Ok(load)
}
