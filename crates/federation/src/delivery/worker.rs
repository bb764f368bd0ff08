//! The background worker: three loops that never wait for one another —
//! fan-out of outbox events, processing of stored inbox activities, and
//! sending deliveries — each with its own bound on concurrent work, each
//! sleeping until woken or until its work is due.
//!
//! A slow or silent peer must not hold back the rest: inbox activities are
//! processed several at a time (an actor's in order, a host's at most half
//! the slots), and deliveries go out in time-boxed turns per host, hosts in
//! parallel up to a global bound, a host that answers slowly or fails with
//! one request at a time and one that answers fast with a few (see
//! [`HostSlots`]).

use crate::{
    context::{Config, Data},
    delivery::send::{self, Outcome},
    error::FedError,
    inbox,
};
use chrono::{Duration as ChronoDuration, Utc};
use deling_store::queries::{delivery::Delivery, inbox::InboxActivity};
use rand::Rng;
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
const BATCH: u64 = 50;
/// Delivery turns (each one request at a time) in flight at once, over all
/// hosts.
const DELIVERY_SLOTS: usize = 16;
/// Turns in flight at once to one host while it answers fast; a new host,
/// or one that was slow or failed, gets one.
const HOST_SLOTS: usize = 4;
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
/// Inbox activities processed at once.
const INBOX_SLOTS: usize = 8;
/// Of those, at most this many from actors of one host, so that fetches
/// from a slow host cannot take every slot.
const INBOX_HOST_SLOTS: usize = INBOX_SLOTS / 2;
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
/// Longest nap of an idle loop: work from another process (which cannot
/// wake this one) or a retry that came due is found within it.
const IDLE: Duration = Duration::from_secs(5);
/// Shortest nap, so that a due time in the past cannot make a loop spin.
const MIN_NAP: Duration = Duration::from_millis(50);

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

/// Told to stop, or whoever ran us is gone (sender dropped).
fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow() || shutdown.has_changed().is_err()
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
            self.inbox_loop(shutdown.clone()),
            self.delivery_loop(shutdown),
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

    /// Processes stored activities, up to [`INBOX_SLOTS`] at once, claiming
    /// more as slots free up.
    async fn inbox_loop(&self, mut shutdown: watch::Receiver<bool>) {
        let mut pool = InboxPool::new(self.config.clone());
        let mut more = true;
        loop {
            while let Some(done) = pool.tasks.try_join_next_with_id() {
                pool.finished(done);
            }
            if stopping(&shutdown) {
                break;
            }
            if more && pool.tasks.len() < INBOX_SLOTS {
                more = pool.fill().await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "cannot claim inbox activities");
                    false
                });
                if more {
                    continue;
                }
            }
            tokio::select! {
                Some(done) = pool.tasks.join_next_with_id() => {
                    pool.finished(done);
                    more = true;
                }
                _ = self.wakes.inbox.notified() => more = true,
                _ = tokio::time::sleep(IDLE) => more = true,
                _ = shutdown.changed() => {}
            }
        }
        pool.closing.store(true, Ordering::Relaxed);
        while let Some(done) = pool.tasks.join_next_with_id().await {
            pool.finished(done);
        }
    }

    /// Sends deliveries in turns per host, up to [`DELIVERY_SLOTS`] turns
    /// at once, claiming more as turns end.
    async fn delivery_loop(&self, mut shutdown: watch::Receiver<bool>) {
        let mut pool = DeliveryPool::new(self.config.clone(), self.name.clone());
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
                _ = self.wakes.deliver.notified() => more = true,
                _ = tokio::time::sleep(wait) => more = true,
                _ = shutdown.changed() => {}
            }
        }
        pool.closing.store(true, Ordering::Relaxed);
        while let Some(done) = pool.tasks.join_next_with_id().await {
            pool.finished(done);
        }
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

    /// One pass over each kind of work, one after another, waiting for all
    /// it started: for [`drain`] and tests, which want the queues empty
    /// rather than work overlapped. `true` if there may be more waiting.
    pub async fn round(&self) -> Result<bool, FedError> {
        let a = self.fan_out().await?;
        let mut inbox = InboxPool::new(self.config.clone());
        let b = inbox.fill().await?;
        while let Some(done) = inbox.tasks.join_next_with_id().await {
            inbox.finished(done);
        }
        let mut delivery = DeliveryPool::new(self.config.clone(), self.name.clone());
        let c = delivery.fill(DELIVERY_SLOTS).await?;
        while let Some(done) = delivery.tasks.join_next_with_id().await {
            delivery.finished(done);
        }
        Ok(a || b || c)
    }

    async fn fan_out(&self) -> Result<bool, FedError> {
        let data = self.config.to_request_data();
        let events = data.store.list_pending_outbox_events(BATCH).await?;
        for event in &events {
            let deliveries = crate::outbox::deliveries_for(event, &data).await?;
            data.store
                .complete_outbox_event(event.id, deliveries)
                .await?;
        }
        if !events.is_empty() {
            self.wakes.deliver.notify_one();
        }
        Ok(events.len() as u64 == BATCH)
    }
}

/// The inbox activities in hand: one task per actor (its activities in
/// order), at most [`INBOX_HOST_SLOTS`] tasks per host.
struct InboxPool {
    config: Config,
    /// Set when the worker stops: tasks start no further activity.
    closing: Arc<AtomicBool>,
    tasks: JoinSet<()>,
    /// Actor and host of each task.
    owners: HashMap<task::Id, (String, String)>,
    actors: HashSet<String>,
    hosts: HashMap<String, usize>,
}

/// The authority (`host` or `host:port`) of an actor id.
fn actor_host(actor: &str) -> String {
    url::Url::parse(actor)
        .map(|u| crate::urls::authority(&u))
        .unwrap_or_default()
}

impl InboxPool {
    fn new(config: Config) -> Self {
        Self {
            config,
            closing: Arc::default(),
            tasks: JoinSet::new(),
            owners: HashMap::new(),
            actors: HashSet::new(),
            hosts: HashMap::new(),
        }
    }

    /// Claims activities for the free slots and starts them; `true` if the
    /// claim was full (there may be more).
    async fn fill(&mut self) -> Result<bool, FedError> {
        let free = INBOX_SLOTS.saturating_sub(self.tasks.len());
        if free == 0 {
            return Ok(true);
        }
        let data = self.config.to_request_data();
        // Stored exactly (microseconds), so the rows can be released by it.
        let lease_until = deling_store::records::now() + LEASE;
        let busy_actors: Vec<String> = self.actors.iter().cloned().collect();
        let full_hosts: Vec<String> = self
            .hosts
            .iter()
            .filter(|&(_, &n)| n >= INBOX_HOST_SLOTS)
            .map(|(h, _)| h.clone())
            .collect();
        let rows = data
            .store
            .claim_inbox_activities_except(free as u64, lease_until, &busy_actors, &full_hosts)
            .await?;
        let full = rows.len() == free;
        let mut groups: Vec<(String, Vec<InboxActivity>)> = Vec::new();
        for row in rows {
            match groups.iter_mut().find(|(a, _)| *a == row.actor) {
                Some((_, list)) => list.push(row),
                None => groups.push((row.actor.clone(), vec![row])),
            }
        }
        let mut given_back = Vec::new();
        for (actor, rows) in groups {
            let host = actor_host(&actor);
            let taken = self.hosts.get(&host).copied().unwrap_or(0);
            if taken >= INBOX_HOST_SLOTS {
                given_back.extend(rows.iter().map(|r| r.id));
                continue;
            }
            let data = self.config.to_request_data();
            let closing = self.closing.clone();
            let handle = self
                .tasks
                .spawn(async move { process_in_order(&rows, lease_until, &closing, &data).await });
            self.owners
                .insert(handle.id(), (actor.clone(), host.clone()));
            self.actors.insert(actor);
            *self.hosts.entry(host).or_default() += 1;
        }
        if !given_back.is_empty() {
            data.store
                .release_inbox_activities(&given_back, lease_until)
                .await?;
        }
        Ok(full)
    }

    fn finished(&mut self, done: Result<(task::Id, ()), JoinError>) {
        let id = match done {
            Ok((id, ())) => id,
            Err(e) => {
                tracing::error!(error = %e, "an inbox task failed");
                e.id()
            }
        };
        if let Some((actor, host)) = self.owners.remove(&id) {
            self.actors.remove(&actor);
            if let Some(n) = self.hosts.get_mut(&host) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.hosts.remove(&host);
                }
            }
        }
    }
}

/// Processes one actor's claimed activities in order. Processing may fetch
/// from slow peers (each row has at most [`ROW_TIME`]); rows not started
/// while the lease still has room for one are given back rather than
/// processed after their lease ran out, when another process may have
/// taken them; so are rows not started when the worker stops.
async fn process_in_order(
    rows: &[InboxActivity],
    lease_until: chrono::DateTime<Utc>,
    closing: &AtomicBool,
    data: &Data,
) {
    let start_by = lease_until - ROW_TIME - ChronoDuration::seconds(5);
    for (n, row) in rows.iter().enumerate() {
        if n > 0 && (Utc::now() > start_by || closing.load(Ordering::Relaxed)) {
            let rest: Vec<i64> = rows[n..].iter().map(|r| r.id).collect();
            tracing::info!(
                released = rest.len(),
                "inbox activities ran long; the rest is given back"
            );
            if let Err(e) = data
                .store
                .release_inbox_activities(&rest, lease_until)
                .await
            {
                tracing::warn!(error = %e, "cannot give inbox activities back");
            }
            return;
        }
        // One row's failure to be recorded (a busy database, say) must not
        // strand the rest: the row keeps its lease and is taken up again
        // when the lease runs out.
        if let Err(e) = process_one(row, data).await {
            tracing::warn!(id = %row.ap_id, error = %e, "cannot record an inbox activity's outcome");
        }
    }
}

/// Processes one stored activity and records the outcome.
async fn process_one(row: &InboxActivity, data: &Data) -> Result<(), FedError> {
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

/// How a host answered during one turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pace {
    /// Nothing was sent (rows lost to another worker, or the host failed
    /// in another turn first).
    Unknown,
    /// Every answer came within [`SLOW_ANSWER`].
    Fast,
    /// Some answer took longer.
    Slow,
    /// A request failed in a way worth retrying (5xx, timeout, no
    /// connection): the host waits out its backoff in the queue.
    Failing,
}

/// Turns in flight per host and how many each host may have: like a
/// circuit breaker that never opens fully (a failing host is held back by
/// its backoff in the queue), one that closes step by step. A host starts
/// with one turn; each turn of fast answers allows one more, up to
/// [`HOST_SLOTS`]; a slow answer or a failure brings it back to one.
#[derive(Debug, Default)]
struct HostSlots {
    hosts: HashMap<String, HostSlot>,
}

#[derive(Debug)]
struct HostSlot {
    in_flight: usize,
    allowed: usize,
    /// Set by a turn whose request failed: the host's other turns stop
    /// sending (their rows wait for the host's next attempt with the
    /// rest, instead of failing one by one).
    halt: Arc<AtomicBool>,
}

impl Default for HostSlot {
    fn default() -> Self {
        Self {
            in_flight: 0,
            allowed: 1,
            halt: Arc::default(),
        }
    }
}

/// Hosts remembered while idle; beyond it, those back at one turn are
/// forgotten (they would start there anyway).
const REMEMBERED_HOSTS: usize = 4096;

impl HostSlots {
    /// Turns `host` may start now.
    fn free(&self, host: &str) -> usize {
        self.hosts
            .get(host)
            .map_or(1, |h| h.allowed.saturating_sub(h.in_flight))
    }

    /// Hosts that may start no turn now.
    fn full(&self) -> Vec<String> {
        self.hosts
            .iter()
            .filter(|(_, h)| h.in_flight >= h.allowed)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// A turn of `host` starts; the flag it must watch.
    fn start(&mut self, host: &str) -> Arc<AtomicBool> {
        let slot = self.hosts.entry(host.to_owned()).or_default();
        if slot.in_flight == 0 {
            slot.halt = Arc::default();
        }
        slot.in_flight += 1;
        slot.halt.clone()
    }

    /// A turn of `host` ended with `pace`.
    fn finish(&mut self, host: &str, pace: Pace) {
        let Some(slot) = self.hosts.get_mut(host) else {
            return;
        };
        slot.in_flight = slot.in_flight.saturating_sub(1);
        slot.allowed = match pace {
            Pace::Unknown => slot.allowed,
            Pace::Fast => (slot.allowed + 1).min(HOST_SLOTS),
            Pace::Slow | Pace::Failing => 1,
        };
        if self.hosts.len() > REMEMBERED_HOSTS {
            self.hosts.retain(|_, h| h.in_flight > 0 || h.allowed > 1);
        }
    }
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

    #[test]
    fn a_host_gains_turns_while_fast_and_drops_to_one_when_slow() {
        let mut slots = HostSlots::default();
        assert_eq!(slots.free("a"), 1, "a new host starts with one turn");
        slots.start("a");
        assert_eq!(slots.free("a"), 0);
        assert_eq!(slots.full(), vec!["a".to_owned()]);
        slots.finish("a", Pace::Fast);
        assert_eq!(slots.free("a"), 2);
        for _ in 0..10 {
            slots.start("a");
            slots.finish("a", Pace::Fast);
        }
        assert_eq!(slots.free("a"), HOST_SLOTS, "capped");
        slots.start("a");
        slots.start("a");
        assert_eq!(slots.free("a"), HOST_SLOTS - 2);
        slots.finish("a", Pace::Slow);
        assert_eq!(slots.free("a"), 0, "one turn allowed, one still running");
        slots.finish("a", Pace::Unknown);
        assert_eq!(slots.free("a"), 1);
        slots.start("a");
        slots.finish("a", Pace::Failing);
        assert_eq!(slots.free("a"), 1);
        assert!(slots.full().is_empty());
    }

    #[test]
    fn a_failure_halts_the_hosts_other_turns_but_not_the_next_ones() {
        let mut slots = HostSlots::default();
        for _ in 0..3 {
            slots.start("a");
            slots.finish("a", Pace::Fast);
        }
        let one = slots.start("a");
        let two = slots.start("a");
        one.store(true, Ordering::Relaxed);
        assert!(
            two.load(Ordering::Relaxed),
            "turns of a host share the flag"
        );
        slots.finish("a", Pace::Failing);
        slots.finish("a", Pace::Unknown);
        let next = slots.start("a");
        assert!(!next.load(Ordering::Relaxed), "a later turn starts afresh");
    }
}
