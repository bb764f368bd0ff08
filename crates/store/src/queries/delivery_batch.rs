//! Delivery rows written several at a time: a turn of deliveries to one
//! host renews the leases of the rows it still holds in one statement
//! (on PostgreSQL each commit is a disk flush) instead of one before each
//! send.

use crate::{
    Store, StoreError,
    entities::delivery::{self, STATUS_PENDING},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

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
