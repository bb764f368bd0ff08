//! A short-lived memo of what accepting a delivery asks the database about
//! its signer: that the federation policy lets it in (its domain's
//! verdict, the federation mode, no block on the actor), its stored row
//! (with the key it signs with), and whether its host had delivery
//! failures. A busy peer sends many activities a second, and these reads
//! were five of the six statements of each request (see
//! docs/PERFORMANCE.md, "Inbox ingest"); with the memo the request makes
//! the insert alone.
//!
//! Why trusting it for [`MEMO_TTL`] is safe:
//! - The policy: a memo only lets an activity be *stored*. The worker
//!   reads the policy afresh before acting on it (`inbox::dispatch`), so an
//!   activity of an actor blocked since is dropped then, whatever the memo
//!   said. A change this process makes (the API, moderation) moves
//!   [`policy_generation`] and so makes every entry stale at once; only a
//!   change made by another process (the command line) can be missed, for
//!   at most [`MEMO_TTL`], and then only as far as storing goes.
//! - The actor's row: a signature that does not verify with the memo's
//!   key drops the entry and goes the whole way (policy, row, fetching the
//!   actor again), so a rotated key costs nothing. An actor deleted since
//!   is found missing by the worker, which then drops the activity.
//! - The host's health: at worst a host that began failing within the
//!   last second is not marked alive by this delivery; the next one after
//!   the entry lapses does it, and its deliveries were waiting anyway.
//!
//! Signed GETs do not use the memo: nothing checks them again later.

use crate::objects::actors::DbRemoteActor;
use deling_store::queries::policy::policy_generation;
use std::{
    collections::HashMap,
    fmt,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long an entry is trusted after the reads it memoises began.
pub const MEMO_TTL: Duration = Duration::from_secs(1);

/// Most entries kept in each table: senders beyond it are read from the
/// database as before. A busy instance hears from a few hundred actors a
/// second at most, and an entry lives a second.
const MEMO_CAPACITY: usize = 4096;

struct Entry<T> {
    /// When the reads behind it began.
    at: Instant,
    /// [`policy_generation`] before those reads.
    generation: u64,
    value: T,
}

/// Entries by key, each good for [`MEMO_TTL`] and while the generation it
/// was taken under holds.
struct Table<T> {
    entries: Mutex<HashMap<String, Entry<T>>>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> Table<T> {
    /// The entry for `key` if it is still good at `now` under `generation`.
    fn get(&self, key: &str, now: Instant, generation: u64) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        let fresh = entry.generation == generation
            && now
                .checked_duration_since(entry.at)
                .is_some_and(|age| age < MEMO_TTL);
        fresh.then(|| entry.value.clone())
    }

    /// Keeps `value` for `key`, taken from reads that began at `at` under
    /// `generation`. When full, lapsed entries go; if that is not enough,
    /// all go (the next requests read the database, as without a memo).
    fn put(&self, key: String, value: T, at: Instant, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MEMO_CAPACITY && !entries.contains_key(&key) {
            let now = Instant::now();
            entries.retain(|_, e| now.saturating_duration_since(e.at) < MEMO_TTL);
            if entries.len() >= MEMO_CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                at,
                generation,
                value,
            },
        );
    }

    fn remove(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// The memo, one per process (shared by the clones of `FedContext`).
#[derive(Default)]
pub struct InboxMemo {
    /// Signers the policy let in, with their rows, by actor id.
    signers: Table<DbRemoteActor>,
    /// Whether a host had delivery failures, by authority.
    hosts: Table<bool>,
}

impl fmt::Debug for InboxMemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InboxMemo")
            .field("signers", &self.signers.len())
            .field("hosts", &self.hosts.len())
            .finish()
    }
}

/// What a caller notes before reading what it will memoise: the time the
/// reads began and the policy generation then, so that the entry lapses
/// as early as the oldest fact in it, and a policy change committed while
/// they ran leaves it stale.
#[derive(Debug, Clone, Copy)]
pub struct ReadStart {
    at: Instant,
    generation: u64,
}

impl ReadStart {
    /// Now, before the reads.
    pub fn now() -> Self {
        Self {
            at: Instant::now(),
            generation: policy_generation(),
        }
    }

    /// The policy generation when the reads began.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// How long ago the reads began.
    pub fn age(&self) -> Duration {
        self.at.elapsed()
    }
}

impl InboxMemo {
    /// The signer `actor_id`, if it passed the policy less than
    /// [`MEMO_TTL`] ago and the policy has not changed here since.
    pub fn signer(&self, actor_id: &str) -> Option<DbRemoteActor> {
        self.signers
            .get(actor_id, Instant::now(), policy_generation())
    }

    /// Notes that `actor` passed the policy, as read from `start` on.
    pub fn put_signer(&self, actor: &DbRemoteActor, start: ReadStart) {
        self.signers.put(
            actor.row.ap_id.clone(),
            actor.clone(),
            start.at,
            start.generation,
        );
    }

    /// Forgets a signer (its key did not verify a signature).
    pub fn forget_signer(&self, actor_id: &str) {
        self.signers.remove(actor_id);
    }

    /// Whether `host` had delivery failures, as read less than
    /// [`MEMO_TTL`] ago.
    pub fn host_failing(&self, host: &str) -> Option<bool> {
        self.hosts.get(host, Instant::now(), 0)
    }

    /// Notes whether `host` had delivery failures, as read at `at`.
    pub fn put_host(&self, host: &str, failing: bool, at: Instant) {
        self.hosts.put(host.to_owned(), failing, at, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_trusted_for_less_than_the_ttl_and_not_after() {
        let table = Table::<u32>::default();
        let t0 = Instant::now();
        table.put("a".into(), 7, t0, 3);
        assert_eq!(table.get("a", t0, 3), Some(7));
        let just_before = t0 + MEMO_TTL - Duration::from_millis(1);
        assert_eq!(table.get("a", just_before, 3), Some(7));
        assert_eq!(table.get("a", t0 + MEMO_TTL, 3), None, "lapsed at the TTL");
        assert_eq!(table.get("a", t0 + MEMO_TTL * 5, 3), None);
        assert_eq!(table.get("b", t0, 3), None);
    }

    #[test]
    fn a_policy_change_makes_an_entry_stale_at_once() {
        let table = Table::<u32>::default();
        let t0 = Instant::now();
        table.put("a".into(), 7, t0, 3);
        assert_eq!(table.get("a", t0, 4), None, "taken under another policy");
        // Taken before a change was committed and read after it: stale too.
        table.put("a".into(), 8, t0, 3);
        assert_eq!(table.get("a", t0 + Duration::from_millis(10), 4), None);
    }

    #[test]
    fn an_entry_ages_from_when_its_reads_began() {
        let table = Table::<u32>::default();
        let began = Instant::now();
        // The reads took most of the TTL: the entry has little left.
        table.put("a".into(), 7, began, 0);
        assert_eq!(table.get("a", began + MEMO_TTL, 0), None);
    }

    #[test]
    fn a_forgotten_entry_is_gone_and_a_full_table_makes_room() {
        let table = Table::<u32>::default();
        let t0 = Instant::now();
        table.put("a".into(), 1, t0, 0);
        table.remove("a");
        assert_eq!(table.get("a", t0, 0), None);
        for n in 0..MEMO_CAPACITY + 10 {
            table.put(format!("k{n}"), 1, Instant::now(), 0);
        }
        assert!(table.len() <= MEMO_CAPACITY);
        let last = format!("k{}", MEMO_CAPACITY + 9);
        assert_eq!(table.get(&last, Instant::now(), 0), Some(1));
    }

    #[test]
    fn a_host_is_memoised_and_an_unknown_signer_is_not() {
        let memo = InboxMemo::default();
        let start = ReadStart::now();
        assert_eq!(start.generation, policy_generation());
        assert!(memo.signer("https://a.example/u").is_none());
        assert_eq!(memo.host_failing("a.example"), None);
        memo.put_host("a.example", true, Instant::now());
        assert_eq!(memo.host_failing("a.example"), Some(true));
    }
}
