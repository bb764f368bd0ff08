//! What the two durable queues share: received activities (`inbox`) and
//! outgoing deliveries (`delivery`) are both claimed with a lease, retried
//! with the same backoff, and worked by loops that nap the same way and
//! stop on the same signal.

use chrono::Duration as ChronoDuration;
use rand::Rng;
use std::time::Duration;
use tokio::sync::watch;

/// How long a claimed row stays ours; a delivery turn (at most 15 s, plus
/// one request of at most 30 s) renews its rows' leases only if it runs
/// close to this, so a process that dies frees its rows within a minute.
pub const LEASE: ChronoDuration = ChronoDuration::seconds(60);
/// Longest wait between retries.
pub const MAX_DELAY: ChronoDuration = ChronoDuration::hours(12);
/// Longest nap of an idle loop: work from another process (which cannot
/// wake this one) or a retry that came due is found within it.
pub const IDLE: Duration = Duration::from_secs(5);
/// Shortest nap, so that a due time in the past cannot make a loop spin.
pub const MIN_NAP: Duration = Duration::from_millis(50);

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

/// Told to stop, or whoever ran us is gone (sender dropped).
pub fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow() || shutdown.has_changed().is_err()
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
