//! What the inbox needs to know of an item a reply answers: whether it is
//! still there and which local agency owns it. One narrow query, where
//! [`crate::Store::get_item`] reads the whole item with its tags and links
//! (three queries) only for these two facts.

use crate::{Store, StoreError, entities::item};
use chrono::{DateTime, Utc};
use sea_orm::{EntityTrait, QuerySelect};

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
