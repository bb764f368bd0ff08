//! The delivery loop: due deliveries claimed with a lease as turns free
//! up, grouped into turns per host (a host's inbox in one turn at a time,
//! so an inbox gets one request at a time, in queue order), each turn
//! sending its rows one after another (`delivery::turn`) for a bounded
//! time and giving the rest back.
//!
//! Up to [`MAX_TURNS`] turns run at once, each with at most one request
//! (one connection) open. That is the only bound on them: a turn's CPU
//! work (signing) is bounded by the runtime's threads and its writes are
//! grouped with every other turn's (`done_log`), and a turn waiting on an
//! answer costs nothing but its connection. So a host that is down costs
//! one turn for the connect timeout, hosts that answer slowly wait side
//! by side, and the fast ones are served meanwhile by the other turns.
//! (A bound of 16 turns not waiting, with a turn counted as waiting only
//! after 250 ms, had 200 silent or slow hosts of 1,000 take 3 s of the
//! other hosts' time.) Turns to hosts not known to answer wait while turns
//! to answering hosts are in flight, for at most a second
//! (`delivery::deferred`).

use super::{
    deferred::Deferred,
    done_log::DoneLog,
    host_slots::{HostSlots, Pace},
    turn::{TurnContext, host_turn},
    turn_cache::{ClaimReads, TurnCache},
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
    time::{Duration, Instant},
};
use tokio::{
    sync::{Notify, watch},
    task::{self, JoinError, JoinSet},
};

/// Outbox events fanned out per pass (`worker`).
pub(super) const BATCH: u64 = 50;
/// Delivery turns in flight at once, each with at most one request (and
/// connection) open: waiting ones included, since waiting is what a turn
/// mostly does. A few hundred connections are well within a process's
/// usual limit of open files, and enough that a tenth of a thousand hosts
/// being silent leaves the others most of them.
pub const MAX_TURNS: usize = 512;
/// Turns that must be free before the loop claims again (unless it has
/// nothing in hand): a claim is a write on the queue, so rows are claimed
/// for many turns at once rather than for each turn that ends.
const MIN_FREE: usize = 32;
/// Rows taken per claim, at most, and no more than turns are free: rows
/// of as many hosts as turns can start (every row of a host goes into its
/// turns), so none is claimed only to be given back.
const CLAIM: u64 = 128;
/// Turns a `round` (tests and `drain`) starts, at most, and rows it
/// claims for each (a fast host's turn sends several in a few
/// milliseconds each), at most [`BATCH`] in all.
const ROUND_TURNS: usize = 16;
const ROUND_ROWS_PER_TURN: u64 = 8;

/// Sends deliveries in turns per host, up to [`MAX_TURNS`] turns
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
    pool.defer = true;
    let mut more = true;
    loop {
        while let Some(done) = pool.tasks.try_join_next_with_id() {
            pool.finished(done);
        }
        if stopping(&shutdown) {
            break;
        }
        pool.start_deferred();
        let free = pool.free();
        if more && (free >= MIN_FREE || pool.tasks.is_empty()) {
            let limit = CLAIM.min(free as u64);
            more = pool.fill(free, limit).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot claim deliveries");
                false
            });
            if more {
                continue;
            }
        }
        // With too few turns free only ending turns free more; else sleep
        // until something this worker may send is due (rows of a host at
        // its limit or of an inbox in flight wait for a turn to end, which
        // wakes the loop anyway).
        let wait = if free < MIN_FREE && !pool.tasks.is_empty() {
            IDLE
        } else {
            pool.next_due().await
        };
        // A held turn starts by its deadline at the latest.
        let wait = match pool.deferred.deadline() {
            Some(at) => wait.min(at.saturating_duration_since(Instant::now())),
            None => wait,
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
    pool.release_deferred().await;
    while let Some(done) = pool.tasks.join_next_with_id().await {
        pool.finished(done);
    }
}

/// One claim of due deliveries, sent to the end: for the worker's `round`
/// (tests and `drain`). `true` if there may be more waiting.
pub async fn round(config: &Config, worker: &str) -> Result<bool, FedError> {
    let mut pool = DeliveryPool::new(config.clone(), worker.to_owned());
    let limit = (ROUND_TURNS as u64 * ROUND_ROWS_PER_TURN).min(BATCH);
    let more = pool.fill(ROUND_TURNS, limit).await?;
    while let Some(done) = pool.tasks.join_next_with_id().await {
        pool.finished(done);
    }
    Ok(more)
}

/// One inbox's claimed deliveries, in queue order.
type InboxRows = (String, Vec<Delivery>);

/// A turn claimed but not started yet: its host, inboxes, rows (in
/// order), reads and the host's halt flag.
#[derive(Debug)]
struct Turn {
    host: String,
    inboxes: Vec<String>,
    rows: Vec<Delivery>,
    cache: TurnCache,
    halt: Arc<AtomicBool>,
    /// Whether the host's last delivery was taken.
    answering: bool,
    /// When the rows' leases were taken (a held turn starts later).
    leased_at: Instant,
}

/// The deliveries in hand: turns per host, a host's inbox in one turn at a
/// time (so an inbox gets one request at a time, in queue order).
struct DeliveryPool {
    config: Config,
    name: String,
    /// Set when the worker stops: turns start no further send.
    closing: Arc<AtomicBool>,
    /// Where turns record their deliveries done.
    done: DoneLog,
    slots: HostSlots,
    inboxes: HashSet<String>,
    tasks: JoinSet<Pace>,
    /// Host and inboxes of each turn, and whether its host answers.
    owners: HashMap<task::Id, (String, Vec<String>, bool)>,
    /// Whether turns to hosts not known to answer wait for those to hosts
    /// that do (`delivery::deferred`; the loop's, not a `round`'s).
    defer: bool,
    /// Turns held back.
    deferred: Deferred<Turn>,
    /// Turns to answering hosts in flight.
    answering: usize,
}

impl DeliveryPool {
    fn new(config: Config, name: String) -> Self {
        let done = DoneLog::start(config.to_request_data().store.clone());
        Self {
            config,
            name,
            done,
            closing: Arc::default(),
            slots: HostSlots::default(),
            inboxes: HashSet::new(),
            tasks: JoinSet::new(),
            owners: HashMap::new(),
            defer: false,
            deferred: Deferred::default(),
            answering: 0,
        }
    }

    /// Turns that may start now, within [`MAX_TURNS`] (held ones count:
    /// their rows are leased).
    fn free(&self) -> usize {
        MAX_TURNS.saturating_sub(self.tasks.len() + self.deferred.len())
    }

    /// Claims up to `limit` due deliveries for up to `free` new turns and
    /// starts them; `true` if the claim was full (there may be more).
    async fn fill(&mut self, free: usize, limit: u64) -> Result<bool, FedError> {
        let data = self.config.to_request_data();
        let busy_inboxes: Vec<String> = self.inboxes.iter().cloned().collect();
        // Taken before the claim, so that a turn's reckoning of what is
        // left of its lease errs on the short side.
        let leased_at = Instant::now();
        let lease = data.settings.http.delivery_lease;
        let rows = data
            .store
            .claim_deliveries_except(
                &self.name,
                limit,
                Utc::now() + chrono::Duration::from_std(lease).unwrap_or(LEASE),
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
        let names: Vec<String> = hosts.iter().map(|(h, _)| h.clone()).collect();
        let reads = if names.is_empty() {
            Arc::default()
        } else {
            ClaimReads::load(&names, &data).await
        };
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
            let answering = reads.answering(&host);
            for (inboxes, mut rows) in split {
                rows.sort_by_key(|r| (r.next_attempt_at, r.id));
                self.inboxes.extend(inboxes.iter().cloned());
                let turn = Turn {
                    halt: self.slots.start(&host),
                    cache: TurnCache::for_claim(&reads, &host),
                    host: host.clone(),
                    inboxes,
                    rows,
                    answering,
                    leased_at,
                };
                if self.defer && !answering && self.answering > 0 {
                    self.deferred.push(turn, Instant::now());
                } else {
                    self.spawn(turn);
                }
            }
        }
        if !given_back.is_empty() {
            data.store
                .release_deliveries(&self.name, &given_back)
                .await?;
        }
        Ok(full)
    }

    /// Starts `turn`.
    fn spawn(&mut self, turn: Turn) {
        let Turn {
            host,
            inboxes,
            rows,
            cache,
            halt,
            answering,
            leased_at,
        } = turn;
        let data = self.config.to_request_data();
        let (name, turn_host) = (self.name.clone(), host.clone());
        let (closing, done) = (self.closing.clone(), self.done.clone());
        let handle = self.tasks.spawn(async move {
            let cx = TurnContext {
                host: &turn_host,
                worker: &name,
                halt: &halt,
                closing: &closing,
                done: &done,
                data: &data,
            };
            host_turn(rows, cache, leased_at, &cx).await
        });
        if answering {
            self.answering += 1;
        }
        self.owners.insert(handle.id(), (host, inboxes, answering));
    }

    /// Starts the held turns whose time has come.
    fn start_deferred(&mut self) {
        for turn in self.deferred.ready(self.answering, Instant::now()) {
            self.spawn(turn);
        }
    }

    /// Gives the rows of every held turn back (the worker stops).
    async fn release_deferred(&mut self) {
        let held = self.deferred.drain();
        let mut ids = Vec::new();
        for turn in held {
            ids.extend(turn.rows.iter().map(|r| r.id));
            self.slots.finish(&turn.host, Pace::Unknown);
            for inbox in turn.inboxes {
                self.inboxes.remove(&inbox);
            }
        }
        let data = self.config.to_request_data();
        if let Err(e) = data.store.release_deliveries(&self.name, &ids).await {
            tracing::warn!(error = %e, "cannot give held deliveries back");
        }
    }

    fn finished(&mut self, done: Result<(task::Id, Pace), JoinError>) {
        let (id, pace) = match done {
            Ok(done) => done,
            Err(e) => {
                tracing::error!(error = %e, "a delivery task failed");
                (e.id(), Pace::Unknown)
            }
        };
        if let Some((host, inboxes, answering)) = self.owners.remove(&id) {
            if answering {
                self.answering -= 1;
            }
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
