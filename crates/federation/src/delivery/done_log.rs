//! Deliveries recorded done together: every turn of a pool hands the
//! delivery its peer just took to one task, which writes all that have
//! come in since its last write in one transaction
//! ([`deling_store::Store::finish_deliveries`]) and then tells each turn.
//!
//! A turn waits for that answer before it sends its next delivery (or
//! ends), exactly as it waited for its own statement before: a process
//! killed mid-turn sends again only what was in flight (sent, and not yet
//! recorded done). What changes is the number of writes: while one
//! transaction runs, the deliveries of every other turn queue for the
//! next, so under load one write records dozens of deliveries (one
//! statement each was the fan-out's narrowest point, on SQLite's one
//! writer connection and on PostgreSQL's one flush per commit), and
//! alone a delivery waits for no timer.

use crate::error::FedError;
use deling_store::{Store, StoreError};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Deliveries recorded per transaction, at most.
const MAX_BATCH: usize = 1000;

/// One delivery made, waiting to be recorded.
struct Made {
    id: i64,
    /// The host, when this success should also mark it healthy.
    healthy: Option<String>,
    recorded: oneshot::Sender<Result<(), Arc<StoreError>>>,
}

/// The way into a pool's recording task; clones share it. The task ends
/// when the last clone is dropped, after writing what it was handed.
#[derive(Clone)]
pub(super) struct DoneLog {
    made: mpsc::UnboundedSender<Made>,
}

impl DoneLog {
    /// Starts the recording task of one pool.
    pub(super) fn start(store: Store) -> Self {
        let (made, queue) = mpsc::unbounded_channel();
        tokio::spawn(record_all(store, queue));
        Self { made }
    }

    /// Records delivery `id` done, and `healthy` (its host) as answering
    /// when given; returns once it is written.
    pub(super) async fn done(&self, id: i64, healthy: Option<&str>) -> Result<(), FedError> {
        let (recorded, answer) = oneshot::channel();
        let made = Made {
            id,
            healthy: healthy.map(str::to_owned),
            recorded,
        };
        if self.made.send(made).is_err() {
            return Err(FedError::Refused("the delivery log has stopped".into()));
        }
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(FedError::Refused(format!("cannot record a delivery: {e}"))),
            Err(_) => Err(FedError::Refused("the delivery log has stopped".into())),
        }
    }
}

/// Writes what `queue` brings, everything waiting at once, until every
/// sender is gone.
async fn record_all(store: Store, mut queue: mpsc::UnboundedReceiver<Made>) {
    let mut batch = Vec::new();
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let ids: Vec<i64> = batch.iter().map(|m| m.id).collect();
        let hosts: Vec<String> = batch.iter().filter_map(|m| m.healthy.clone()).collect();
        let result = store
            .finish_deliveries(&ids, &hosts)
            .await
            .map_err(Arc::new);
        if let Err(e) = &result {
            tracing::warn!(error = %e, deliveries = ids.len(), "cannot record deliveries done");
        }
        for made in batch.drain(..) {
            // A turn that stopped waiting (its task aborted) needs no answer.
            let _ = made.recorded.send(result.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use deling_store::queries::delivery::{NewDelivery, STATUS_DONE, STATUS_PENDING};

    async fn store_with(n: usize) -> (Store, Vec<i64>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("d.sqlite3").display()
        );
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        store
            .put_deliveries(
                (0..n)
                    .map(|i| NewDelivery {
                        activity_id: format!("https://deling.test/a/{i}"),
                        agency_id: None,
                        inbox: format!("https://h{i}.example/inbox"),
                        host: format!("h{i}.example"),
                        body: "{}".into(),
                    })
                    .collect(),
            )
            .await
            .unwrap();
        let lease = chrono::Utc::now() + chrono::Duration::seconds(60);
        let ids = store
            .claim_deliveries("w", n as u64, lease)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        (store, ids, dir)
    }

    async fn status(store: &Store, i: usize) -> String {
        store
            .list_deliveries_of(&format!("https://deling.test/a/{i}"))
            .await
            .unwrap()[0]
            .status
            .clone()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_delivery_is_written_before_its_turn_goes_on() {
        let (store, ids, _dir) = store_with(200).await;
        let log = DoneLog::start(store.clone());
        // Many turns at once, as a fan-out has them: each one finds its
        // row done as soon as `done` returns, whatever else was grouped
        // with it.
        let mut turns = tokio::task::JoinSet::new();
        for (i, id) in ids.iter().copied().enumerate() {
            let (log, store) = (log.clone(), store.clone());
            turns.spawn(async move {
                let host = format!("h{i}.example");
                log.done(id, Some(&host)).await.unwrap();
                assert_eq!(status(&store, i).await, STATUS_DONE);
                let state = store.get_host_state(&host).await.unwrap().unwrap();
                assert!(state.last_success_at.is_some(), "{state:?}");
            });
        }
        while let Some(turn) = turns.join_next().await {
            turn.unwrap();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn what_was_handed_over_is_written_after_the_pool_is_gone() {
        let (store, ids, _dir) = store_with(3).await;
        let log = DoneLog::start(store.clone());
        let waiting: Vec<_> = ids[..2]
            .iter()
            .map(|&id| {
                let log = log.clone();
                tokio::spawn(async move { log.done(id, None).await })
            })
            .collect();
        drop(log);
        for w in waiting {
            w.await.unwrap().unwrap();
        }
        assert_eq!(status(&store, 0).await, STATUS_DONE);
        assert_eq!(status(&store, 1).await, STATUS_DONE);
        // Never handed over: still pending, under its lease, to be sent
        // again once the lease runs out.
        assert_eq!(status(&store, 2).await, STATUS_PENDING);
    }
}
