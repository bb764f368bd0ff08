//! Incoming activities, stored once verified and processed from here, so an
//! activity acknowledged with 202 survives a crash, and a replayed id is
//! recognised and dropped.

use crate::{
    Store, StoreError,
    entities::inbox_activity,
    queries::claim::{self, Claim},
    records::now,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
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

/// A verified activity to store (see [`Store::put_inbox_activities`]).
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
/// (11 values each, well under SQLite's and PostgreSQL's limits on bound
/// values).
pub const MAX_INBOX_BATCH: usize = 256;

impl Store {
    /// Stores verified activities, ignoring ids seen before: one statement
    /// (so one transaction, all or none) for each [`MAX_INBOX_BATCH`] of
    /// them. For each, in order, `true` if it was stored, `false` if its
    /// id was seen before (or earlier in `rows`). The inbox gathers the
    /// activities that arrive while the previous such statement runs into
    /// the next one: the one writer commits once for all of them.
    pub async fn put_inbox_activities(
        &self,
        rows: &[NewInboxActivity],
    ) -> Result<Vec<bool>, StoreError> {
        let mut stored = Vec::with_capacity(rows.len());
        let mut seen = HashSet::new();
        for chunk in rows.chunks(MAX_INBOX_BATCH) {
            let inserted = self.insert_inbox_chunk(chunk).await?;
            // An id twice in `rows` was stored once: the first time.
            stored.extend(
                chunk
                    .iter()
                    .map(|r| inserted.contains(&r.ap_id) && seen.insert(r.ap_id.clone())),
            );
        }
        Ok(stored)
    }

    /// One statement of [`Store::put_inbox_activities`]: the ids stored.
    async fn insert_inbox_chunk(
        &self,
        rows: &[NewInboxActivity],
    ) -> Result<HashSet<String>, StoreError> {
        if rows.is_empty() {
            return Ok(HashSet::new());
        }
        use inbox_activity::Column as C;
        let t = now();
        let mut q = Query::insert();
        q.into_table(inbox_activity::Entity).columns([
            C::ApId,
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
                r.actor.as_str().into(),
                r.kind.as_str().into(),
                r.body.as_str().into(),
                INBOX_PENDING.into(),
                0i32.into(),
                t.into(),
                t.into(),
            ]);
        }
        q.on_conflict(OnConflict::column(C::ApId).do_nothing().to_owned())
            .returning_col(C::ApId);
        Ok(self
            .db()
            .query_all_raw(self.backend().build(&q))
            .await?
            .into_iter()
            .map(|row| row.try_get::<String>("", "ap_id"))
            .collect::<Result<_, _>>()?)
    }

    /// Stores a verified activity; `false` if its id was seen before.
    pub async fn put_inbox_activity(
        &self,
        ap_id: &str,
        actor: &str,
        kind: &str,
        body: &str,
    ) -> Result<bool, StoreError> {
        let t = now();
        let res = inbox_activity::Entity::insert(inbox_activity::ActiveModel {
            ap_id: Set(ap_id.to_owned()),
            actor: Set(actor.to_owned()),
            kind: Set(kind.to_owned()),
            body: Set(body.to_owned()),
            status: Set(INBOX_PENDING.to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(t),
            locked_until: Set(None),
            last_error: Set(None),
            received_at: Set(t),
            processed_at: Set(None),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([inbox_activity::Column::ApId])
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
        .await
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

    /// Reads a stored activity by id (for tests and the operator).
    pub async fn get_inbox_activity(
        &self,
        ap_id: &str,
    ) -> Result<Option<InboxActivity>, StoreError> {
        Ok(inbox_activity::Entity::find()
            .filter(inbox_activity::Column::ApId.eq(ap_id))
            .one(self.reader())
            .await?)
    }
}
