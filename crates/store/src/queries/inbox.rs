//! Incoming activities, stored once verified and processed from here, so an
//! activity acknowledged with 202 survives a crash, and a replayed id is
//! recognised and dropped.
//!
//! An id is recognised per signer (the actor whose key verified the
//! delivery): ids are predictable (Mastodon's `…/statuses/1#delete`), and
//! were one sender's use of an id to stop another's, anyone could send an
//! actor's next Delete id first and have the real Delete dropped.

use crate::{
    Store, StoreError,
    entities::inbox_activity,
    queries::claim::{self, Claim},
    records::now,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};
use std::collections::HashSet;

/// A stored incoming activity.
pub type InboxActivity = inbox_activity::Model;

/// Waiting to be processed.
pub const INBOX_PENDING: &str = "pending";
/// Processed.
pub const INBOX_DONE: &str = "done";
/// Processing failed for good.
pub const INBOX_FAILED: &str = "failed";

/// A verified activity to store (see [`Store::put_inbox_activities`]),
/// signed by its actor unless stored with
/// [`Store::put_inbox_activity_from`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInboxActivity {
    /// Its id.
    pub ap_id: String,
    /// Its actor's id.
    pub actor: String,
    /// Its type.
    pub kind: String,
    /// The activity, as JSON.
    pub body: String,
}

/// Most activities [`Store::put_inbox_activities`] writes in one statement
/// (9 values each, well under SQLite's and PostgreSQL's limits on bound
/// values).
pub const MAX_INBOX_BATCH: usize = 256;

impl Store {
    /// Stores verified activities, each signed by its actor, ignoring ids
    /// their actor sent before: one statement (so one transaction, all or
    /// none) for each [`MAX_INBOX_BATCH`] of them. For each, in order,
    /// `true` if it was stored, `false` if its actor sent its id before
    /// (or earlier in `rows`). The inbox gathers the activities that
    /// arrive while the previous such statement runs into the next one:
    /// the one writer commits once for all of them.
    pub async fn put_inbox_activities(
        &self,
        rows: &[NewInboxActivity],
    ) -> Result<Vec<bool>, StoreError> {
        let mut stored = Vec::with_capacity(rows.len());
        let mut seen = HashSet::new();
        for chunk in rows.chunks(MAX_INBOX_BATCH) {
            let inserted = self.insert_inbox_chunk(chunk).await?;
            // An id twice from one actor in `rows` was stored once: the
            // first time.
            stored.extend(chunk.iter().map(|r| {
                let key = (r.ap_id.clone(), r.actor.clone());
                inserted.contains(&key) && seen.insert(key)
            }));
        }
        Ok(stored)
    }

    /// One statement of [`Store::put_inbox_activities`]: the (id, signer)
    /// pairs stored.
    async fn insert_inbox_chunk(
        &self,
        rows: &[NewInboxActivity],
    ) -> Result<HashSet<(String, String)>, StoreError> {
        if rows.is_empty() {
            return Ok(HashSet::new());
        }
        use inbox_activity::Column as C;
        let t = now();
        let mut q = Query::insert();
        q.into_table(inbox_activity::Entity).columns([
            C::ApId,
            C::Signer,
            C::Actor,
            C::Kind,
            C::Body,
            C::Status,
            C::Attempts,
            C::NextAttemptAt,
            C::ReceivedAt,
        ]);
        for r in rows {
            q.values_panic([
                r.ap_id.as_str().into(),
                // Signed by its actor: see `NewInboxActivity`.
                r.actor.as_str().into(),
                r.actor.as_str().into(),
                r.kind.as_str().into(),
                r.body.as_str().into(),
                INBOX_PENDING.into(),
                0i32.into(),
                t.into(),
                t.into(),
            ]);
        }
        q.on_conflict(
            OnConflict::columns([C::ApId, C::Signer])
                .do_nothing()
                .to_owned(),
        )
        .returning(Query::returning().columns([C::ApId, C::Signer]));
        Ok(self
            .db()
            .query_all_raw(self.backend().build(&q))
            .await?
            .into_iter()
            .map(|row| {
                Ok((
                    row.try_get::<String>("", "ap_id")?,
                    row.try_get::<String>("", "signer")?,
                ))
            })
            .collect::<Result<_, sea_orm::DbErr>>()?)
    }

    /// Stores a verified activity signed by its actor; `false` if its
    /// actor sent its id before.
    pub async fn put_inbox_activity(
        &self,
        ap_id: &str,
        actor: &str,
        kind: &str,
        body: &str,
    ) -> Result<bool, StoreError> {
        let row = NewInboxActivity {
            ap_id: ap_id.to_owned(),
            actor: actor.to_owned(),
            kind: kind.to_owned(),
            body: body.to_owned(),
        };
        self.put_inbox_activity_from(&row, actor).await
    }

    /// Stores a verified activity whose delivery `signer` signed (another
    /// server than its actor's, relaying it); `false` if `signer` sent its
    /// id before. Whatever a relay sends, the same id from the actor
    /// itself is still taken.
    pub async fn put_inbox_activity_from(
        &self,
        row: &NewInboxActivity,
        signer: &str,
    ) -> Result<bool, StoreError> {
        let t = now();
        let res = inbox_activity::Entity::insert(inbox_activity::ActiveModel {
            ap_id: Set(row.ap_id.clone()),
            signer: Set(signer.to_owned()),
            actor: Set(row.actor.clone()),
            kind: Set(row.kind.clone()),
            body: Set(row.body.clone()),
            status: Set(INBOX_PENDING.to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(t),
            locked_until: Set(None),
            last_error: Set(None),
            received_at: Set(t),
            processed_at: Set(None),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([inbox_activity::Column::ApId, inbox_activity::Column::Signer])
        .exec(self.db())
        .await?;
        Ok(matches!(res, sea_orm::TryInsertResult::Inserted(_)))
    }

    /// Due activities in arrival order, leased until `lease_until`. Only one
    /// process handles a row at a time: rows are picked and leased in one
    /// statement ([`super::claim`]).
    pub async fn claim_inbox_activities(
        &self,
        limit: u64,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<InboxActivity>, StoreError> {
        self.claim_inbox_activities_except(limit, lease_until, &[], &[])
            .await
    }

    /// [`Store::claim_inbox_activities`], passing over activities of
    /// `skip_actors` and of actors on `skip_hosts` (authorities, `host` or
    /// `host:port`): a worker already processing an actor's activity takes
    /// its next one only after it, in order, and one that has as many
    /// activities from a host in hand as it allows leaves the rest to wait
    /// in the queue.
    pub async fn claim_inbox_activities_except(
        &self,
        limit: u64,
        lease_until: DateTime<Utc>,
        skip_actors: &[String],
        skip_hosts: &[String],
    ) -> Result<Vec<InboxActivity>, StoreError> {
        let lease = vec![("locked_until", lease_until.into())];
        let host_prefixes: Vec<String> = skip_hosts
            .iter()
            .flat_map(|host| ["http", "https"].map(|scheme| format!("{scheme}://{host}/")))
            .collect();
        let claim = Claim::due(
            self.backend(),
            "inbox_activity",
            lease,
            INBOX_PENDING,
            now(),
        )
        .not_in("actor", skip_actors)
        .not_prefixed("actor", &host_prefixes);
        let mut rows = claim
            .take::<inbox_activity::Entity>(self.db(), "id", limit)
            .await?;
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    /// Gives claimed activities back unprocessed, so that this or another
    /// process takes them up at once. Only rows still under the lease
    /// `lease_until` this process claimed them with are released: once it
    /// ran out, another process may hold them.
    pub async fn release_inbox_activities(
        &self,
        ids: &[i64],
        lease_until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if ids.is_empty() || now() >= lease_until {
            return Ok(());
        }
        inbox_activity::Entity::update_many()
            .col_expr(
                inbox_activity::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(inbox_activity::Column::Id.is_in(ids.iter().copied()))
            .filter(inbox_activity::Column::Status.eq(INBOX_PENDING))
            .filter(inbox_activity::Column::LockedUntil.eq(lease_until))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Marks an activity processed.
    pub async fn finish_inbox_activity(&self, id: i64) -> Result<(), StoreError> {
        self.set_inbox(id, INBOX_DONE, None, None).await
    }

    /// Marks several activities processed in one statement, as
    /// [`Store::finish_inbox_activity`] does each: the inbox worker records
    /// an actor's run of activities at once rather than one write each on
    /// the one writer connection.
    pub async fn finish_inbox_activities(&self, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        inbox_activity::Entity::update_many()
            .col_expr(inbox_activity::Column::Status, Expr::value(INBOX_DONE))
            .col_expr(
                inbox_activity::Column::Attempts,
                Expr::col(inbox_activity::Column::Attempts).add(1),
            )
            .col_expr(
                inbox_activity::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                inbox_activity::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                inbox_activity::Column::ProcessedAt,
                Expr::value(Some(now())),
            )
            .filter(inbox_activity::Column::Id.is_in(ids.iter().copied()))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Schedules another attempt after a passing failure.
    pub async fn retry_inbox_activity(
        &self,
        id: i64,
        error: &str,
        next: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_inbox(id, INBOX_PENDING, Some(error), Some(next))
            .await
    }

    /// Gives up on an activity.
    pub async fn fail_inbox_activity(&self, id: i64, error: &str) -> Result<(), StoreError> {
        self.set_inbox(id, INBOX_FAILED, Some(error), None).await
    }

    async fn set_inbox(
        &self,
        id: i64,
        status: &str,
        error: Option<&str>,
        next: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        claim::settle::<inbox_activity::Entity>(
            self.db(),
            id,
            status,
            error,
            next,
            &[],
            "processed_at",
        )
        .await?;
        Ok(())
    }

    /// Activities still to be processed.
    pub async fn count_pending_inbox(&self) -> Result<u64, StoreError> {
        Ok(inbox_activity::Entity::find()
            .filter(inbox_activity::Column::Status.eq(INBOX_PENDING))
            .count(self.reader())
            .await?)
    }

    /// Forgets activities processed (or given up) before `before`. Their ids
    /// stop guarding against replays then, which is safe once their
    /// signatures have expired (an hour).
    pub async fn delete_processed_inbox_before(
        &self,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(inbox_activity::Entity::delete_many()
            .filter(inbox_activity::Column::Status.ne(INBOX_PENDING))
            .filter(inbox_activity::Column::ProcessedAt.lt(before))
            .exec(self.db())
            .await?
            .rows_affected)
    }

    /// Reads a stored activity by id (for tests and the operator): the
    /// first stored, when several signers sent that id.
    pub async fn get_inbox_activity(
        &self,
        ap_id: &str,
    ) -> Result<Option<InboxActivity>, StoreError> {
        Ok(inbox_activity::Entity::find()
            .filter(inbox_activity::Column::ApId.eq(ap_id))
            .order_by_asc(inbox_activity::Column::Id)
            .one(self.reader())
            .await?)
    }

    /// Every stored activity of id `ap_id` (one per signer that sent it),
    /// in the order they arrived (for tests and the operator).
    pub async fn list_inbox_activities(
        &self,
        ap_id: &str,
    ) -> Result<Vec<InboxActivity>, StoreError> {
        Ok(inbox_activity::Entity::find()
            .filter(inbox_activity::Column::ApId.eq(ap_id))
            .order_by_asc(inbox_activity::Column::Id)
            .all(self.reader())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use deling_migrations::Migrator;
    use deling_testkit::{db::sqlite_url, postgres::FreshDatabase};
    use sea_orm::Statement;
    use sea_orm_migration::MigratorTrait;
    use std::future::Future;

    const EVE: &str = "https://social.example/users/eve";
    const MALLORY: &str = "https://social.example/users/mallory";
    const RELAY: &str = "https://relay.example/actor";
    /// Eve's next Delete, as predictable as Mastodon makes it.
    const NEXT_DELETE: &str = "https://social.example/users/eve/statuses/1#delete";

    /// Runs `case` on a new SQLite database and, when the PostgreSQL test
    /// server is there, on a new database of it; the store is not
    /// migrated.
    async fn on_both<F, Fut>(case: F)
    where
        F: Fn(Store) -> Fut,
        Fut: Future<Output = ()>,
    {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&sqlite_url(dir.path(), "inbox.db"))
            .await
            .unwrap();
        case(store.clone()).await;
        store.close().await.unwrap();
        if let Some(pg) = FreshDatabase::create("deling_inbox").await {
            let store = Store::connect(&pg.url).await.unwrap();
            case(store.clone()).await;
            store.close().await.unwrap();
            pg.drop_now().await;
        }
    }

    fn row(ap_id: &str, actor: &str) -> NewInboxActivity {
        NewInboxActivity {
            ap_id: ap_id.into(),
            actor: actor.into(),
            kind: "Delete".into(),
            body: "{}".into(),
        }
    }

    async fn signers(store: &Store, ap_id: &str) -> Vec<String> {
        let rows = store.list_inbox_activities(ap_id).await.unwrap();
        rows.into_iter().map(|r| r.signer).collect()
    }

    #[tokio::test]
    async fn an_id_is_unique_per_signer_only() {
        on_both(async |store| {
            store.migrate().await.unwrap();
            // Mallory, on Eve's server, sends Eve's next Delete id first;
            // a relay sends it too, for Eve.
            assert!(
                store
                    .put_inbox_activity(NEXT_DELETE, MALLORY, "Like", "{}")
                    .await
                    .unwrap()
            );
            assert!(
                store
                    .put_inbox_activity_from(&row(NEXT_DELETE, EVE), RELAY)
                    .await
                    .unwrap()
            );
            // Eve's own is still taken, once; so is each sender's, once.
            assert!(
                store
                    .put_inbox_activity(NEXT_DELETE, EVE, "Delete", "{}")
                    .await
                    .unwrap()
            );
            assert!(
                !store
                    .put_inbox_activity(NEXT_DELETE, EVE, "Delete", "{}")
                    .await
                    .unwrap()
            );
            assert!(
                !store
                    .put_inbox_activity_from(&row(NEXT_DELETE, EVE), RELAY)
                    .await
                    .unwrap()
            );
            assert_eq!(signers(&store, NEXT_DELETE).await, [MALLORY, RELAY, EVE]);
            let first = store.get_inbox_activity(NEXT_DELETE).await.unwrap();
            assert_eq!(first.map(|r| r.signer).as_deref(), Some(MALLORY));

            // The same in one statement, and against what is stored.
            let next = "https://social.example/users/eve/statuses/2#delete";
            let stored = store
                .put_inbox_activities(&[
                    row(next, MALLORY),
                    row(next, EVE),
                    row(next, EVE),
                    row(NEXT_DELETE, EVE),
                ])
                .await
                .unwrap();
            assert_eq!(stored, [true, true, false, false]);
            assert_eq!(signers(&store, next).await, [MALLORY, EVE]);
        })
        .await;
    }

    /// The rows of `inbox_activity`, by raw SQL (whatever its shape): id,
    /// ap_id and, if `with_signer`, signer.
    async fn raw_rows(store: &Store, with_signer: bool) -> Vec<(i64, String, String)> {
        let signer = if with_signer {
            "signer"
        } else {
            "'' AS signer"
        };
        let sql = format!("SELECT id, ap_id, {signer} FROM inbox_activity ORDER BY id");
        let rows = store
            .db()
            .query_all_raw(Statement::from_string(store.backend(), sql))
            .await
            .unwrap();
        rows.iter()
            .map(|r| {
                (
                    r.try_get("", "id").unwrap(),
                    r.try_get("", "ap_id").unwrap(),
                    r.try_get("", "signer").unwrap(),
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn the_signer_migration_keeps_the_queue() {
        on_both(async |store| {
            let names: Vec<String> = Migrator::migrations()
                .iter()
                .map(|m| m.name().to_owned())
                .collect();
            let at = names
                .iter()
                .position(|n| n == "m20261206_000090_inbox_signer")
                .expect("the migration is registered");
            Migrator::up(store.db(), Some(at as u32)).await.unwrap();
            // Queued before: one activity waiting, one done.
            for (n, status) in [(1, INBOX_PENDING), (2, INBOX_DONE)] {
                store
                    .execute_unprepared(&format!(
                        "INSERT INTO inbox_activity (ap_id, actor, kind, body, status, \
                         attempts, next_attempt_at, received_at) VALUES \
                         ('{EVE}/a/{n}', '{EVE}', 'Like', '{{}}', '{status}', 0, \
                         CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ))
                    .await
                    .unwrap();
            }
            let before = raw_rows(&store, false).await;
            store.migrate().await.unwrap();

            // Kept, ids and all, as signed by their actor: a repeat from
            // Eve is still a repeat, another signer's is not.
            let after = raw_rows(&store, true).await;
            assert_eq!(after.len(), 2);
            for ((id, ap_id, _), (id2, ap_id2, signer)) in before.iter().zip(&after) {
                assert_eq!((id, ap_id, signer.as_str()), (id2, ap_id2, EVE));
            }
            let first = format!("{EVE}/a/1");
            assert_eq!(store.count_pending_inbox().await.unwrap(), 1);
            assert!(
                !store
                    .put_inbox_activity(&first, EVE, "Like", "{}")
                    .await
                    .unwrap()
            );
            assert!(
                store
                    .put_inbox_activity_from(&row(&first, EVE), RELAY)
                    .await
                    .unwrap()
            );

            // Back down: one row per id again, the first.
            Migrator::down(store.db(), Some((names.len() - at) as u32))
                .await
                .unwrap();
            let down = raw_rows(&store, false).await;
            let ids: Vec<i64> = down.iter().map(|r| r.0).collect();
            assert_eq!(ids, before.iter().map(|r| r.0).collect::<Vec<_>>());
            store.migrate().await.unwrap();
            assert_eq!(signers(&store, &first).await, [EVE]);
        })
        .await;
    }
}
