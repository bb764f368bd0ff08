//! Likes, boosts and shown comments of items, read from the columns the
//! triggers of the `counts` migration keep, not counted.

use super::ItemCounts;
use crate::{Store, StoreError, entities::item};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

type Row = (i64, i64, i64, i64);

fn counts((_, likes, shares, comments): Row) -> ItemCounts {
    let n = |v: i64| u64::try_from(v).unwrap_or_default();
    ItemCounts {
        likes: n(likes),
        shares: n(shares),
        comments: n(comments),
    }
}

fn columns(
    q: sea_orm::Select<item::Entity>,
) -> sea_orm::Selector<sea_orm::SelectGetableTuple<Row>> {
    q.select_only()
        .column(item::Column::Id)
        .column(item::Column::LikeCount)
        .column(item::Column::ShareCount)
        .column(item::Column::CommentCount)
        .into_tuple()
}

impl Store {
    /// [`Store::count_item_reactions`] for several items in one query.
    /// Unknown items are absent.
    pub async fn count_reactions_of(
        &self,
        item_ids: &[i64],
    ) -> Result<HashMap<i64, ItemCounts>, StoreError> {
        if item_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let q = item::Entity::find().filter(item::Column::Id.is_in(item_ids.iter().copied()));
        let rows = columns(q).all(self.reader()).await?;
        Ok(rows.into_iter().map(|r| (r.0, counts(r))).collect())
    }

    /// An item's likes, boosts (Announces and local shares) and shown
    /// comments; zero for an unknown item. [`crate::records::Item::counts`]
    /// has the same, read with the item.
    pub async fn count_item_reactions(&self, item_id: i64) -> Result<ItemCounts, StoreError> {
        let row = columns(item::Entity::find_by_id(item_id))
            .one(self.reader())
            .await?;
        Ok(row.map(counts).unwrap_or_default())
    }
}
