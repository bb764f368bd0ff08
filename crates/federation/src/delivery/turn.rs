//! One turn of deliveries to one host: its rows sent one after another
//! (`send`), for at most [`HOST_TURN`], with as few statements as
//! possible: what every delivery of the turn shares is read once
//! (`turn_cache`, shared by the turns of one claim), leases are renewed
//! together and only if the turn runs so long that they could lapse, and
//! each delivery is recorded done (with the host's health at the turn's
//! first success) through the pool's `done_log`, which writes the
//! deliveries of all turns that finished meanwhile in one transaction.
//! A turn waits for that write before it sends its next delivery: a
//! process killed mid-turn then sends again only what was in flight.
//!
//! A turn that waits on an answer uses no CPU: a host that is down or
//! slow holds one of the pool's turns (`pool::MAX_TURNS`) and nothing
//! else, so it never holds back the others.

use super::{
    done_log::DoneLog,
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
use deling_store::queries::delivery::{Backlog, Delivery};
use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

/// An answer slower than this makes its host slow: one turn at a time
/// until it answers fast again.
pub(super) const SLOW_ANSWER: Duration = Duration::from_secs(2);
/// A turn starts no send after this long; its other rows go back to the
/// queue, to be claimed again with every other host's. Together with the
/// last send (the request timeout, at most 30 s) well inside the lease
/// ([`crate::queue::LEASE`]).
pub(super) const HOST_TURN: Duration = Duration::from_secs(15);
/// Longest wait before a delivery that could not be sent because of a
/// transient error on this side (the database) is tried again (at most
/// the retry base).
const LOCAL_RETRY: Duration = Duration::from_secs(15);
/// The part of a lease (5 s of 60) kept free at its end: a turn renews
/// the leases of the rows it still holds when less than a request and
/// this is left, and a delivery's requests are cut off this long before
/// its lease runs out.
const LEASE_MARGIN_DIVISOR: u32 = 12;

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
    /// Where deliveries made are recorded done.
    pub done: &'a DoneLog,
    /// The request data.
    pub data: &'a Data,
}

/// Whether the host's health was written healthy in this turn.
struct HostHealth {
    recorded: bool,
}

/// Sends one turn's deliveries (claimed at `leased_at`, in queue order)
/// to `cx.host`, one after another, until they are done, the turn's time
/// is up, or the host failed or the worker stops; what is not sent goes
/// back to the queue. `cache` holds what the turn has read (or its claim
/// read for it). Returns how the host answered.
pub(super) async fn host_turn(
    rows: Vec<Delivery>,
    mut cache: TurnCache,
    mut leased_at: Instant,
    cx: &TurnContext<'_>,
) -> Pace {
    let started = Instant::now();
    let mut pace = Pace::Unknown;
    let mut health = HostHealth { recorded: false };
    // Signers the host answered 401 in this turn.
    let mut refused: Vec<Option<i64>> = Vec::new();
    let mut rows: Vec<Delivery> = rows.into_iter().rev().collect();
    let lease = cx.data.settings.http.delivery_lease;
    let margin = lease / LEASE_MARGIN_DIVISOR;
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
        if held > margin && held + request + margin > lease {
            let renewing = Instant::now();
            rows = renew(rows, lease, cx).await;
            leased_at = renewing;
            continue;
        }
        let Some(row) = rows.pop() else { break };
        let sent = Instant::now();
        // One request always fits in what is left; a second knock or a
        // key's fallback may not, and must not run past the lease.
        let budget = lease.saturating_sub(leased_at.elapsed() + margin);
        let outcome =
            match tokio::time::timeout(budget, send::send_in_turn(&row, cx.data, &mut cache)).await
            {
                Ok(outcome) => outcome,
                Err(_) => Ok(Outcome::Retry(format!(
                    "no answer within {} ms, before the delivery's lease would run out",
                    budget.as_millis()
                ))),
            };
        let took = sent.elapsed();
        let outcome = match outcome {
            Ok(outcome) => outcome,
            // Something on this side failed for a moment (the database),
            // before anything was sent: the row goes back to the queue
            // unharmed, the host counts no failure, and the turn ends
            // (the rows after it would most likely fail the same way).
            Err(e) if e.is_transient() => {
                postpone(&row, &e, cx).await;
                let rest: Vec<i64> = rows.iter().map(|r| r.id).collect();
                if let Err(e) = cx.data.store.release_deliveries(cx.worker, &rest).await {
                    tracing::warn!(error = %e, host = cx.host, "cannot give deliveries back");
                }
                break;
            }
            Err(e) => Outcome::Refused(e.to_string()),
        };
        let outcome = match outcome {
            // A second of our signers refused in one turn: the trouble is
            // most likely the host's, or ours with it (a clock off, our
            // actors unreachable from there), not one agency's; the host
            // waits for one probe rather than every signer knocking.
            Outcome::Unauthorized(why) if refused.iter().any(|s| *s != row.agency_id) => {
                Outcome::Retry(format!("{why} (another of our agencies was refused too)"))
            }
            other => other,
        };
        let answered = !matches!(outcome, Outcome::Retry(_));
        let refused_signer = matches!(outcome, Outcome::Unauthorized(_));
        if refused_signer {
            refused.push(row.agency_id);
        }
        let recorded = record(&row, outcome, &mut health, cx).await;
        let was_recorded = recorded.is_ok();
        match recorded {
            Ok(()) if !answered => {
                // The host is down (or refusing for now): the others wait
                // for this one's next attempt instead of failing one by one.
                cx.halt.store(true, Ordering::Relaxed);
                pace = Pace::Failing;
            }
            Ok(()) if took > SLOW_ANSWER => pace = Pace::Slow,
            Ok(()) => {
                if pace == Pace::Unknown {
                    pace = Pace::Fast;
                }
            }
            Err(e) => tracing::warn!(error = %e, host = cx.host, "cannot record a delivery"),
        }
        if refused_signer {
            // The signer's later rows would be refused the same way: they
            // go back unsent, to wait behind this one (`record`). If that
            // could not be written, they keep their leases, to run out
            // with this row's and be claimed again behind it.
            let (theirs, others): (Vec<Delivery>, Vec<Delivery>) =
                rows.into_iter().partition(|r| r.agency_id == row.agency_id);
            rows = others;
            let ids: Vec<i64> = theirs.iter().map(|r| r.id).collect();
            if was_recorded && let Err(e) = cx.data.store.release_deliveries(cx.worker, &ids).await
            {
                tracing::warn!(error = %e, host = cx.host, "cannot give deliveries back");
            }
        }
    }
    pace
}

/// Puts `row` back to be tried again shortly after a transient error of
/// ours (`error`), without counting an attempt or a failure of its host.
/// If even that cannot be written, its lease runs out and it is claimed
/// again then.
async fn postpone(row: &Delivery, error: &FedError, cx: &TurnContext<'_>) {
    let data = cx.data;
    data.metrics
        .deliveries
        .with_label_values(&["postponed"])
        .inc();
    let delay = data.settings.retry_base.min(LOCAL_RETRY);
    let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::zero());
    let why = format!("not sent (will be retried): {error}");
    tracing::warn!(delivery = row.id, inbox = %row.inbox, error = %error, %next,
        "delivery postponed after a transient error");
    if let Err(e) = data
        .store
        .postpone_delivery(row.id, cx.worker, &why, next)
        .await
    {
        tracing::warn!(error = %e, delivery = row.id, "cannot postpone a delivery; its lease will run out");
    }
}

/// The rows (last to send first) whose leases `cx.worker` still holds,
/// renewed for `lease`; the others are another worker's now.
async fn renew(rows: Vec<Delivery>, lease: Duration, cx: &TurnContext<'_>) -> Vec<Delivery> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let until = Utc::now() + chrono::Duration::from_std(lease).unwrap_or(LEASE);
    match cx
        .data
        .store
        .renew_delivery_leases(cx.worker, &ids, until)
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
            let healthy = (!health.recorded).then_some(cx.host);
            cx.done.done(row.id, healthy).await?;
            health.recorded = true;
        }
        Outcome::Refused(why) => {
            count("refused");
            tracing::info!(delivery = row.id, inbox = %row.inbox, %why, "delivery refused for good");
            data.store.fail_delivery(row.id, &why).await?;
        }
        Outcome::Retry(why) => {
            let next = Utc::now() + backoff(data.settings.retry_base, row.attempts);
            if row.attempts + 1 >= data.settings.max_attempts {
                // The host's probe: every row queued for it before now has
                // waited behind this one all along, and goes with it.
                give_up(row, Backlog::Host, &why, cx).await?;
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
        Outcome::Unauthorized(why) => {
            // The host is up; only this signer's deliveries to it wait
            // (behind this one, in queue order) or are given up with it.
            let signer = Backlog::Signer(row.agency_id);
            if row.attempts + 1 >= data.settings.max_attempts {
                give_up(row, signer, &why, cx).await?;
            } else {
                let next = Utc::now() + backoff(data.settings.retry_base, row.attempts);
                count("unauthorized");
                tracing::info!(delivery = row.id, inbox = %row.inbox, %why, %next,
                    "signature refused: the signer's deliveries to the host will be retried");
                data.store
                    .retry_delivery_with_backlog(row.id, cx.host, signer, &why, next)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Gives `row` up, out of attempts, with `backlog`'s other deliveries to
/// its host queued before now: they waited behind it all along.
async fn give_up(
    row: &Delivery,
    backlog: Backlog,
    why: &str,
    cx: &TurnContext<'_>,
) -> Result<(), FedError> {
    let metric = &cx.data.metrics.deliveries;
    metric.with_label_values(&["given_up"]).inc();
    tracing::warn!(delivery = row.id, inbox = %row.inbox, %why, "delivery given up");
    let others = cx
        .data
        .store
        .fail_delivery_and_backlog(row.id, cx.host, backlog, why)
        .await?;
    if others > 0 {
        tracing::warn!(
            host = cx.host,
            deliveries = others,
            ?backlog,
            "other waiting deliveries given up with it"
        );
        metric.with_label_values(&["given_up"]).inc_by(others);
    }
    Ok(())
}
