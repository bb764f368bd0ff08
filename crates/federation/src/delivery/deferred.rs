//! Turns to hosts not known to answer (never delivered to, or failing
//! since), held back while turns to hosts that answer are under way.
//!
//! An activity's deliveries are queued with the answering hosts first
//! (`outbox::allowed_deliveries`), but the pool has hundreds of turns in
//! flight, so the tail of one claim's answering hosts and the next claim's
//! unknown ones shared the cores: the signatures and new connections of
//! hosts that may never answer were made before the last known follower
//! got the item (in the fan-out benchmark a tenth of the hosts silent and
//! a tenth slow, all new, cost the others about a fifth of their rate).
//! Held here, such a turn starts once no turn to an answering host is in
//! flight, and at the latest after [`DEFER_AT_MOST`]: a new host's first
//! delivery comes at most that much later, and none waits longer however
//! busy the answering hosts keep the pool.

use std::{
    collections::VecDeque,
    time::{Duration, Instant},
};

/// The longest a turn is held back.
pub(super) const DEFER_AT_MOST: Duration = Duration::from_secs(1);

/// Held turns, oldest first.
#[derive(Debug)]
pub(super) struct Deferred<T> {
    queue: VecDeque<(Instant, T)>,
}

impl<T> Default for Deferred<T> {
    fn default() -> Self {
        Self {
            queue: VecDeque::new(),
        }
    }
}

impl<T> Deferred<T> {
    /// Holds `turn`, from `now`.
    pub(super) fn push(&mut self, turn: T, now: Instant) {
        self.queue.push_back((now, turn));
    }

    /// Turns held.
    pub(super) fn len(&self) -> usize {
        self.queue.len()
    }

    /// The turns that may start at `now` with `answering` turns to
    /// answering hosts in flight: all of them when there are none, else
    /// those held [`DEFER_AT_MOST`]; oldest first.
    pub(super) fn ready(&mut self, answering: usize, now: Instant) -> Vec<T> {
        let mut out = Vec::new();
        while let Some((since, _)) = self.queue.front() {
            if answering > 0 && now.saturating_duration_since(*since) < DEFER_AT_MOST {
                break;
            }
            if let Some((_, turn)) = self.queue.pop_front() {
                out.push(turn);
            }
        }
        out
    }

    /// When the oldest held turn must start at the latest.
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.queue.front().map(|(since, _)| *since + DEFER_AT_MOST)
    }

    /// Every held turn, to give its rows back.
    pub(super) fn drain(&mut self) -> Vec<T> {
        self.queue.drain(..).map(|(_, turn)| turn).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_turns_start_when_no_answering_host_is_served_or_at_the_deadline() {
        let t0 = Instant::now();
        let mut d = Deferred::default();
        d.push("a", t0);
        d.push("b", t0 + Duration::from_millis(400));
        assert_eq!(d.len(), 2);
        assert_eq!(d.deadline(), Some(t0 + DEFER_AT_MOST));
        // Answering hosts being served: nothing before its time.
        assert!(d.ready(3, t0 + Duration::from_millis(999)).is_empty());
        assert_eq!(d.ready(3, t0 + DEFER_AT_MOST), vec!["a"]);
        assert_eq!(
            d.deadline(),
            Some(t0 + Duration::from_millis(400) + DEFER_AT_MOST)
        );
        // None in flight: everything, at once, oldest first.
        d.push("c", t0 + DEFER_AT_MOST);
        assert_eq!(d.ready(0, t0 + DEFER_AT_MOST), vec!["b", "c"]);
        assert_eq!(d.len(), 0);
        assert_eq!(d.deadline(), None);
    }

    #[test]
    fn drained_turns_are_all_handed_back() {
        let t0 = Instant::now();
        let mut d = Deferred::default();
        for n in 0..5 {
            d.push(n, t0);
        }
        assert_eq!(d.drain(), vec![0, 1, 2, 3, 4]);
        assert!(d.ready(0, t0).is_empty());
    }
}
