//! One turn of deliveries to one host: its rows sent one after another
//! (`send`), for at most [`HOST_TURN`], with as few statements as
//! possible: what every delivery of the turn shares is read once
//! (`turn_cache`), the host's health is written at its first success,
//! leases are renewed together and only if the turn runs so long that
//! they could lapse, and each delivery costs one statement, the one that
//! records it done. That one stays per delivery, written as soon as the
//! peer answered: a process killed mid-turn then sends again only what
//! was in flight.
//!
//! A turn that has waited longer than [`FREE_SLOT_AFTER`] for one answer
//! counts as waiting ([`SlowTurns`]) and stops taking one of the pool's
//! delivery slots (a turn that waits uses no CPU, and the slots bound
//! the signing and writing), so hosts that are down or slow never hold
//! back the others.

use super::{
    host_slots::Pace,
    send::{self, Outcome},
    turn_cache::TurnCache,
};
use crate::{
    context::Data,
    error::FedError,
    queue::{LEASE, backoff},
};
use chrono::Utc;
use deling_store::queries::delivery::Delivery;
use std::{
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    time::{Duration, Instant},
};
use tokio::sync::Notify;

/// An answer slower than this makes its host slow: one turn at a time
/// until it answers fast again.
pub(super) const SLOW_ANSWER: Duration = Duration::from_secs(2);
/// A turn that has waited this long for one answer gives its delivery
/// slot to another host (see [`SlowTurns`]). Longer than a healthy
/// inbox's answer, so turns that keep a fast host busy keep their slot.
pub(super) const FREE_SLOT_AFTER: Duration = Duration::from_millis(250);
/// A turn starts no send after this long; its other rows go back to the
/// queue, to be claimed again with every other host's. Together with the
/// last send (the request timeout, at most 30 s) well inside [`LEASE`].
pub(super) const HOST_TURN: Duration = Duration::from_secs(15);
/// Time left on a lease, beyond one request, below which a turn renews
/// the leases of the rows it still holds before it sends another.
const LEASE_MARGIN: Duration = Duration::from_secs(5);

/// Turns of a pool that have waited over [`FREE_SLOT_AFTER`] for an
/// answer, and the signal that one did (its slot is free for another
/// host).
#[derive(Debug, Default)]
pub(super) struct SlowTurns {
    count: AtomicUsize,
    /// Notified when a turn becomes slow.
    pub(super) freed: Notify,
}

impl SlowTurns {
    /// Turns slow now.
    pub(super) fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

/// Marks a turn slow once, and unmarks it when dropped (the turn ends).
struct SlowMark<'a> {
    turns: &'a SlowTurns,
    marked: bool,
}

impl SlowMark<'_> {
    fn mark(&mut self) {
        if !self.marked {
            self.marked = true;
            self.turns.count.fetch_add(1, Ordering::Relaxed);
            self.turns.freed.notify_one();
        }
    }
}

impl Drop for SlowMark<'_> {
    fn drop(&mut self) {
        if self.marked {
            self.turns.count.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// What a turn needs besides its rows.
pub(super) struct TurnContext<'a> {
    /// The host all rows go to.
    pub host: &'a str,
    /// The worker that holds the rows' leases.
    pub worker: &'a str,
    /// Set when the host failed (here or in another of its turns).
    pub halt: &'a AtomicBool,
    /// Set when the worker stops.
    pub closing: &'a AtomicBool,
    /// The pool's slow turns.
    pub slow: &'a SlowTurns,
    /// The request data.
    pub data: &'a Data,
}

/// Whether the host's health was written healthy in this turn.
struct HostHealth {
    recorded: bool,
}

/// Sends one turn's deliveries (claimed just before, in queue order) to
/// `cx.host`, one after another, until they are done, the turn's time is
/// up, or the host failed or the worker stops; what is not sent goes back
/// to the queue. Returns how the host answered.
pub(super) async fn host_turn(rows: Vec<Delivery>, cx: &TurnContext<'_>) -> Pace {
    let started = Instant::now();
    let mut leased_at = started;
    let mut pace = Pace::Unknown;
    let mut cache = TurnCache::default();
    let mut health = HostHealth { recorded: false };
    let mut slow = SlowMark {
        turns: cx.slow,
        marked: false,
    };
    let mut rows: Vec<Delivery> = rows.into_iter().rev().collect();
    let lease = LEASE.to_std().unwrap_or(Duration::from_secs(60));
    let request = cx.data.settings.http.request_timeout;
    while !rows.is_empty() {
        if cx.halt.load(Ordering::Relaxed)
            || cx.closing.load(Ordering::Relaxed)
            || started.elapsed() > HOST_TURN
        {
            let rest: Vec<i64> = rows.iter().map(|r| r.id).collect();
            if let Err(e) = cx.data.store.release_deliveries(cx.worker, &rest).await {
                tracing::warn!(error = %e, host = cx.host, "cannot give deliveries back");
            }
            break;
        }
        // Never twice in a row: a request timeout too long for the lease
        // (the configuration refuses one) must not make this spin.
        let held = leased_at.elapsed();
        if held > LEASE_MARGIN && held + request + LEASE_MARGIN > lease {
            rows = renew(rows, cx).await;
            leased_at = Instant::now();
            continue;
        }
        let Some(row) = rows.pop() else { break };
        let sent = Instant::now();
        let outcome = {
            let sending = send::send_in_turn(&row, cx.data, &mut cache);
            tokio::pin!(sending);
            tokio::select! {
                outcome = &mut sending => outcome,
                () = tokio::time::sleep(FREE_SLOT_AFTER) => {
                    slow.mark();
                    sending.await
                }
            }
        };
        let outcome = outcome.unwrap_or_else(|e| Outcome::Refused(e.to_string()));
        let answered = !matches!(outcome, Outcome::Retry(_));
        match record(&row, outcome, &mut health, cx).await {
            Ok(()) if !answered => {
                // The host is down (or refusing for now): the others wait
                // for this one's next attempt instead of failing one by one.
                cx.halt.store(true, Ordering::Relaxed);
                pace = Pace::Failing;
            }
            Ok(()) if sent.elapsed() > SLOW_ANSWER => pace = Pace::Slow,
            Ok(()) => {
                if pace == Pace::Unknown {
                    pace = Pace::Fast;
                }
            }
            Err(e) => tracing::warn!(error = %e, host = cx.host, "cannot record a delivery"),
        }
    }
    pace
}

/// The rows (last to send first) whose leases `cx.worker` still holds,
/// renewed; the others are another worker's now.
async fn renew(rows: Vec<Delivery>, cx: &TurnContext<'_>) -> Vec<Delivery> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    match cx
        .data
        .store
        .renew_delivery_leases(cx.worker, &ids, Utc::now() + LEASE)
        .await
    {
        Ok(kept) => rows.into_iter().filter(|r| kept.contains(&r.id)).collect(),
        Err(e) => {
            tracing::warn!(error = %e, host = cx.host, "cannot renew delivery leases");
            Vec::new()
        }
    }
}

/// Records what became of one delivery. The first success of a turn also
/// makes the host healthy; a retryable failure makes it wait out its
/// backoff.
async fn record(
    row: &Delivery,
    outcome: Outcome,
    health: &mut HostHealth,
    cx: &TurnContext<'_>,
) -> Result<(), FedError> {
    let data = cx.data;
    let count = |what: &str| data.metrics.deliveries.with_label_values(&[what]).inc();
    match outcome {
        Outcome::Delivered => {
            count("delivered");
            data.store.finish_delivery(row.id).await?;
            if !health.recorded {
                data.store.put_host_success(cx.host).await?;
                health.recorded = true;
            }
        }
        Outcome::Refused(why) => {
            count("refused");
            tracing::info!(delivery = row.id, inbox = %row.inbox, %why, "delivery refused for good");
            data.store.fail_delivery(row.id, &why).await?;
        }
        Outcome::Retry(why) => {
            let next = Utc::now() + backoff(data.settings.retry_base, row.attempts);
            if row.attempts + 1 >= data.settings.max_attempts {
                count("given_up");
                tracing::warn!(delivery = row.id, inbox = %row.inbox, %why, "delivery given up");
                data.store.fail_delivery(row.id, &why).await?;
            } else {
                count("retry");
                tracing::info!(delivery = row.id, inbox = %row.inbox, %why, %next, "delivery will be retried");
                data.store.retry_delivery(row.id, &why, next).await?;
            }
            let state = data.store.put_host_failure(cx.host, &why, next).await?;
            if state.consecutive_failures == deling_store::queries::host::UNREACHABLE_AFTER {
                tracing::warn!(host = cx.host, "peer marked unreachable");
            }
        }
    }
    Ok(())
}
