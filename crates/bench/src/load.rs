//! A load generator: a number of keep-alive connections, each sending one
//! GET after another for a while, every latency kept.

use crate::scenarios::inbox::Signed;
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

/// What one load run saw.
pub struct Load {
    /// Latency of each answered request.
    pub latencies: Vec<Duration>,
    /// Requests answered with anything but the expected status, or not at
    /// all.
    pub errors: usize,
    /// How long the run took.
    pub elapsed: Duration,
    /// The first unexpected answer, for the error message.
    pub first_error: String,
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
/// a request counts when answered with `200`. Each `{n}` in `url` becomes
/// a number no other request of the run has (to ask what no cache
/// holds). The clients run on a runtime of their own with a thread per
/// core, so that they are not held to the caller's (actix's is
/// single-threaded).
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
    let numbers = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let numbered = url.contains("{n}");
    for _ in 0..connections {
        let numbers = numbers.clone();
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
                let this = if numbered {
                    let n = numbers.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    url.replace("{n}", &n.to_string())
                } else {
                    url.clone()
                };
                let t = Instant::now();
                match client.get(&this).header("accept", &accept).send().await {
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
        first_error: String::new(),
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

/// Runs `work` on a runtime of its own with a thread per core (actix's
/// is single-threaded, and the clients must not be held to it).
async fn on_own_runtime<F>(work: F) -> anyhow::Result<Load>
where
    F: std::future::Future<Output = anyhow::Result<Load>> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(crate::ceilings::cores())
            .enable_all()
            .build()?
            .block_on(work)
    })
    .await?
}

/// Sends one signed POST; its latency if answered `202`, else why not.
async fn post_one(client: &reqwest::Client, url: &str, r: &Signed) -> Result<Duration, String> {
    let t = Instant::now();
    let mut req = client.post(url).body(r.body.clone());
    for (k, v) in &r.headers {
        req = req.header(*k, v.as_str());
    }
    match req.send().await {
        Ok(resp) if resp.status() == 202 => match resp.bytes().await {
            Ok(_) => Ok(t.elapsed()),
            Err(e) => Err(e.to_string()),
        },
        Ok(resp) => {
            let status = resp.status();
            Err(format!(
                "{status}: {}",
                resp.text().await.unwrap_or_default()
            ))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Posts every one of `requests` to `url` over `connections` keep-alive
/// connections, each taking the next request as soon as its last is
/// answered; a request counts when answered `202`.
pub async fn post_all(
    url: &str,
    requests: Arc<Vec<Signed>>,
    connections: usize,
) -> anyhow::Result<Load> {
    let url = url.to_owned();
    on_own_runtime(async move {
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(connections);
        for _ in 0..connections.max(1) {
            let (url, requests, next) = (url.clone(), requests.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .no_proxy()
                    .http1_only()
                    .pool_max_idle_per_host(1)
                    .build()?;
                let mut latencies = Vec::new();
                let mut errors = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(r) = requests.get(i) else { break };
                    match post_one(&client, &url, r).await {
                        Ok(l) => latencies.push(l),
                        Err(e) => errors.push(e),
                    }
                }
                anyhow::Ok((latencies, errors))
            }));
        }
        collect(tasks, started).await
    })
    .await
}

/// Posts `requests` to `url` at `rate` a second, each at its set time
/// whether or not earlier ones have been answered (an open loop, as
/// independent peers send); latency counts from the set time, so a
/// request delayed by a backlog is charged with its wait.
pub async fn post_paced(url: &str, requests: Arc<Vec<Signed>>, rate: f64) -> anyhow::Result<Load> {
    let url = url.to_owned();
    on_own_runtime(async move {
        let client = reqwest::Client::builder().no_proxy().http1_only().build()?;
        let started = Instant::now();
        let interval = Duration::from_secs_f64(1.0 / rate.max(1.0));
        let mut tasks = Vec::with_capacity(requests.len());
        for i in 0..requests.len() {
            let due = started + interval * i as u32;
            tokio::time::sleep_until(due.into()).await;
            let (url, requests, client) = (url.clone(), requests.clone(), client.clone());
            tasks.push(tokio::spawn(async move {
                let result = post_one(&client, &url, &requests[i]).await;
                let (mut latencies, mut errors) = (Vec::new(), Vec::new());
                match result {
                    Ok(_) => latencies.push(due.elapsed()),
                    Err(e) => errors.push(e),
                }
                anyhow::Ok((latencies, errors))
            }));
        }
        collect(tasks, started).await
    })
    .await
}

type Outcome = anyhow::Result<(Vec<Duration>, Vec<String>)>;

async fn collect(
    tasks: Vec<tokio::task::JoinHandle<Outcome>>,
    started: Instant,
) -> anyhow::Result<Load> {
    let mut load = Load {
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
        first_error: String::new(),
    };
    for t in tasks {
        let (l, e) = t.await??;
        load.latencies.extend(l);
        load.errors += e.len();
        if load.first_error.is_empty()
            && let Some(first) = e.into_iter().next()
        {
            load.first_error = first;
        }
    }
    load.elapsed = started.elapsed();
    load.latencies.sort();
    Ok(load)
}
