//! Likes, boosts and visible comments counted on items.

use super::ItemCounts;
use crate::{Store, StoreError};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

impl Store {
    /// [`Store::count_item_reactions`] for several items in three queries,
    /// for a page of items. Items with nothing counted are absent.
    pub async fn count_reactions_of(
        &self,
        item_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, ItemCounts>, StoreError> {
        use crate::entities::{comment, reaction};
        use sea_orm::sea_query::{Expr, ExprTrait as _};
        let mut out: std::collections::HashMap<i64, ItemCounts> = Default::default();
        if item_ids.is_empty() {
            return Ok(out);
        }
        let reactions: Vec<(i64, String, i64)> = reaction::Entity::find()
            .select_only()
            .column(reaction::Column::ItemId)
            .column(reaction::Column::Kind)
            .column_as(Expr::col(reaction::Column::Id).count(), "n")
            .filter(reaction::Column::ItemId.is_in(item_ids.iter().copied()))
            .group_by(reaction::Column::ItemId)
            .group_by(reaction::Column::Kind)
            .into_tuple()
            .all(self.db())
            .await?;
        for (item, kind, n) in reactions {
            let c = out.entry(item).or_default();
            let n = u64::try_from(n).unwrap_or_default();
            match kind.as_str() {
                "like" => c.likes = n,
                "announce" => c.shares = n,
                _ => {}
            }
        }
        let comments: Vec<(i64, i64)> = comment::Entity::find()
            .select_only()
            .column(comment::Column::ItemId)
            .column_as(Expr::col(comment::Column::Id).count(), "n")
            .filter(comment::Column::ItemId.is_in(item_ids.iter().copied()))
            .filter(comment::Column::DeletedAt.is_null())
            .filter(comment::Column::HiddenAt.is_null())
            .filter(comment::Column::Visibility.is_in(crate::queries::comment::PUBLIC_VISIBILITIES))
            .group_by(comment::Column::ItemId)
            .into_tuple()
            .all(self.db())
            .await?;
        for (item, n) in comments {
            out.entry(item).or_default().comments = u64::try_from(n).unwrap_or_default();
        }
        let shares: Vec<(i64, i64)> = crate::entities::share::Entity::find()
            .select_only()
            .column(crate::entities::share::Column::ItemId)
            .column_as(Expr::col(crate::entities::share::Column::Id).count(), "n")
            .filter(crate::entities::share::Column::ItemId.is_in(item_ids.iter().copied()))
            .filter(crate::entities::share::Column::UndoneAt.is_null())
            .group_by(crate::entities::share::Column::ItemId)
            .into_tuple()
            .all(self.db())
            .await?;
        for (item, n) in shares {
            out.entry(item).or_default().shares += u64::try_from(n).unwrap_or_default();
        }
        Ok(out)
    }

    /// Counts an item's likes, boosts and visible comments.
    pub async fn count_item_reactions(&self, item_id: i64) -> Result<ItemCounts, StoreError> {
        use crate::entities::{comment, reaction};
        let likes = reaction::Entity::find()
            .filter(reaction::Column::ItemId.eq(item_id))
            .filter(reaction::Column::Kind.eq("like"))
            .count(self.db())
            .await?;
        let shares = reaction::Entity::find()
            .filter(reaction::Column::ItemId.eq(item_id))
            .filter(reaction::Column::Kind.eq("announce"))
            .count(self.db())
            .await?;
        let comments = comment::Entity::find()
            .filter(comment::Column::ItemId.eq(item_id))
            .filter(comment::Column::DeletedAt.is_null())
            .filter(comment::Column::HiddenAt.is_null())
            .filter(comment::Column::Visibility.is_in(crate::queries::comment::PUBLIC_VISIBILITIES))
            .count(self.db())
            .await?;
        let local_shares = self.count_item_shares(item_id).await?;
        Ok(ItemCounts {
            likes,
            shares: shares + local_shares,
            comments,
        })
    }
}
