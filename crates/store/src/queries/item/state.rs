//! What the inbox needs to know of an item a reply answers: whether it is
//! still there and which local agency owns it. One narrow query, where
//! [`crate::Store::get_item`] reads the whole item with its tags and links
//! (three queries) only for these two facts. And [`hold_live_item`], for
//! writes that hang something on an item.

use crate::{Store, StoreError, entities::item};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};

/// Fails unless item `id` is there and not withdrawn, and holds it so
/// until `txn` ends: a share or comment written in `txn` then cannot land
/// on an item withdrawn meanwhile (after the request looked it up). A
/// no-op update of the row, conditional on its not being withdrawn, is
/// what both databases agree on: SQLite's one writer runs the withdrawal
/// wholly before or after, PostgreSQL makes a withdrawal wait for `txn`
/// (or this wait for it, and then see it), and the withdrawal, which
/// takes the item's shares back, then sees a share written here.
pub(crate) async fn hold_live_item(txn: &impl ConnectionTrait, id: i64) -> Result<(), StoreError> {
    let held = item::Entity::update_many()
        .col_expr(item::Column::Id, Expr::col(item::Column::Id))
        .filter(item::Column::Id.eq(id))
        .filter(item::Column::DeletedAt.is_null())
        .exec(txn)
        .await?;
    if held.rows_affected == 0 {
        return Err(StoreError::Conflict("the item has been withdrawn".into()));
    }
    Ok(())
}

/// An item's state, as a reply to it is filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemState {
    /// The item.
    pub id: i64,
    /// The local agency that owns it; `None` for a peer's item.
    pub agency_id: Option<i64>,
    /// When it was withdrawn, if it was.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Store {
    /// [`ItemState`] of item `id` (tombstones included: check
    /// `deleted_at`); `None` for an unknown item.
    pub async fn get_item_state(&self, id: i64) -> Result<Option<ItemState>, StoreError> {
        let row: Option<(i64, Option<i64>, Option<DateTime<Utc>>)> = item::Entity::find_by_id(id)
            .select_only()
            .column(item::Column::Id)
            .column(item::Column::AgencyId)
            .column(item::Column::DeletedAt)
            .into_tuple()
            .one(self.reader())
            .await?;
        Ok(row.map(|(id, agency_id, deleted_at)| ItemState {
            id,
            agency_id,
            deleted_at,
        }))
    }
}
