//! The inbox loop: stored activities claimed and processed several at a
//! time, each through [`super::dispatch::process`], and their
//! outcome recorded (done, failed with the reason, or retried later if a
//! peer or the database was unreachable). An actor's activities are
//! processed one at a time, in order; one host's actors take at most half
//! the slots, so that fetches from a slow host cannot hold up the rest.
//! The federation worker (`delivery::Worker`) runs this loop beside the
//! delivery queue's.

use super::dispatch::process;
use crate::{
    context::{Config, Data},
    error::FedError,
    queue::{IDLE, LEASE, backoff, stopping},
};
use chrono::{Duration as ChronoDuration, Utc};
use deling_store::queries::inbox::InboxActivity;
use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};
use tokio::{
    sync::{Notify, watch},
    task::{self, JoinError, JoinSet},
};

/// Inbox activities processed at once.
const INBOX_SLOTS: usize = 8;
/// Of those, at most this many from actors of one host, so that fetches
/// from a slow host cannot take every slot.
const INBOX_HOST_SLOTS: usize = INBOX_SLOTS / 2;
/// Longest one stored activity may take to process (its fetches
/// included); beyond it, it is tried again later.
const ROW_TIME: ChronoDuration = ChronoDuration::seconds(25);
/// Give up on an incoming activity after this many tries.
const INBOX_MAX_ATTEMPTS: i32 = 5;

/// Processes stored activities, up to `INBOX_SLOTS` at once, claiming
/// more as slots free up, until `shutdown`; activities in hand are
/// finished first. `wake` is this loop's signal of new work.
pub async fn run(config: Config, wake: &Notify, mut shutdown: watch::Receiver<bool>) {
    let mut pool = InboxPool::new(config);
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
            _ = wake.notified() => more = true,
            _ = tokio::time::sleep(IDLE) => more = true,
            _ = shutdown.changed() => {}
        }
    }
    pool.closing.store(true, Ordering::Relaxed);
    while let Some(done) = pool.tasks.join_next_with_id().await {
        pool.finished(done);
    }
}

/// One claim of due activities, processed to the end: for the worker's
/// `round` (tests and `drain`). `true` if there may be more waiting.
pub async fn round(config: &Config) -> Result<bool, FedError> {
    let mut pool = InboxPool::new(config.clone());
    let more = pool.fill().await?;
    while let Some(done) = pool.tasks.join_next_with_id().await {
        pool.finished(done);
    }
    Ok(more)
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
    let outcome = match tokio::time::timeout(limit, process(&row.body, data)).await {
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
