//! How many delivery turns each host may have at once: a host that
//! answers fast gains turns, one that is slow or fails is back to one,
//! and hosts that were slow or failing share at most half of all turns.

use std::{
    collections::HashMap,
    sync::{Arc, atomic::AtomicBool},
};

/// Turns in flight at once to one host while it answers fast; a new host,
/// or one that was slow or failed, gets one.
const HOST_SLOTS: usize = 4;

/// Turns that hosts whose last turn was slow or failed may hold at once,
/// all of them together: one turn each is bounded per host name only, and
/// one operator with hundreds of names (a wildcard DNS entry) that each
/// answer just within the timeout would otherwise hold every turn, every
/// time an agency publishes. The other half is left to the hosts that
/// answer, and to new ones.
pub(super) const SLOW_SHARE: usize = super::pool::MAX_TURNS / 2;

/// How a host answered during one turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pace {
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
pub(super) struct HostSlots {
    hosts: HashMap<String, HostSlot>,
    /// Bumped by every start and finish: when each host was last used.
    clock: u64,
    /// Turns in flight that started while their host was slow.
    slow_in_flight: usize,
}

#[derive(Debug)]
struct HostSlot {
    in_flight: usize,
    allowed: usize,
    /// Its last turn was slow or failed: it takes from [`SLOW_SHARE`].
    slow: bool,
    /// Of `in_flight`, the turns started while `slow`.
    slow_turns: usize,
    /// [`HostSlots::clock`] at the host's last start or finish.
    used: u64,
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
            slow: false,
            slow_turns: 0,
            used: 0,
            halt: Arc::default(),
        }
    }
}

/// Hosts remembered at most (hosts with a turn in flight aside): beyond
/// it, the idle hosts used least recently are forgotten, whatever turns
/// they had earned, down to [`FORGET_TO`], so that forgetting (a pass over
/// all hosts) happens once per thousand new hosts, not at every turn's end.
const REMEMBERED_HOSTS: usize = 4096;
/// Hosts kept when [`REMEMBERED_HOSTS`] is passed.
const FORGET_TO: usize = REMEMBERED_HOSTS * 3 / 4;

impl HostSlots {
    /// Turns `host` may start now.
    pub(super) fn free(&self, host: &str) -> usize {
        self.hosts.get(host).map_or(1, |h| self.free_of(h))
    }

    fn free_of(&self, h: &HostSlot) -> usize {
        if h.slow && self.slow_in_flight >= SLOW_SHARE {
            return 0;
        }
        h.allowed.saturating_sub(h.in_flight)
    }

    /// Hosts that may start no turn now.
    pub(super) fn full(&self) -> Vec<String> {
        self.hosts
            .iter()
            .filter(|(_, h)| self.free_of(h) == 0)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// A turn of `host` starts; the flag it must watch.
    pub(super) fn start(&mut self, host: &str) -> Arc<AtomicBool> {
        self.clock += 1;
        let slot = self.hosts.entry(host.to_owned()).or_default();
        slot.used = self.clock;
        if slot.in_flight == 0 {
            slot.halt = Arc::default();
        }
        slot.in_flight += 1;
        if slot.slow {
            slot.slow_turns += 1;
            self.slow_in_flight += 1;
        }
        slot.halt.clone()
    }

    /// A turn of `host` ended with `pace`.
    pub(super) fn finish(&mut self, host: &str, pace: Pace) {
        let Some(slot) = self.hosts.get_mut(host) else {
            return;
        };
        self.clock += 1;
        slot.used = self.clock;
        slot.in_flight = slot.in_flight.saturating_sub(1);
        // Turns end in any order: one started while slow is given back
        // while any such turn of the host runs.
        if slot.slow_turns > 0 {
            slot.slow_turns -= 1;
            self.slow_in_flight = self.slow_in_flight.saturating_sub(1);
        }
        slot.allowed = match pace {
            Pace::Unknown => slot.allowed,
            Pace::Fast => (slot.allowed + 1).min(HOST_SLOTS),
            Pace::Slow | Pace::Failing => 1,
        };
        slot.slow = match pace {
            Pace::Unknown => slot.slow,
            Pace::Fast => false,
            Pace::Slow | Pace::Failing => true,
        };
        if self.hosts.len() > REMEMBERED_HOSTS {
            self.forget();
        }
    }

    /// Forgets the idle hosts used least recently, down to [`FORGET_TO`]
    /// hosts (or to the busy ones, should there be more of those).
    fn forget(&mut self) {
        let mut idle: Vec<u64> = self
            .hosts
            .values()
            .filter(|h| h.in_flight == 0)
            .map(|h| h.used)
            .collect();
        let excess = self.hosts.len().saturating_sub(FORGET_TO).min(idle.len());
        if excess == 0 {
            return;
        }
        // `used` is unique per host (the clock moves at every use): the
        // `excess` oldest are those at or below the excess-th smallest.
        let (_, cutoff, _) = idle.select_nth_unstable(excess - 1);
        let cutoff = *cutoff;
        self.hosts.retain(|_, h| h.in_flight > 0 || h.used > cutoff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

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
    fn slow_hosts_share_at_most_half_the_turns() {
        let mut slots = HostSlots::default();
        let slow = |n: usize| format!("s{n}.wildcard.example");
        // Many host names, each slow once.
        for n in 0..SLOW_SHARE + 10 {
            slots.start(&slow(n));
            slots.finish(&slow(n), Pace::Slow);
        }
        let mut started = 0;
        for n in 0..SLOW_SHARE + 10 {
            if slots.free(&slow(n)) > 0 {
                slots.start(&slow(n));
                started += 1;
            }
        }
        assert_eq!(started, SLOW_SHARE, "slow hosts past their share");
        let full = slots.full();
        assert!(
            full.contains(&slow(SLOW_SHARE + 1)),
            "not passed over by claims"
        );
        // A new host, and one that answers, still get theirs.
        assert_eq!(slots.free("new.example"), 1);
        slots.start("fast.example");
        slots.finish("fast.example", Pace::Fast);
        assert_eq!(slots.free("fast.example"), 2);
        assert!(!slots.full().contains(&"fast.example".to_owned()));
        // One slow turn ends: one more may start.
        slots.finish(&slow(0), Pace::Slow);
        assert_eq!(slots.free(&slow(SLOW_SHARE + 1)), 1);
        // A slow host that answers fast again is no longer held to it.
        slots.start(&slow(SLOW_SHARE + 1));
        slots.finish(&slow(1), Pace::Fast);
        assert_eq!(slots.slow_in_flight, SLOW_SHARE - 1);
        assert_eq!(slots.free(&slow(1)), 2);
    }

    #[test]
    fn fast_hosts_are_forgotten_least_recently_used_first_past_the_cap() {
        let mut slots = HostSlots::default();
        // A host with a turn in flight throughout, and one used often.
        let busy = slots.start("busy");
        for n in 0..3 * REMEMBERED_HOSTS {
            let host = format!("h{n}.example");
            slots.start(&host);
            // Fast: two turns earned, which once kept a host for good.
            slots.finish(&host, Pace::Fast);
            if n % 100 == 0 {
                slots.start("often");
                slots.finish("often", Pace::Fast);
            }
            assert!(
                slots.hosts.len() <= REMEMBERED_HOSTS,
                "{} hosts remembered after {n}",
                slots.hosts.len()
            );
        }
        assert!(slots.hosts.len() >= FORGET_TO, "{}", slots.hosts.len());
        assert!(!busy.load(Ordering::Relaxed));
        assert_eq!(slots.free("busy"), 0, "a busy host is never forgotten");
        assert_eq!(slots.free("often"), HOST_SLOTS, "a host in use is kept");
        let last = format!("h{}.example", 3 * REMEMBERED_HOSTS - 1);
        assert_eq!(slots.free(&last), 2, "the newest host keeps its turns");
        assert_eq!(slots.free("h0.example"), 1, "the oldest is forgotten");
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
