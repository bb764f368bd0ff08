//! Delivery rows written several at a time: a turn of deliveries to one
//! host records its successes in one statement rather than one each
//! (on PostgreSQL each commit is a disk flush), and renews the leases of
//! the rows it still holds in one.

use crate::{
    Store, StoreError,
    entities::delivery::{self, STATUS_DONE, STATUS_PENDING},
    records::now,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

impl Store {
    /// Marks the deliveries `ids` that `worker` holds done, as
    /// [`Store::finish_delivery`] does one: one more attempt, no error,
    /// finished now, lease released.
    pub async fn finish_deliveries(&self, worker: &str, ids: &[i64]) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(delivery::Entity::update_many()
            .col_expr(delivery::Column::Status, Expr::value(STATUS_DONE))
            .col_expr(
                delivery::Column::Attempts,
                Expr::col(delivery::Column::Attempts).add(1),
            )
            .col_expr(
                delivery::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                delivery::Column::LockedBy,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                delivery::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .col_expr(delivery::Column::FinishedAt, Expr::value(Some(now())))
            .filter(delivery::Column::Id.is_in(ids.to_vec()))
            .filter(delivery::Column::LockedBy.eq(worker))
            .filter(delivery::Column::Status.eq(STATUS_PENDING))
            .exec(self.db())
            .await?
            .rows_affected)
    }

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
