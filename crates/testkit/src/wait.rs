//! Waiting for what happens in the background (a worker's delivery, an
//! activity processed) by polling with a deadline, never by sleeping a
//! guessed time: a test passes as soon as the effect is there and fails
//! with what it saw last when it does not come.

use deling_store::{
    Store,
    queries::inbox::{INBOX_PENDING, InboxActivity},
};
use std::time::{Duration, Instant};

/// How long a background effect may take before a test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// Polls `check` every 100 ms until it succeeds, for at most [`WAIT`];
/// on timeout fails with `what` and the last thing `check` reported.
pub async fn eventually<T>(what: &str, check: impl AsyncFnMut() -> Result<T, String>) -> T {
    eventually_within(WAIT, what, check).await
}

/// [`eventually`] with another bound.
pub async fn eventually_within<T>(
    bound: Duration,
    what: &str,
    mut check: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let start = Instant::now();
    loop {
        match check().await {
            Ok(v) => return v,
            Err(last) if start.elapsed() > bound => {
                panic!("timed out after {bound:?} waiting for {what}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// A queue of the store's that work drains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Deliveries still to be attempted.
    Deliveries,
    /// Received activities still to be processed.
    Inbox,
}

impl Queue {
    fn name(self) -> &'static str {
        match self {
            Self::Deliveries => "delivery",
            Self::Inbox => "inbox",
        }
    }

    async fn pending(self, store: &Store) -> u64 {
        match self {
            Self::Deliveries => store.count_pending_deliveries().await,
            Self::Inbox => store.count_pending_inbox().await,
        }
        .unwrap_or_else(|e| panic!("cannot count pending {self:?}: {e}"))
    }
}

/// Waits until `queue` of `store` has nothing pending, for at most `bound`.
pub async fn drained_within(store: &Store, queue: Queue, bound: Duration) {
    eventually_within(
        bound,
        &format!("the {} queue to drain", queue.name()),
        async || match queue.pending(store).await {
            0 => Ok(()),
            n => Err(format!("{n} pending")),
        },
    )
    .await;
}

/// Waits until `store` has no delivery left to attempt, for at most [`WAIT`].
pub async fn deliveries_drained(store: &Store) {
    drained_within(store, Queue::Deliveries, WAIT).await;
}

/// Waits until every received activity of `store` is processed, for at
/// most [`WAIT`].
pub async fn inbox_drained(store: &Store) {
    drained_within(store, Queue::Inbox, WAIT).await;
}

/// Waits until the received activity `ap_id` is stored and processed (done
/// or failed, no longer pending), for at most [`WAIT`]; returns its row.
pub async fn processed(store: &Store, ap_id: &str) -> InboxActivity {
    eventually(&format!("{ap_id} processed"), async || {
        match store.get_inbox_activity(ap_id).await {
            Ok(Some(row)) if row.status != INBOX_PENDING => Ok(row),
            other => Err(format!("{other:?}")),
        }
    })
    .await
}
