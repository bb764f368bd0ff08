//! The background worker: three loops that never wait for one another —
//! fan-out of outbox events (here), processing of stored inbox activities
//! (`inbox::worker`), and sending deliveries (`delivery::pool`) — each with
//! its own bound on concurrent work, each sleeping until woken or until
//! its work is due.
//!
//! A slow or silent peer must not hold back the rest: inbox activities are
//! processed several at a time (an actor's in order, a host's at most half
//! the slots), and deliveries go out in time-boxed turns per host, hosts in
//! parallel up to a global bound, a host that answers slowly or fails with
//! one request at a time and one that answers fast with a few (see
//! `delivery::host_slots`).

use crate::{
    context::Config,
    delivery::pool,
    error::FedError,
    inbox,
    queue::{IDLE, stopping},
};
use chrono::{Duration as ChronoDuration, Utc};
use rand::Rng;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::{Notify, watch};

pub use crate::queue::backoff;

/// One signal per loop: the shared `wake` of [`crate::context::FedContext`]
/// wakes one waiter only, so [`Worker::run`] passes each wake-up on to
/// all three.
#[derive(Default)]
struct Wakes {
    fan_out: Notify,
    inbox: Notify,
    deliver: Notify,
}

/// The federation worker of one process.
pub struct Worker {
    config: Config,
    name: String,
    wakes: Arc<Wakes>,
}

impl Worker {
    /// A worker named for this process (names show who holds a lease).
    pub fn new(config: Config) -> Self {
        let name = format!(
            "{}-{}",
            std::process::id(),
            rand::thread_rng().r#gen::<u32>()
        );
        Self {
            config,
            name,
            wakes: Arc::default(),
        }
    }

    /// Runs until `shutdown` turns true; in-flight work (a delivery being
    /// sent, an activity being processed) is finished first.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let relay = {
            let data = self.config.to_request_data();
            let wakes = self.wakes.clone();
            let mut shutdown = shutdown.clone();
            async move {
                while !stopping(&shutdown) {
                    tokio::select! {
                        _ = data.wake.notified() => {
                            wakes.fan_out.notify_one();
                            wakes.inbox.notify_one();
                            wakes.deliver.notify_one();
                        }
                        _ = shutdown.changed() => {}
                    }
                }
            }
        };
        tokio::join!(
            relay,
            self.fan_out_loop(shutdown.clone()),
            inbox::worker::run(self.config.clone(), &self.wakes.inbox, shutdown.clone()),
            pool::run(
                self.config.clone(),
                self.name.clone(),
                &self.wakes.deliver,
                shutdown
            ),
        );
        tracing::info!("federation worker stopped");
    }

    /// Fans out events as they come, and prunes the queues hourly.
    async fn fan_out_loop(&self, mut shutdown: watch::Receiver<bool>) {
        // Tombstones only need to outlive the deliveries that could still
        // be racing them: pruned hourly, kept a week.
        let mut last_prune: Option<Instant> = None;
        while !stopping(&shutdown) {
            if last_prune.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
                last_prune = Some(Instant::now());
                if let Err(e) = self.prune().await {
                    tracing::warn!(error = %e, "cannot prune the federation queues");
                }
            }
            match self.fan_out().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "cannot fan out outbox events"),
            }
            tokio::select! {
                _ = self.wakes.fan_out.notified() => {}
                _ = tokio::time::sleep(IDLE) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Forgets what no longer matters: tombstones after a week (deliveries
    /// that could race them have long been given up), finished deliveries
    /// and processed events after a week, processed inbox activities after
    /// a day (their signatures expired long before), marks of objects sent
    /// privately after 30 days (peers give up retrying within days); and
    /// gives actors stored without a site theirs.
    async fn prune(&self) -> Result<(), FedError> {
        let data = self.config.to_request_data();
        let week = Utc::now() - ChronoDuration::days(7);
        data.store.delete_tombstones_before(week).await?;
        data.store.delete_finished_deliveries_before(week).await?;
        data.store
            .delete_processed_outbox_events_before(week)
            .await?;
        data.store
            .delete_processed_inbox_before(Utc::now() - ChronoDuration::days(1))
            .await?;
        data.store
            .delete_private_marks_before(Utc::now() - ChronoDuration::days(30))
            .await?;
        // Actors an older binary stored during the upgrade that made
        // sites; a few hosts an hour, usually none.
        data.store.fill_missing_sites(1_000).await?;
        Ok(())
    }

    /// One pass over each kind of work, one after another, waiting for all
    /// it started: for [`drain`] and tests, which want the queues empty
    /// rather than work overlapped. `true` if there may be more waiting.
    pub async fn round(&self) -> Result<bool, FedError> {
        let a = self.fan_out().await?;
        let b = inbox::worker::round(&self.config).await?;
        let c = pool::round(&self.config, &self.name).await?;
        Ok(a || b || c)
    }

    /// Fans out the oldest pending events, in order. An event that can
    /// never be fanned out (a permanent error: a stored id that does not
    /// parse, an item that is not ours) is logged and set aside as
    /// processed, with no deliveries, so that it holds up nothing
    /// published after it; a transient error (the database) ends the
    /// pass, and the event is tried again first on the next one.
    async fn fan_out(&self) -> Result<bool, FedError> {
        let data = self.config.to_request_data();
        let events = data.store.list_pending_outbox_events(pool::BATCH).await?;
        let mut fanned = 0;
        let mut failure = None;
        for event in &events {
            let deliveries = match crate::outbox::deliveries_for(event, &data).await {
                Ok(deliveries) => deliveries,
                Err(e) if e.is_transient() => {
                    failure = Some(e);
                    break;
                }
                Err(e) => {
                    tracing::warn!(event = event.id, kind = ?event.kind, error = %e,
                        "an outbox event cannot be fanned out: set aside, nothing sent");
                    Vec::new()
                }
            };
            if let Err(e) = data.store.complete_outbox_event(event.id, deliveries).await {
                failure = Some(e.into());
                break;
            }
            fanned += 1;
        }
        if fanned > 0 {
            self.wakes.deliver.notify_one();
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(events.len() as u64 == pool::BATCH),
        }
    }
}

/// Runs rounds until nothing is left that is due now (for tests and
/// `deling` commands that want the queue empty before they return).
pub async fn drain(config: &Config, max_rounds: usize) -> Result<(), FedError> {
    let worker = Worker::new(config.clone());
    for _ in 0..max_rounds {
        if !worker.round().await? {
            let data = config.to_request_data();
            if data.store.list_pending_outbox_events(1).await?.is_empty()
                && data.store.count_pending_inbox().await? == 0
            {
                break;
            }
        }
    }
    Ok(())
}
