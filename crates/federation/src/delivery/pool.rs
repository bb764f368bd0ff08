//! The delivery loop: due deliveries claimed with a lease as turns free
//! up, grouped into turns per host (a host's inbox in one turn at a time,
//! so an inbox gets one request at a time, in queue order), each turn
//! sending its rows one after another (`delivery::turn`) for a bounded
//! time and giving the rest back.
//!
//! [`DELIVERY_SLOTS`] turns run at once, not counting turns waiting on a
//! answer for over 250 ms (`turn::SlowTurns`), up to [`MAX_TURNS`] in all: a host
//! that is down costs at most the connect timeout of one turn, and hosts
//! that answer slowly wait side by side while the fast ones are served.

use super::{
    host_slots::{HostSlots, Pace},
    turn::{SlowTurns, TurnContext, host_turn},
};
use crate::{
    context::Config,
    error::FedError,
    queue::{IDLE, LEASE, MIN_NAP, stopping},
};
use chrono::Utc;
use deling_store::queries::delivery::Delivery;
use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};
use tokio::{
    sync::{Notify, watch},
    task::{self, JoinError, JoinSet},
};

/// Rows taken per claim, at most.
pub(super) const BATCH: u64 = 50;
/// Delivery turns (each one request at a time) in flight at once, over all
/// hosts, besides those waiting on an answer (`turn::FREE_SLOT_AFTER`).
const DELIVERY_SLOTS: usize = 16;
/// Delivery turns in flight at once, slow ones included: each holds a
/// connection (or an attempt at one).
const MAX_TURNS: usize = 256;
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
        let free = pool.free();
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
            _ = pool.slow.freed.notified() => more = true,
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
    /// Turns waiting on an answer.
    slow: Arc<SlowTurns>,
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
            slow: Arc::default(),
            slots: HostSlots::default(),
            inboxes: HashSet::new(),
            tasks: JoinSet::new(),
            owners: HashMap::new(),
        }
    }

    /// Turns that may start now: a slot each for those not slow, within
    /// [`MAX_TURNS`].
    fn free(&self) -> usize {
        let running = self.tasks.len();
        let busy = running.saturating_sub(self.slow.count());
        DELIVERY_SLOTS
            .saturating_sub(busy)
            .min(MAX_TURNS.saturating_sub(running))
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
                let (closing, slow) = (self.closing.clone(), self.slow.clone());
                let handle = self.tasks.spawn(async move {
                    let cx = TurnContext {
                        host: &turn_host,
                        worker: &name,
                        halt: &halt,
                        closing: &closing,
                        slow: &slow,
                        data: &data,
                    };
                    host_turn(rows, &cx).await
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
