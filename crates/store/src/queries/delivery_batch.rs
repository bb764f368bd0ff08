//! Delivery rows written several at a time: a turn of deliveries to one
//! host renews the leases of the rows it still holds in one statement
//! (on PostgreSQL each commit is a disk flush) instead of one before each
//! send, and the deliveries that many turns made at about the same time
//! are recorded done, with their hosts' health, in one transaction
//! ([`Store::finish_deliveries`]) instead of one statement (and commit)
//! each on the one writer connection.

use crate::{
    Store, StoreError,
    entities::{
        delivery::{self, STATUS_DONE, STATUS_PENDING},
        host_state,
    },
    queries::delivery::{no_holder, no_lease},
    records::now,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

/// Rows (or hosts) per statement of [`Store::finish_deliveries`]: well
/// within what one statement may bind on either database.
const CHUNK: usize = 500;

impl Store {
    /// Extends the lease of those of `ids` that `worker` still holds to
    /// `until`, and returns them; a row missing from the answer is another
    /// worker's now and must not be sent.
    pub async fn renew_delivery_leases(
        &self,
        worker: &str,
        ids: &[i64],
        until: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mine = || {
            delivery::Column::Id
                .is_in(ids.to_vec())
                .and(delivery::Column::LockedBy.eq(worker))
                .and(delivery::Column::Status.eq(STATUS_PENDING))
        };
        delivery::Entity::update_many()
            .col_expr(delivery::Column::LockedUntil, Expr::value(Some(until)))
            .filter(mine())
            .exec(self.db())
            .await?;
        Ok(delivery::Entity::find()
            .select_only()
            .column(delivery::Column::Id)
            .filter(mine())
            .into_tuple::<i64>()
            .all(self.db())
            .await?)
    }
}

impl Store {
    /// Marks the deliveries `ids` done (as [`Store::finish_delivery`] does
    /// each: one more attempt, lease released, finished now) and records a
    /// success for each of `healthy_hosts` (as
    /// [`Store::put_host_success`]), all in one transaction: either every
    /// row is recorded or none is, and a failure leaves them leased, to be
    /// sent again once the lease runs out.
    pub async fn finish_deliveries(
        &self,
        ids: &[i64],
        healthy_hosts: &[String],
    ) -> Result<(), StoreError> {
        if ids.is_empty() && healthy_hosts.is_empty() {
            return Ok(());
        }
        let t = now();
        let txn = self.begin().await?;
        for chunk in ids.chunks(CHUNK) {
            delivery::Entity::update_many()
                .col_expr(delivery::Column::Status, Expr::value(STATUS_DONE))
                .col_expr(
                    delivery::Column::Attempts,
                    Expr::col(delivery::Column::Attempts).add(1),
                )
                .col_expr(delivery::Column::LockedUntil, no_lease())
                .col_expr(delivery::Column::LockedBy, no_holder())
                .col_expr(
                    delivery::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(delivery::Column::FinishedAt, Expr::value(Some(t)))
                .filter(delivery::Column::Id.is_in(chunk.to_vec()))
                .exec(&txn)
                .await?;
        }
        let mut hosts: Vec<&String> = healthy_hosts.iter().collect();
        hosts.sort();
        hosts.dedup();
        for chunk in hosts.chunks(CHUNK) {
            host_state::Entity::insert_many(chunk.iter().map(|host| super::host::healthy(host, t)))
                .on_conflict(super::host::on_success())
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}
