//! The delivery loop: due deliveries claimed with a lease as turns free
//! up, grouped into turns per host (a host's inbox in one turn at a time,
//! so an inbox gets one request at a time, in queue order), each turn
//! sending its rows one after another (`delivery::send`) for at most
//! `HOST_TURN` and giving the rest back; the outcome of each send is
//! recorded, with the host's health.

use super::{
    host_slots::{HostSlots, Pace},
    send::{self, Outcome},
};
use crate::{
    context::{Config, Data},
    error::FedError,
    queue::{IDLE, LEASE, MIN_NAP, backoff, stopping},
};
use chrono::Utc;
use deling_store::queries::delivery::Delivery;
use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::{
    sync::{Notify, watch},
    task::{self, JoinError, JoinSet},
};

/// Rows taken per claim, at most.
pub(super) const BATCH: u64 = 50;
/// Delivery turns (each one request at a time) in flight at once, over all
/// hosts.
const DELIVERY_SLOTS: usize = 16;
/// An answer slower than this makes its host slow: one turn at a time
/// until it answers fast again.
const SLOW_ANSWER: Duration = Duration::from_secs(2);
/// A turn starts no send after this long; its other rows go back to the
/// queue, to be claimed again with every other host's. Together with the
/// last send (the 10-second timeout) well inside [`LEASE`].
const HOST_TURN: Duration = Duration::from_secs(15);
/// Rows claimed per free delivery slot (a fast host's turn sends several in
/// a few milliseconds each).
const ROWS_PER_SLOT: u64 = 8;

/// Sends deliveries in turns per host, up to `DELIVERY_SLOTS` turns
/// at once, claiming more as turns end, until `shutdown`; turns in
/// flight are finished first. `worker` names this process's leases;
/// `wake` is this loop's signal of new work.
pub async fn run(
    config: Config,
    worker: String,
    wake: &Notify,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut pool = DeliveryPool::new(config, worker);
    let mut more = true;
    loop {
        while let Some(done) = pool.tasks.try_join_next_with_id() {
            pool.finished(done);
        }
        if stopping(&shutdown) {
            break;
        }
        let free = DELIVERY_SLOTS.saturating_sub(pool.tasks.len());
        if more && free > 0 {
            more = pool.fill(free).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot claim deliveries");
                false
            });
            if more {
                continue;
            }
        }
        // With every slot taken only an ending turn frees one; else
        // sleep until something this worker may send is due (rows of a
        // host at its limit or of an inbox in flight wait for a turn to
        // end, which wakes the loop anyway).
        let wait = if free == 0 {
            IDLE
        } else {
            pool.next_due().await
        };
        tokio::select! {
            Some(done) = pool.tasks.join_next_with_id() => {
                pool.finished(done);
                more = true;
            }
            _ = wake.notified() => more = true,
            _ = tokio::time::sleep(wait) => more = true,
            _ = shutdown.changed() => {}
        }
    }
    pool.closing.store(true, Ordering::Relaxed);
    while let Some(done) = pool.tasks.join_next_with_id().await {
        pool.finished(done);
    }
}

/// One claim of due deliveries, sent to the end: for the worker's `round`
/// (tests and `drain`). `true` if there may be more waiting.
pub async fn round(config: &Config, worker: &str) -> Result<bool, FedError> {
    let mut pool = DeliveryPool::new(config.clone(), worker.to_owned());
    let more = pool.fill(DELIVERY_SLOTS).await?;
    while let Some(done) = pool.tasks.join_next_with_id().await {
        pool.finished(done);
    }
    Ok(more)
}

/// One inbox's claimed deliveries, in queue order.
type InboxRows = (String, Vec<Delivery>);

/// The deliveries in hand: turns per host, a host's inbox in one turn at a
/// time (so an inbox gets one request at a time, in queue order).
struct DeliveryPool {
    config: Config,
    name: String,
    /// Set when the worker stops: turns start no further send.
    closing: Arc<AtomicBool>,
    slots: HostSlots,
    inboxes: HashSet<String>,
    tasks: JoinSet<Pace>,
    /// Host and inboxes of each turn.
    owners: HashMap<task::Id, (String, Vec<String>)>,
}

impl DeliveryPool {
    fn new(config: Config, name: String) -> Self {
        Self {
            config,
            name,
            closing: Arc::default(),
            slots: HostSlots::default(),
            inboxes: HashSet::new(),
            tasks: JoinSet::new(),
            owners: HashMap::new(),
        }
    }

    /// Claims due deliveries for up to `free` new turns and starts them;
    /// `true` if the claim was full (there may be more).
    async fn fill(&mut self, free: usize) -> Result<bool, FedError> {
        let data = self.config.to_request_data();
        let limit = (free as u64 * ROWS_PER_SLOT).min(BATCH);
        let busy_inboxes: Vec<String> = self.inboxes.iter().cloned().collect();
        let rows = data
            .store
            .claim_deliveries_except(
                &self.name,
                limit,
                Utc::now() + LEASE,
                &self.slots.full(),
                &busy_inboxes,
            )
            .await?;
        let full = rows.len() as u64 == limit;
        // Per host, per inbox, in queue order.
        let mut hosts: Vec<(String, Vec<InboxRows>)> = Vec::new();
        for row in rows {
            let at = match hosts.iter().position(|(h, _)| *h == row.host) {
                Some(i) => i,
                None => {
                    hosts.push((row.host.clone(), Vec::new()));
                    hosts.len() - 1
                }
            };
            let inboxes = &mut hosts[at].1;
            match inboxes.iter_mut().find(|(i, _)| *i == row.inbox) {
                Some((_, list)) => list.push(row),
                None => inboxes.push((row.inbox.clone(), vec![row])),
            }
        }
        let mut left = free;
        let mut given_back = Vec::new();
        for (host, inboxes) in hosts {
            let turns = self.slots.free(&host).min(left).min(inboxes.len());
            if turns == 0 {
                given_back.extend(inboxes.iter().flat_map(|(_, r)| r.iter().map(|d| d.id)));
                continue;
            }
            left -= turns;
            let mut split: Vec<(Vec<String>, Vec<Delivery>)> = vec![Default::default(); turns];
            for (n, (inbox, rows)) in inboxes.into_iter().enumerate() {
                split[n % turns].0.push(inbox);
                split[n % turns].1.extend(rows);
            }
            for (inboxes, mut rows) in split {
                rows.sort_by_key(|r| (r.next_attempt_at, r.id));
                let halt = self.slots.start(&host);
                let data = self.config.to_request_data();
                let (name, turn_host) = (self.name.clone(), host.clone());
                let closing = self.closing.clone();
                let handle = self.tasks.spawn(async move {
                    host_turn(&turn_host, rows, &name, [&halt, &closing], &data).await
                });
                self.inboxes.extend(inboxes.iter().cloned());
                self.owners.insert(handle.id(), (host.clone(), inboxes));
            }
        }
        if !given_back.is_empty() {
            data.store
                .release_deliveries(&self.name, &given_back)
                .await?;
        }
        Ok(full)
    }

    fn finished(&mut self, done: Result<(task::Id, Pace), JoinError>) {
        let (id, pace) = match done {
            Ok(done) => done,
            Err(e) => {
                tracing::error!(error = %e, "a delivery task failed");
                (e.id(), Pace::Unknown)
            }
        };
        if let Some((host, inboxes)) = self.owners.remove(&id) {
            self.slots.finish(&host, pace);
            for inbox in inboxes {
                self.inboxes.remove(&inbox);
            }
        }
    }

    /// How long until a delivery this pool may claim is due, at most
    /// [`IDLE`].
    async fn next_due(&self) -> Duration {
        let data = self.config.to_request_data();
        let busy_inboxes: Vec<String> = self.inboxes.iter().cloned().collect();
        let wait = match data
            .store
            .next_delivery_due_except(&self.slots.full(), &busy_inboxes)
            .await
        {
            Ok(Some(due)) => (due - Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(IDLE),
            _ => IDLE,
        };
        wait.max(MIN_NAP)
    }
}

/// Sends one turn's deliveries to `host`, one after another, until they
/// are done, the turn's time is up, or either flag of `stop` is set (the
/// host failed, here or in another turn; the worker stops); what is not
/// sent goes back to the queue.
async fn host_turn(
    host: &str,
    rows: Vec<Delivery>,
    worker: &str,
    stop: [&AtomicBool; 2],
    data: &Data,
) -> Pace {
    let [halt, closing] = stop;
    let started = Instant::now();
    let mut pace = Pace::Unknown;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        if halt.load(Ordering::Relaxed)
            || closing.load(Ordering::Relaxed)
            || started.elapsed() > HOST_TURN
        {
            let rest: Vec<i64> = rows.map(|r| r.id).collect();
            if let Err(e) = data.store.release_deliveries(worker, &rest).await {
                tracing::warn!(error = %e, %host, "cannot give deliveries back");
            }
            break;
        }
        let Some(row) = rows.next() else { break };
        let sent = Instant::now();
        match deliver_one(host, &row, worker, data).await {
            Ok(None) => {}
            Ok(Some(true)) if sent.elapsed() > SLOW_ANSWER => pace = Pace::Slow,
            Ok(Some(true)) => {
                if pace == Pace::Unknown {
                    pace = Pace::Fast;
                }
            }
            Ok(Some(false)) => {
                // The host is down (or refusing for now): the others wait
                // for this one's next attempt instead of failing one by one.
                halt.store(true, Ordering::Relaxed);
                pace = Pace::Failing;
            }
            Err(e) => {
                tracing::warn!(error = %e, %host, "cannot record a delivery");
            }
        }
    }
    pace
}

/// Sends one claimed delivery and records what became of it: `None` if it
/// was not sent (its lease is another worker's now), else whether the host
/// answered (a refusal for good counts as an answer; a retryable failure
/// does not, and the host is made to wait out its backoff).
async fn deliver_one(
    host: &str,
    row: &Delivery,
    worker: &str,
    data: &Data,
) -> Result<Option<bool>, FedError> {
    // A turn can outlast the claim's lease: renew it, and leave the row
    // alone if another worker has it now.
    if !data
        .store
        .renew_delivery_lease(row.id, worker, Utc::now() + LEASE)
        .await?
    {
        return Ok(None);
    }
    let outcome = match send::send(row, data).await {
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
            Ok(Some(true))
        }
        Outcome::Refused(why) => {
            data.metrics
                .deliveries
                .with_label_values(&["refused"])
                .inc();
            tracing::info!(delivery = row.id, inbox = %row.inbox, %why, "delivery refused for good");
            data.store.fail_delivery(row.id, &why).await?;
            Ok(Some(true))
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
            let state = data.store.put_host_failure(host, &why, next).await?;
            if state.consecutive_failures == deling_store::queries::host::UNREACHABLE_AFTER {
                tracing::warn!(%host, "peer marked unreachable");
            }
            Ok(Some(false))
        }
    }
}
