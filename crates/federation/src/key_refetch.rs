//! How often an actor's key may be fetched again after a signature failed
//! to verify with the cached one. [`crate::context::FedContext`] holds the
//! one [`KeyRefetches`]; [`crate::signature`] asks it before each refetch.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// The shortest time between two key refetches of one actor: a bad
/// signature costs the sender nothing, so it must not cost us a fetch each.
pub const REFETCH_EVERY: Duration = Duration::from_secs(300);

/// Actors tracked at most by [`KeyRefetches`]; beyond, the oldest half is
/// forgotten (which at worst allows one early refetch each).
const MAX_TRACKED: usize = 10_000;

/// When each actor's key was last fetched again after a failed signature.
#[derive(Debug, Default)]
pub struct KeyRefetches(Mutex<HashMap<String, Instant>>);

impl KeyRefetches {
    /// Whether `actor` may be fetched again now; if so, records that it was.
    pub fn allow(&self, actor: &str) -> bool {
        let now = Instant::now();
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map
            .get(actor)
            .is_some_and(|t| now.saturating_duration_since(*t) < REFETCH_EVERY)
        {
            return false;
        }
        if map.len() >= MAX_TRACKED {
            map.retain(|_, t| now.saturating_duration_since(*t) < REFETCH_EVERY);
            if map.len() >= MAX_TRACKED {
                map.clear();
            }
        }
        map.insert(actor.to_owned(), now);
        true
    }
}
