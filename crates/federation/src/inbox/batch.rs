//! Group commit of accepted deliveries: the inserts of requests that
//! arrive while one is being written are gathered and written together,
//! as one multi-row statement in one transaction
//! ([`Store::put_inbox_activities`]). The one writer connection then
//! commits once for many deliveries instead of once each, and hands one
//! statement to its thread instead of many (see docs/PERFORMANCE.md,
//! "Inbox ingest").
//!
//! There is no timer and no waiting for company: the first request finds
//! nothing being written and writes its row at once; the rows that arrive
//! meanwhile go in the next statement, started as soon as that one ends.
//! So a delivery waits at most for one statement ahead of its own, and a
//! lone delivery is written as before.
//!
//! Each request is answered only once its own row is committed: it waits
//! for the statement that carries it. If that statement fails, or the
//! task writing it is dropped (the runtime stops), each waiting request
//! writes its row alone, as without batching, so a 202 still always means
//! a stored row.

use deling_store::{
    Store, StoreError,
    queries::inbox::{MAX_INBOX_BATCH, NewInboxActivity},
};
use std::{
    fmt,
    sync::{Arc, Mutex, MutexGuard},
};
use tokio::sync::oneshot;

/// A row waiting for the next statement, and where its outcome goes:
/// `Some(stored)`, or `None` when the statement failed and the request
/// must write the row itself.
struct Waiting {
    row: NewInboxActivity,
    done: oneshot::Sender<Option<bool>>,
}

#[derive(Default)]
struct Queue {
    rows: Vec<Waiting>,
    /// A task is writing; it takes up what is queued when its statement
    /// ends.
    writing: bool,
}

/// The gathering point, one per process (shared by the clones of
/// `FedContext`).
#[derive(Default)]
pub struct InboxBatch {
    queue: Mutex<Queue>,
}

impl fmt::Debug for InboxBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let q = self.lock();
        f.debug_struct("InboxBatch")
            .field("queued", &q.rows.len())
            .field("writing", &q.writing)
            .finish()
    }
}

impl InboxBatch {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores `row` with whatever else is being accepted now; `true` if
    /// it was stored, `false` if its id was seen before. Returns once the
    /// row is committed.
    pub async fn put(
        self: &Arc<Self>,
        store: &Store,
        row: NewInboxActivity,
    ) -> Result<bool, StoreError> {
        let (done, outcome) = oneshot::channel();
        let start = {
            let mut q = self.lock();
            q.rows.push(Waiting {
                row: row.clone(),
                done,
            });
            !std::mem::replace(&mut q.writing, true)
        };
        if start {
            // A task of its own, not this request's future: a request
            // dropped midway (its peer hung up) must not strand the rows
            // of the others.
            tokio::spawn(write_all(self.clone(), store.clone()));
        }
        match outcome.await {
            Ok(Some(stored)) => Ok(stored),
            // The statement failed, or was never finished: alone, then.
            Ok(None) | Err(_) => {
                store
                    .put_inbox_activity(&row.ap_id, &row.actor, &row.kind, &row.body)
                    .await
            }
        }
    }
}

/// The writing task's hold on the queue. Should the task be dropped
/// before it is done (its runtime stops), the rows still queued are
/// answered by dropping their senders, so that their requests write them
/// alone, and the next request starts a writer again.
struct Writing {
    batch: Arc<InboxBatch>,
    done: bool,
}

impl Drop for Writing {
    fn drop(&mut self) {
        if !self.done {
            let mut q = self.batch.lock();
            q.writing = false;
            q.rows.clear();
        }
    }
}

/// Writes what is queued, one statement at a time, until nothing is.
async fn write_all(batch: Arc<InboxBatch>, store: Store) {
    let mut guard = Writing { batch, done: false };
    loop {
        let taken: Vec<Waiting> = {
            let mut q = guard.batch.lock();
            if q.rows.is_empty() {
                // Cleared under the same lock a request queues under: a
                // row queued after this starts a task of its own.
                q.writing = false;
                guard.done = true;
                return;
            }
            let n = q.rows.len().min(MAX_INBOX_BATCH);
            q.rows.drain(..n).collect()
        };
        let rows: Vec<NewInboxActivity> = taken.iter().map(|w| w.row.clone()).collect();
        match store.put_inbox_activities(&rows).await {
            Ok(stored) => {
                for (w, s) in taken.into_iter().zip(stored) {
                    let _ = w.done.send(Some(s));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, rows = rows.len(),
                    "cannot store inbox activities together; each is stored alone");
                for w in taken {
                    let _ = w.done.send(None);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    async fn store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("b.sqlite3").display()
        );
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        (store, dir)
    }

    fn row(n: usize) -> NewInboxActivity {
        NewInboxActivity {
            ap_id: format!("https://a.example/activities/{n}"),
            actor: "https://a.example/users/a".into(),
            kind: "Create".into(),
            body: "{}".into(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_deliveries_are_all_stored_once_each() {
        let (store, _dir) = store().await;
        let batch = Arc::new(InboxBatch::default());
        let mut tasks = tokio::task::JoinSet::new();
        // 300 deliveries at once, 20 of them repeated: more than one
        // statement's worth, and duplicates within one.
        for n in 0..320 {
            let (batch, store) = (batch.clone(), store.clone());
            tasks.spawn(async move { (n, batch.put(&store, row(n % 300)).await.unwrap()) });
        }
        let mut stored = 0;
        while let Some(r) = tasks.join_next().await {
            let (_, s) = r.unwrap();
            stored += usize::from(s);
        }
        assert_eq!(stored, 300, "each id stored exactly once");
        assert_eq!(store.count_pending_inbox().await.unwrap(), 300);
        // Every one is there when its request is answered.
        for n in 0..300 {
            assert!(
                store
                    .get_inbox_activity(&row(n).ap_id)
                    .await
                    .unwrap()
                    .is_some()
            );
        }
        let q = batch.lock();
        assert!(q.rows.is_empty() && !q.writing, "nothing left behind");
    }

    #[tokio::test]
    async fn a_repeated_id_is_reported_as_such() {
        let (store, _dir) = store().await;
        let batch = Arc::new(InboxBatch::default());
        assert!(batch.put(&store, row(1)).await.unwrap());
        assert!(!batch.put(&store, row(1)).await.unwrap());
    }

    #[tokio::test]
    async fn a_dropped_writer_leaves_the_requests_to_write_alone() {
        let (store, _dir) = store().await;
        let batch = Arc::new(InboxBatch::default());
        // A writing task that ends without writing (as when its runtime
        // stops): the queued request is told, and stores its row itself.
        let (done, outcome) = oneshot::channel();
        {
            let mut q = batch.lock();
            q.writing = true;
            q.rows.push(Waiting { row: row(1), done });
        }
        drop(Writing {
            batch: batch.clone(),
            done: false,
        });
        assert!(
            outcome.await.is_err(),
            "the sender is dropped, not left hanging"
        );
        assert!(!batch.lock().writing);
        assert!(batch.put(&store, row(2)).await.unwrap());
        assert!(
            store
                .get_inbox_activity(&row(2).ap_id)
                .await
                .unwrap()
                .is_some()
        );
    }
}
