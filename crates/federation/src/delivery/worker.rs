//! The background worker: fans out events, processes the inbox and sends
//! deliveries, then sleeps until woken or until the next retry is due.

use crate::{
    context::{Config, Data},
    delivery::{
        fanout,
        send::{self, Outcome},
    },
    error::FedError,
    inbox,
};
use chrono::{Duration as ChronoDuration, Utc};
use deling_store::queries::delivery::Delivery;
use rand::Rng;
use std::time::Duration;
use tokio::{sync::watch, task::JoinSet};

/// Rows taken per round.
const BATCH: u64 = 50;
/// Hosts delivered to at once (each host gets one request at a time).
const CONCURRENCY: usize = 8;
/// How long a claimed row stays ours; renewed just before each send (which
/// takes at most the 10-second timeout), so a process that dies frees its
/// rows within a minute.
const LEASE: ChronoDuration = ChronoDuration::seconds(60);
/// Longest one stored activity may take to process (its fetches
/// included); beyond it, it is tried again later.
const ROW_TIME: ChronoDuration = ChronoDuration::seconds(25);
/// Longest wait between retries.
const MAX_DELAY: ChronoDuration = ChronoDuration::hours(12);
/// Give up on an incoming activity after this many tries.
const INBOX_MAX_ATTEMPTS: i32 = 5;

/// The delay before attempt `attempts + 1`: the base, times four per
/// earlier attempt, at most twelve hours, plus up to 10% jitter so that
/// retries to a recovered host do not all arrive at once.
pub fn backoff(base: Duration, attempts: i32) -> ChronoDuration {
    let base = ChronoDuration::from_std(base).unwrap_or(ChronoDuration::seconds(60));
    let factor = 4i64.saturating_pow(u32::try_from(attempts.clamp(0, 20)).unwrap_or(0));
    let delay = base
        .checked_mul(i32::try_from(factor.min(i64::from(i32::MAX))).unwrap_or(i32::MAX))
        .unwrap_or(MAX_DELAY)
        .min(MAX_DELAY);
    let jitter_ms = rand::thread_rng().gen_range(0..=delay.num_milliseconds() / 10 + 1);
    delay + ChronoDuration::milliseconds(jitter_ms)
}

/// The federation worker of one process.
pub struct Worker {
    config: Config,
    name: String,
}

impl Worker {
    /// A worker named for this process (names show who holds a lease).
    pub fn new(config: Config) -> Self {
        let name = format!(
            "{}-{}",
            std::process::id(),
            rand::thread_rng().r#gen::<u32>()
        );
        Self { config, name }
    }

    /// Runs until `shutdown` turns true; in-flight work is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        // Tombstones only need to outlive the deliveries that could still
        // be racing them: pruned hourly, kept a week.
        let mut last_prune: Option<std::time::Instant> = None;
        loop {
            // Told to stop, or whoever ran us is gone (sender dropped).
            if *shutdown.borrow() || shutdown.has_changed().is_err() {
                break;
            }
            if last_prune.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
                last_prune = Some(std::time::Instant::now());
                if let Err(e) = self.prune().await {
                    tracing::warn!(error = %e, "cannot prune the federation queues");
                }
            }
            let busy = match self.round().await {
                Ok(busy) => busy,
                Err(e) => {
                    tracing::warn!(error = %e, "federation worker round failed");
                    false
                }
            };
            if busy {
                continue;
            }
            let data = self.config.to_request_data();
            let wait = match data.store.next_delivery_due().await {
                Ok(Some(due)) => (due - Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(Duration::from_secs(5)),
                _ => Duration::from_secs(5),
            };
            tokio::select! {
                _ = data.wake.notified() => {}
                _ = tokio::time::sleep(wait.max(Duration::from_millis(50))) => {}
                // A dropped sender means whoever ran us is gone: stop too.
                changed = shutdown.changed() => if changed.is_err() { break },
            }
        }
        tracing::info!("federation worker stopped");
    }

    /// Forgets what no longer matters: tombstones after a week (deliveries
    /// that could race them have long been given up), finished deliveries
    /// and processed events after a week, processed inbox activities after
    /// a day (their signatures expired long before).
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
        Ok(())
    }

    /// One round of each kind of work; `true` if there may be more waiting.
    pub async fn round(&self) -> Result<bool, FedError> {
        let a = self.fan_out().await?;
        let b = self.process_inbox().await?;
        let c = self.deliver().await?;
        Ok(a || b || c)
    }

    async fn fan_out(&self) -> Result<bool, FedError> {
        let data = self.config.to_request_data();
        let events = data.store.list_pending_outbox_events(BATCH).await?;
        for event in &events {
            let deliveries = fanout::deliveries_for(event, &data).await?;
            data.store
                .complete_outbox_event(event.id, deliveries)
                .await?;
        }
        Ok(events.len() as u64 == BATCH)
    }

    async fn process_inbox(&self) -> Result<bool, FedError> {
        let data = self.config.to_request_data();
        // Stored exactly (microseconds), so the rows can be released by it.
        let lease_until = deling_store::records::now() + LEASE;
        let rows = data
            .store
            .claim_inbox_activities(BATCH, lease_until)
            .await?;
        // Processing may fetch from slow peers (each row has at most
        // ROW_TIME); rows not started while the lease still has room for
        // one are given back rather than processed after their lease ran
        // out, when another process may have taken them.
        let start_by = lease_until - ROW_TIME - ChronoDuration::seconds(5);
        for (n, row) in rows.iter().enumerate() {
            if n > 0 && Utc::now() > start_by {
                let rest: Vec<i64> = rows[n..].iter().map(|r| r.id).collect();
                tracing::info!(
                    released = rest.len(),
                    "inbox batch ran long; the rest is given back"
                );
                data.store
                    .release_inbox_activities(&rest, lease_until)
                    .await?;
                break;
            }
            let data = self.config.to_request_data();
            // One row's failure to be recorded (a busy database, say) must
            // not strand the rest of the batch: the row keeps its lease and
            // is taken up again when the lease runs out.
            if let Err(e) = process_one(row, &data).await {
                tracing::warn!(id = %row.ap_id, error = %e, "cannot record an inbox activity's outcome");
            }
        }
        Ok(rows.len() as u64 == BATCH)
    }

    /// Sends what is due: hosts in parallel (at most [`CONCURRENCY`]), each
    /// host's deliveries one after another, so a slow or failing peer gets
    /// one request at a time and, once one fails, the rest wait with it.
    async fn deliver(&self) -> Result<bool, FedError> {
        let data = self.config.to_request_data();
        let rows = data
            .store
            .claim_deliveries(&self.name, BATCH, Utc::now() + LEASE)
            .await?;
        let full = rows.len() as u64 == BATCH;
        let mut by_host: Vec<(String, Vec<Delivery>)> = Vec::new();
        for row in rows {
            match by_host.iter_mut().find(|(h, _)| *h == row.host) {
                Some((_, list)) => list.push(row),
                None => by_host.push((row.host.clone(), vec![row])),
            }
        }
        let mut tasks = JoinSet::new();
        for (host, rows) in by_host {
            while tasks.len() >= CONCURRENCY {
                tasks.join_next().await;
            }
            let config = self.config.clone();
            tasks.spawn(async move {
                let data = config.to_request_data();
                if let Err(e) = deliver_to_host(&host, rows, &data).await {
                    tracing::warn!(error = %e, %host, "cannot record deliveries");
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        Ok(full)
    }
}

/// Processes one stored activity and records the outcome.
async fn process_one(
    row: &deling_store::queries::inbox::InboxActivity,
    data: &Data,
) -> Result<(), FedError> {
    let limit = ROW_TIME
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(25));
    let outcome = match tokio::time::timeout(limit, inbox::process(&row.body, data)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(FedError::TimedOut(format!(
            "processing took more than {} s",
            limit.as_secs()
        ))),
    };
    match outcome {
        Ok(()) => {
            data.metrics
                .inbox_processed
                .with_label_values(&["done"])
                .inc();
            data.store.finish_inbox_activity(row.id).await?;
        }
        Err(e) if e.is_transient() && row.attempts + 1 < INBOX_MAX_ATTEMPTS => {
            data.metrics
                .inbox_processed
                .with_label_values(&["retry"])
                .inc();
            tracing::info!(id = %row.ap_id, error = %e, "inbox activity will be retried");
            let next = Utc::now() + backoff(data.settings.retry_base, row.attempts);
            data.store
                .retry_inbox_activity(row.id, &e.to_string(), next)
                .await?;
        }
        Err(e) => {
            data.metrics
                .inbox_processed
                .with_label_values(&["failed"])
                .inc();
            tracing::info!(id = %row.ap_id, error = %e, "inbox activity refused");
            data.store
                .fail_inbox_activity(row.id, &e.to_string())
                .await?;
        }
    }
    Ok(())
}

async fn deliver_to_host(host: &str, rows: Vec<Delivery>, data: &Data) -> Result<(), FedError> {
    let mut rows = rows.into_iter();
    while let Some(row) = rows.next() {
        // Sending one host's rows one by one can outlast the claim's lease:
        // renew it, and leave the row alone if another worker has it now.
        let worker = row.locked_by.clone().unwrap_or_default();
        if !data
            .store
            .renew_delivery_lease(row.id, &worker, Utc::now() + LEASE)
            .await?
        {
            continue;
        }
        let outcome = match send::send(&row, data).await {
            Ok(o) => o,
            Err(e) => Outcome::Refused(e.to_string()),
        };
        match outcome {
            Outcome::Delivered => {
                data.metrics
                    .deliveries
                    .with_label_values(&["delivered"])
                    .inc();
                data.store.finish_delivery(row.id).await?;
                data.store.put_host_success(host).await?;
            }
            Outcome::Refused(why) => {
                data.metrics
                    .deliveries
                    .with_label_values(&["refused"])
                    .inc();
                tracing::info!(delivery = row.id, inbox = %row.inbox, %why, "delivery refused for good");
                data.store.fail_delivery(row.id, &why).await?;
            }
            Outcome::Retry(why) => {
                let next = Utc::now() + backoff(data.settings.retry_base, row.attempts);
                if row.attempts + 1 >= data.settings.max_attempts {
                    data.metrics
                        .deliveries
                        .with_label_values(&["given_up"])
                        .inc();
                    tracing::warn!(delivery = row.id, inbox = %row.inbox, %why, "delivery given up");
                    data.store.fail_delivery(row.id, &why).await?;
                } else {
                    data.metrics.deliveries.with_label_values(&["retry"]).inc();
                    tracing::info!(delivery = row.id, inbox = %row.inbox, %why, %next, "delivery will be retried");
                    data.store.retry_delivery(row.id, &why, next).await?;
                }
                // The host is down (or refusing for now): the others wait
                // for this one's next attempt instead of failing one by one.
                let state = data.store.put_host_failure(host, &why, next).await?;
                if state.consecutive_failures == deling_store::queries::host::UNREACHABLE_AFTER {
                    tracing::warn!(%host, "peer marked unreachable");
                }
                let rest: Vec<i64> = rows.map(|r| r.id).collect();
                data.store.release_deliveries(&rest).await?;
                return Ok(());
            }
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_secs(60);
        let first = backoff(base, 0);
        assert!(
            first >= ChronoDuration::seconds(60) && first <= ChronoDuration::seconds(67),
            "{first}"
        );
        let third = backoff(base, 2);
        assert!(third >= ChronoDuration::seconds(960), "{third}");
        let late = backoff(base, 15);
        assert!(
            late <= MAX_DELAY + MAX_DELAY / 10 + ChronoDuration::seconds(1),
            "{late}"
        );
        assert!(late >= MAX_DELAY);
    }
}
