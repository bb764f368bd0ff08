//! `deling worker`: the federation worker without the HTTP server.

use crate::{
    config::Config,
    startup::{federation_config, open_store},
};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use deling_federation::delivery::Worker;
use std::net::SocketAddr;
use tokio::signal::unix::{SignalKind, signal};

/// Runs the worker until SIGINT or SIGTERM; its current round finishes
/// first, and whatever it had not started stays queued. With
/// `metrics_bind`, this process's metrics are served there at `/metrics`.
pub async fn run(config: &Config, metrics_bind: Option<SocketAddr>) -> anyhow::Result<()> {
    // Listen for SIGTERM before anything else, so an early one still stops
    // the worker cleanly.
    let mut term = signal(SignalKind::terminate())?;
    let store = open_store(config).await?;
    let federation = federation_config(config, store.clone()).await?;
    let metrics_server = match metrics_bind {
        Some(addr) => {
            let metrics = federation.metrics.clone();
            let server = HttpServer::new(move || {
                let (metrics, store) = (metrics.clone(), store.clone());
                App::new().route(
                    "/metrics",
                    web::get().to(move || {
                        let (metrics, store) = (metrics.clone(), store.clone());
                        async move {
                            match store.queue_stats().await {
                                Ok(stats) => {
                                    metrics.refresh(&stats);
                                    HttpResponse::Ok()
                                        .content_type("text/plain; version=0.0.4; charset=utf-8")
                                        .body(metrics.render())
                                }
                                Err(e) => HttpResponse::ServiceUnavailable().body(e.to_string()),
                            }
                        }
                    }),
                )
            })
            .workers(1)
            .disable_signals()
            .bind(addr)
            .with_context(|| format!("cannot listen on --metrics-bind {addr}"))?
            .run();
            let handle = server.handle();
            tokio::spawn(server);
            say!("metrics at http://{addr}/metrics");
            Some(handle)
        }
        None => None,
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(Worker::new(federation).run(stopped));
    say!("Deling worker running (fan-out, inbox, deliveries). Stop with Ctrl-C or SIGTERM.");
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    let _ = stop.send(true);
    worker.await?;
    if let Some(h) = metrics_server {
        h.stop(true).await;
    }
    say!("Deling worker stopped.");
    Ok(())
}
