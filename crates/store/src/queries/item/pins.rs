//! Pinning items to an agency's profile (its `featured` collection), each
//! change with its outbox event.

use super::MAX_PINNED;
use crate::{
    Store, StoreError,
    entities::item,
    queries::{
        audit::{Audit, write_audit},
        outbox::{OutboxKind, put_event},
    },
    records::now,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};

impl Store {
    /// Pins an agency's item to its profile and queues the `Add` for its
    /// followers, in one transaction. `Ok(false)` if it was pinned already;
    /// a [`StoreError::Conflict`] when the agency has [`MAX_PINNED`] pinned.
    pub async fn pin_item(&self, item_id: i64, agency_id: i64) -> Result<bool, StoreError> {
        self.pin_item_audited(item_id, agency_id, None).await
    }

    /// [`Store::pin_item`] with `audit`, if given, written in the same
    /// transaction when the item is pinned now (not when it was already).
    pub async fn pin_item_audited(
        &self,
        item_id: i64,
        agency_id: i64,
        audit: Option<&Audit>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        // Twelve pins at once must not all count four pinned and go ahead.
        crate::queries::agency::lock_agency(&txn, self.backend(), agency_id).await?;
        let Some(row) = item::Entity::find_by_id(item_id)
            .filter(item::Column::AgencyId.eq(agency_id))
            .filter(item::Column::DeletedAt.is_null())
            .one(&txn)
            .await?
        else {
            return Err(StoreError::NotFound("item"));
        };
        if row.pinned_at.is_some() {
            return Ok(false);
        }
        let pinned = item::Entity::find()
            .filter(item::Column::AgencyId.eq(agency_id))
            .filter(item::Column::DeletedAt.is_null())
            .filter(item::Column::PinnedAt.is_not_null())
            .count(&txn)
            .await?;
        if pinned >= MAX_PINNED {
            return Err(StoreError::Conflict(format!(
                "an agency pins at most {MAX_PINNED} items; unpin one first"
            )));
        }
        item::Entity::update_many()
            .col_expr(item::Column::PinnedAt, Expr::value(Some(now())))
            .filter(item::Column::Id.eq(item_id))
            .exec(&txn)
            .await?;
        put_event(
            &txn,
            OutboxKind::ItemPin,
            Some(agency_id),
            Some(item_id),
            None,
        )
        .await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// Unpins an item and queues the `Remove`; `Ok(false)` if it was not
    /// pinned.
    pub async fn unpin_item(&self, item_id: i64, agency_id: i64) -> Result<bool, StoreError> {
        self.unpin_item_audited(item_id, agency_id, None).await
    }

    /// [`Store::unpin_item`] with `audit`, if given, written in the same
    /// transaction when the item was pinned.
    pub async fn unpin_item_audited(
        &self,
        item_id: i64,
        agency_id: i64,
        audit: Option<&Audit>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        let res = item::Entity::update_many()
            .col_expr(
                item::Column::PinnedAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .filter(item::Column::Id.eq(item_id))
            .filter(item::Column::AgencyId.eq(agency_id))
            .filter(item::Column::PinnedAt.is_not_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Ok(false);
        }
        put_event(
            &txn,
            OutboxKind::ItemUnpin,
            Some(agency_id),
            Some(item_id),
            None,
        )
        .await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}
