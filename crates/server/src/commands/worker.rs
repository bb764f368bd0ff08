//! `deling worker`: the federation worker without the HTTP server.

use crate::{
    config::Config,
    startup::{federation_config, open_store},
};
use deling_federation::delivery::Worker;

/// Runs the worker until SIGINT or SIGTERM; its current round finishes
/// first, and whatever it had not started stays queued.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let federation = federation_config(config, store).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(Worker::new(federation).run(stopped));
    println!("Deling worker running (fan-out, inbox, deliveries). Stop with Ctrl-C or SIGTERM.");
    wait_for_signal().await?;
    let _ = stop.send(true);
    worker.await?;
    println!("Deling worker stopped.");
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}
