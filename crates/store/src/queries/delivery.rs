//! The delivery queue: claimed by workers with a lease, so a process that
//! dies mid-delivery leaves its rows to be picked up again once the lease
//! runs out. Rows are claimed the way the inbox's are ([`super::claim`]:
//! one statement, `FOR UPDATE SKIP LOCKED` on PostgreSQL), so several
//! processes share the queue and each row goes to one of them.

use crate::{
    Store, StoreError,
    entities::{delivery, delivery_body, signer_wait},
    queries::{
        claim::{self, Claim},
        params,
    },
    records::now,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, UpdateMany,
    sea_query::{Expr, OnConflict},
};
use std::collections::HashMap;

/// A delivery: its row, with the body it sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The row's id.
    pub id: i64,
    /// The activity's id.
    pub activity_id: String,
    /// Signing agency; `None` signs with the instance actor.
    pub agency_id: Option<i64>,
    /// Target inbox.
    pub inbox: String,
    /// The inbox's host (and port).
    pub host: String,
    /// The activity JSON.
    pub body: String,
    /// One of [`STATUS_PENDING`], [`STATUS_DONE`], [`STATUS_FAILED`].
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// When it is due (again).
    pub next_attempt_at: DateTime<Utc>,
    /// Until when a worker holds it.
    pub locked_until: Option<DateTime<Utc>>,
    /// The worker that holds it.
    pub locked_by: Option<String>,
    /// What went wrong last.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was delivered or given up.
    pub finished_at: Option<DateTime<Utc>>,
}

impl Delivery {
    fn new(row: delivery::Model, body: String) -> Self {
        Self {
            id: row.id,
            activity_id: row.activity_id,
            agency_id: row.agency_id,
            inbox: row.inbox,
            host: row.host,
            body,
            status: row.status,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            locked_until: row.locked_until,
            locked_by: row.locked_by,
            last_error: row.last_error,
            created_at: row.created_at,
            finished_at: row.finished_at,
        }
    }
}

/// `rows` with their bodies, read in one statement (a claim of a fan-out
/// names one or two bodies for all its rows).
async fn with_bodies(
    db: &impl ConnectionTrait,
    rows: Vec<delivery::Model>,
) -> Result<Vec<Delivery>, StoreError> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.body_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut bodies: HashMap<i64, String> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        bodies.extend(
            delivery_body::Entity::find()
                .filter(delivery_body::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?
                .into_iter()
                .map(|b| (b.id, b.body)),
        );
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            // A row whose body is gone (it cannot be, short of a hand
            // edit) sends an empty body, which any peer refuses; the
            // delivery then fails like any refused one.
            let body = bodies.get(&r.body_id).cloned().unwrap_or_default();
            Delivery::new(r, body)
        })
        .collect())
}

// The statuses live with the table, where `host.rs` reads them too.
pub use crate::entities::delivery::{STATUS_DONE, STATUS_FAILED, STATUS_PENDING};

/// A delivery to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The activity's id.
    pub activity_id: String,
    /// Signing agency; `None` signs with the instance actor.
    pub agency_id: Option<i64>,
    /// Target inbox.
    pub inbox: String,
    /// The inbox's host (and port), for per-host accounting.
    pub host: String,
    /// The activity JSON.
    pub body: String,
}

/// Whose deliveries to a host wait behind one that failed, or are given
/// up with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backlog {
    /// Every signer's: the host itself failed.
    Host,
    /// Those signed by one agency (`None`: the instance actor): the host
    /// answers, but refuses that signer.
    Signer(Option<i64>),
}

/// A signer as `signer_wait` names it: the agency's id, 0 for the
/// instance actor (ids start at 1).
pub(crate) fn signer_key(agency: Option<i64>) -> i64 {
    agency.unwrap_or(0)
}

impl Backlog {
    /// `update` narrowed to this backlog's rows.
    fn of(self, update: UpdateMany<delivery::Entity>) -> UpdateMany<delivery::Entity> {
        match self {
            Self::Host => update,
            Self::Signer(Some(agency)) => update.filter(delivery::Column::AgencyId.eq(agency)),
            Self::Signer(None) => update.filter(delivery::Column::AgencyId.is_null()),
        }
    }

    /// The `signer_wait` row it keeps, if any.
    fn waiting(self, host: &str, next: DateTime<Utc>) -> Option<signer_wait::ActiveModel> {
        match self {
            Self::Host => None,
            Self::Signer(agency) => Some(signer_wait::ActiveModel {
                host: Set(host.to_owned()),
                signer: Set(signer_key(agency)),
                next_attempt_at: Set(next),
            }),
        }
    }

    /// The delivery the backlog went with, as its rows' error names it.
    fn oldest(self) -> &'static str {
        match self {
            Self::Host => "the host's oldest delivery",
            Self::Signer(_) => "the signer's oldest delivery to the host",
        }
    }
}

impl Store {
    /// Claims up to `limit` due deliveries for `worker` until `lease_until`.
    pub async fn claim_deliveries(
        &self,
        worker: &str,
        limit: u64,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.claim_deliveries_except(worker, limit, lease_until, &[], &[])
            .await
    }

    /// [`Store::claim_deliveries`], passing over rows to `skip_hosts` and
    /// `skip_inboxes`: a worker that has as many requests in flight to a
    /// host as it allows, or a request to an inbox, leaves those rows to
    /// wait in the queue rather than hold them under its lease.
    pub async fn claim_deliveries_except(
        &self,
        worker: &str,
        limit: u64,
        lease_until: DateTime<Utc>,
        skip_hosts: &[String],
        skip_inboxes: &[String],
    ) -> Result<Vec<Delivery>, StoreError> {
        let t = now();
        let lease = vec![
            ("locked_until", lease_until.into()),
            ("locked_by", worker.into()),
        ];
        // Due, not leased by a live worker, and not to a host that is
        // waiting out failures.
        let rows = Claim::due(self.backend(), "delivery", lease, STATUS_PENDING, t)
            .and(|p| {
                format!(
                    "host NOT IN (SELECT host FROM host_state \
                     WHERE next_attempt_at IS NOT NULL AND next_attempt_at > {})",
                    p.push(t)
                )
            })
            .not_in("host", skip_hosts)
            .not_in("inbox", skip_inboxes)
            .take::<delivery::Entity>(self.db(), "next_attempt_at, id", limit)
            .await?;
        // Bodies are committed before any row that names them.
        let mut rows = with_bodies(self.reader(), rows).await?;
        rows.sort_by_key(|r| (r.next_attempt_at, r.id));
        Ok(rows)
    }

    /// Marks a delivery done.
    pub async fn finish_delivery(&self, id: i64) -> Result<(), StoreError> {
        self.set_delivery(id, STATUS_DONE, None, None).await
    }

    /// Gives a delivery up for good.
    pub async fn fail_delivery(&self, id: i64, error: &str) -> Result<(), StoreError> {
        self.set_delivery(id, STATUS_FAILED, Some(error), None)
            .await
    }

    /// Schedules another attempt at `next` after a failure.
    pub async fn retry_delivery(
        &self,
        id: i64,
        error: &str,
        next: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_delivery(id, STATUS_PENDING, Some(error), Some(next))
            .await
    }

    /// Puts a claimed delivery back to be tried at `next`, without
    /// counting an attempt: nothing was sent, something on this side
    /// (the database) failed for a moment. Its lease is released; a row
    /// whose lease another worker took over is left alone. The deliveries
    /// to its host queued after it wait until `next` too, in one
    /// transaction: due before it, the Delete of an item would otherwise
    /// go out before the item's Create, or an Undo before what it undoes.
    pub async fn postpone_delivery(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        next: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.begin().await?;
        let Some(row) = delivery::Entity::find_by_id(id).one(&txn).await? else {
            return Ok(());
        };
        let postponed = delivery::Entity::update_many()
            .col_expr(delivery::Column::NextAttemptAt, Expr::value(next))
            .col_expr(
                delivery::Column::LastError,
                Expr::value(Some(error.chars().take(1000).collect::<String>())),
            )
            .col_expr(delivery::Column::LockedUntil, no_lease())
            .col_expr(delivery::Column::LockedBy, no_holder())
            .filter(delivery::Column::Id.eq(id))
            .filter(delivery::Column::LockedBy.eq(worker))
            .filter(delivery::Column::Status.eq(STATUS_PENDING))
            .exec(&txn)
            .await?;
        if postponed.rows_affected > 0 {
            delivery::Entity::update_many()
                .col_expr(delivery::Column::NextAttemptAt, Expr::value(next))
                .filter(delivery::Column::Host.eq(row.host))
                .filter(delivery::Column::Id.gt(id))
                .filter(delivery::Column::Status.eq(STATUS_PENDING))
                .filter(delivery::Column::NextAttemptAt.lt(next))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Gives up delivery `id` (its host's probe, out of attempts) and,
    /// in the same transaction, every other delivery still pending to
    /// `host` that was queued before now: they were waiting behind the
    /// probe for a host that has not answered in all that time, and
    /// would otherwise each wait out the whole backoff in turn. Returns
    /// how many others were given up.
    pub async fn fail_delivery_and_host_backlog(
        &self,
        id: i64,
        host: &str,
        error: &str,
    ) -> Result<u64, StoreError> {
        self.fail_delivery_and_backlog(id, host, Backlog::Host, error)
            .await
    }

    /// [`Store::fail_delivery_and_host_backlog`] for `backlog`'s rows
    /// only. Returns how many others were given up.
    pub async fn fail_delivery_and_backlog(
        &self,
        id: i64,
        host: &str,
        backlog: Backlog,
        error: &str,
    ) -> Result<u64, StoreError> {
        let t = now();
        let txn = self.begin().await?;
        let settled = claim::settle::<delivery::Entity>(
            &txn,
            id,
            STATUS_FAILED,
            Some(error),
            None,
            &["locked_by"],
            "finished_at",
        )
        .await?;
        if !settled {
            // Finished elsewhere meanwhile (its lease ran out here): what
            // waited behind it is that process's to judge.
            txn.commit().await?;
            return Ok(0);
        }
        let why = format!(
            "given up with {}: {}",
            backlog.oldest(),
            error.chars().take(900).collect::<String>()
        );
        let others = backlog
            .of(delivery::Entity::update_many()
                .col_expr(delivery::Column::Status, Expr::value(STATUS_FAILED))
                .col_expr(delivery::Column::LastError, Expr::value(Some(why)))
                .col_expr(delivery::Column::FinishedAt, Expr::value(Some(t)))
                .col_expr(delivery::Column::LockedUntil, no_lease())
                .col_expr(delivery::Column::LockedBy, no_holder())
                .filter(delivery::Column::Host.eq(host))
                .filter(delivery::Column::Status.eq(STATUS_PENDING))
                .filter(delivery::Column::CreatedAt.lte(t))
                .filter(delivery::Column::Id.ne(id)))
            .exec(&txn)
            .await?
            .rows_affected;
        // What the signer sends the host from now on gets a chance of
        // its own.
        if let Backlog::Signer(agency) = backlog {
            signer_wait::Entity::delete_many()
                .filter(signer_wait::Column::Host.eq(host))
                .filter(signer_wait::Column::Signer.eq(signer_key(agency)))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(others)
    }

    /// Schedules another attempt at delivery `id` at `next` after a
    /// failure, and makes `backlog`'s other deliveries pending to `host`
    /// that were due earlier wait until then too (without counting an
    /// attempt), in one transaction: they go after it, in queue order, so
    /// an item's Delete does not overtake its Create.
    pub async fn retry_delivery_with_backlog(
        &self,
        id: i64,
        host: &str,
        backlog: Backlog,
        error: &str,
        next: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.begin().await?;
        let settled = claim::settle::<delivery::Entity>(
            &txn,
            id,
            STATUS_PENDING,
            Some(error),
            Some(next),
            &["locked_by"],
            "finished_at",
        )
        .await?;
        if !settled {
            // Given up or delivered meanwhile (with its backlog, which
            // must not be made to wait again).
            txn.commit().await?;
            return Ok(());
        }
        backlog
            .of(delivery::Entity::update_many()
                .col_expr(delivery::Column::NextAttemptAt, Expr::value(next))
                .filter(delivery::Column::Host.eq(host))
                .filter(delivery::Column::Status.eq(STATUS_PENDING))
                .filter(delivery::Column::NextAttemptAt.lt(next))
                .filter(delivery::Column::Id.ne(id)))
            .exec(&txn)
            .await?;
        if let Some(wait) = backlog.waiting(host, next) {
            // Another of the signer's deliveries to the host, refused in
            // a turn of its own, may wait longer: the later time holds,
            // or what is queued next would go before that one.
            let later = match self.backend() {
                DbBackend::Postgres => {
                    "GREATEST(signer_wait.next_attempt_at, excluded.next_attempt_at)"
                }
                _ => "MAX(signer_wait.next_attempt_at, excluded.next_attempt_at)",
            };
            signer_wait::Entity::insert(wait)
                .on_conflict(
                    OnConflict::columns([signer_wait::Column::Host, signer_wait::Column::Signer])
                        .value(signer_wait::Column::NextAttemptAt, Expr::cust(later))
                        .to_owned(),
                )
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    async fn set_delivery(
        &self,
        id: i64,
        status: &str,
        error: Option<&str>,
        next: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        claim::settle::<delivery::Entity>(
            self.db(),
            id,
            status,
            error,
            next,
            &["locked_by"],
            "finished_at",
        )
        .await?;
        Ok(())
    }

    /// Gives deliveries `worker` claimed back without an attempt (their
    /// host just failed, or their turn ran out before they were sent);
    /// rows whose lease another worker took over are left alone.
    pub async fn release_deliveries(&self, worker: &str, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        delivery::Entity::update_many()
            .col_expr(delivery::Column::LockedUntil, no_lease())
            .col_expr(delivery::Column::LockedBy, no_holder())
            .filter(delivery::Column::Id.is_in(ids.to_vec()))
            .filter(delivery::Column::LockedBy.eq(worker))
            .filter(delivery::Column::Status.eq(STATUS_PENDING))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Deliveries still to be made.
    pub async fn count_pending_deliveries(&self) -> Result<u64, StoreError> {
        Ok(delivery::Entity::find()
            .filter(delivery::Column::Status.eq(STATUS_PENDING))
            .count(self.reader())
            .await?)
    }

    /// The next time any pending delivery is due, to sleep until then.
    pub async fn next_delivery_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.next_delivery_due_except(&[], &[]).await
    }

    /// [`Store::next_delivery_due`] among the rows a claim with the same
    /// `skip_hosts` and `skip_inboxes` would take
    /// ([`Store::claim_deliveries_except`]).
    pub async fn next_delivery_due_except(
        &self,
        skip_hosts: &[String],
        skip_inboxes: &[String],
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        // The soonest of the first pending rows, each no earlier than its
        // lease and its host's next try.
        let mut q = delivery::Entity::find().filter(delivery::Column::Status.eq(STATUS_PENDING));
        for (column, list) in [("host", skip_hosts), ("inbox", skip_inboxes)] {
            if !list.is_empty() {
                q = q.filter(params::in_list(self.backend(), column, list, true));
            }
        }
        let rows = q
            .order_by_asc(delivery::Column::NextAttemptAt)
            .limit(100)
            .all(self.reader())
            .await?;
        let hosts: Vec<String> = rows.iter().map(|r| r.host.clone()).collect();
        let waiting: std::collections::HashMap<String, DateTime<Utc>> =
            crate::entities::host_state::Entity::find()
                .filter(crate::entities::host_state::Column::Host.is_in(hosts))
                .all(self.reader())
                .await?
                .into_iter()
                .filter_map(|h| Some((h.host, h.next_attempt_at?)))
                .collect();
        Ok(rows
            .iter()
            .map(|d| {
                let mut due = d.next_attempt_at;
                if let Some(l) = d.locked_until {
                    due = Ord::max(due, l);
                }
                if let Some(h) = waiting.get(&d.host) {
                    due = Ord::max(due, *h);
                }
                due
            })
            .min())
    }

    /// Extends a claimed delivery's lease just before it is sent; `false`
    /// if the lease was lost (it ran out and another worker took the row),
    /// in which case this worker must not send it.
    pub async fn renew_delivery_lease(
        &self,
        id: i64,
        worker: &str,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(delivery::Entity::update_many()
            .col_expr(delivery::Column::LockedUntil, Expr::value(Some(until)))
            .filter(delivery::Column::Id.eq(id))
            .filter(delivery::Column::LockedBy.eq(worker))
            .filter(delivery::Column::Status.eq(STATUS_PENDING))
            .exec(self.db())
            .await?
            .rows_affected
            == 1)
    }

    /// Forgets deliveries that ended (done or given up) before `before`,
    /// and the bodies no delivery names any more, and signers' waits that
    /// have passed.
    pub async fn delete_finished_deliveries_before(
        &self,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let deleted = delivery::Entity::delete_many()
            .filter(delivery::Column::Status.ne(STATUS_PENDING))
            .filter(delivery::Column::FinishedAt.lt(before))
            .exec(self.db())
            .await?
            .rows_affected;
        // A body and its deliveries are written in one transaction, so a
        // body being queued is never seen here without them.
        let named = sea_orm::sea_query::Query::select()
            .column(delivery::Column::BodyId)
            .from(delivery::Entity)
            .and_where(delivery::Column::BodyId.is_not_null())
            .to_owned();
        delivery_body::Entity::delete_many()
            .filter(delivery_body::Column::Id.not_in_subquery(named))
            .exec(self.db())
            .await?;
        // A wait that has passed holds nothing back.
        signer_wait::Entity::delete_many()
            .filter(signer_wait::Column::NextAttemptAt.lt(now()))
            .exec(self.db())
            .await?;
        Ok(deleted)
    }

    /// Every delivery of an activity (for tests and the operator).
    pub async fn list_deliveries_of(&self, activity_id: &str) -> Result<Vec<Delivery>, StoreError> {
        let rows = delivery::Entity::find()
            .filter(delivery::Column::ActivityId.eq(activity_id))
            .order_by_asc(delivery::Column::Id)
            .all(self.reader())
            .await?;
        with_bodies(self.reader(), rows).await
    }

    /// How many activity bodies the delivery queue keeps: one per activity
    /// (and form) shared by all its deliveries, until the last of them is
    /// pruned.
    pub async fn count_delivery_bodies(&self) -> Result<u64, StoreError> {
        Ok(delivery_body::Entity::find().count(self.reader()).await?)
    }

    /// The host and status of each delivery of an activity, without the
    /// bodies: for watching a fan-out of a thousand deliveries (the
    /// benchmark does, every few milliseconds) without reading a thousand
    /// copies of the activity each time.
    pub async fn list_delivery_states_of(
        &self,
        activity_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(delivery::Entity::find()
            .select_only()
            .column(delivery::Column::Host)
            .column(delivery::Column::Status)
            .filter(delivery::Column::ActivityId.eq(activity_id))
            .order_by_asc(delivery::Column::Id)
            .into_tuple()
            .all(self.reader())
            .await?)
    }
}

/// The state of the federation queues, for the operator.
#[derive(Debug, Clone, Default)]
pub struct QueueStats {
    /// Deliveries waiting.
    pub pending_deliveries: u64,
    /// When the oldest waiting delivery was queued.
    pub oldest_pending: Option<DateTime<Utc>>,
    /// Deliveries given up (kept a week).
    pub failed_deliveries: u64,
    /// Deliveries made (kept a week).
    pub done_deliveries: u64,
    /// Incoming activities waiting to be processed.
    pub pending_inbox: u64,
    /// Incoming activities refused while processing (kept a day).
    pub failed_inbox: u64,
    /// Local changes not yet fanned out.
    pub pending_events: u64,
    /// Hosts whose last delivery failed, worst first.
    pub failing_hosts: Vec<crate::queries::host::HostState>,
    /// Hosts that answer `401` to one of our signers, by host.
    pub refused_signers: Vec<RefusedSigner>,
}

/// A host that answered `401` to every signature of one of our signers:
/// that signer's deliveries to it wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedSigner {
    /// Host (and port).
    pub host: String,
    /// The agency's slug; `None` for the instance actor.
    pub agency: Option<String>,
    /// Until when its deliveries there wait.
    pub until: DateTime<Utc>,
}

impl Store {
    /// Counts what waits, what failed and which hosts are failing.
    pub async fn queue_stats(&self) -> Result<QueueStats, StoreError> {
        use crate::entities::{inbox_activity, outbox_event};
        let count = |status: &'static str| {
            delivery::Entity::find()
                .filter(delivery::Column::Status.eq(status))
                .count(self.reader())
        };
        let oldest = delivery::Entity::find()
            .filter(delivery::Column::Status.eq(STATUS_PENDING))
            .order_by_asc(delivery::Column::CreatedAt)
            .one(self.reader())
            .await?
            .map(|d| d.created_at);
        let inbox_count = |status: &'static str| {
            inbox_activity::Entity::find()
                .filter(inbox_activity::Column::Status.eq(status))
                .count(self.reader())
        };
        Ok(QueueStats {
            pending_deliveries: count(STATUS_PENDING).await?,
            oldest_pending: oldest,
            failed_deliveries: count(STATUS_FAILED).await?,
            done_deliveries: count(STATUS_DONE).await?,
            pending_inbox: inbox_count(crate::queries::inbox::INBOX_PENDING).await?,
            failed_inbox: inbox_count(crate::queries::inbox::INBOX_FAILED).await?,
            pending_events: outbox_event::Entity::find()
                .filter(outbox_event::Column::ProcessedAt.is_null())
                .count(self.reader())
                .await?,
            failing_hosts: self.list_failing_hosts().await?,
            refused_signers: self.list_refused_signers().await?,
        })
    }

    /// The signers hosts refuse now (`signer_wait`), by host.
    pub async fn list_refused_signers(&self) -> Result<Vec<RefusedSigner>, StoreError> {
        let waits = signer_wait::Entity::find()
            .filter(signer_wait::Column::NextAttemptAt.gt(now()))
            .order_by_asc(signer_wait::Column::Host)
            .order_by_asc(signer_wait::Column::Signer)
            .all(self.reader())
            .await?;
        if waits.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = waits.iter().map(|w| w.signer).filter(|s| *s != 0).collect();
        let slugs: HashMap<i64, String> = crate::entities::agency::Entity::find()
            .filter(crate::entities::agency::Column::Id.is_in(ids))
            .all(self.reader())
            .await?
            .into_iter()
            .map(|a| (a.id, a.slug))
            .collect();
        Ok(waits
            .into_iter()
            .map(|w| RefusedSigner {
                agency: slugs.get(&w.signer).cloned(),
                host: w.host,
                until: w.next_attempt_at,
            })
            .collect())
    }
}

/// The value of `locked_until` for a row whose lease is released.
pub(crate) fn no_lease() -> sea_orm::sea_query::SimpleExpr {
    Expr::value(Option::<DateTime<Utc>>::None)
}

/// The value of `locked_by` for a row no worker holds.
pub(crate) fn no_holder() -> sea_orm::sea_query::SimpleExpr {
    Expr::value(Option::<String>::None)
}
