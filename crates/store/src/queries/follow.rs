//! Follow relations, as the followers/following collections need them.

use crate::{
    Page, Store, StoreError,
    entities::{follower, following, remote_actor},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

/// State of a local agency's Follow of a remote actor.
pub const FOLLOWING_ACCEPTED: &str = "accepted";
/// Sent, not yet accepted.
pub const FOLLOWING_PENDING: &str = "pending";

impl Store {
    /// Counts the remote actors following `agency_id`.
    pub async fn count_followers(&self, agency_id: i64) -> Result<u64, StoreError> {
        Ok(follower::Entity::find()
            .filter(follower::Column::AgencyId.eq(agency_id))
            .count(self.db())
            .await?)
    }

    /// Lists the ActivityPub ids of `agency_id`'s followers, newest first.
    pub async fn list_follower_ids(
        &self,
        agency_id: i64,
        page: u64,
        per_page: u64,
    ) -> Result<Page<String>, StoreError> {
        let total = self.count_followers(agency_id).await?;
        let rows = follower::Entity::find()
            .filter(follower::Column::AgencyId.eq(agency_id))
            .order_by_desc(follower::Column::Id)
            .offset(page.saturating_sub(1).saturating_mul(per_page))
            .limit(per_page)
            .all(self.db())
            .await?;
        let items = self
            .actor_ids(rows.iter().map(|r| r.remote_actor_id).collect())
            .await?;
        Ok(Page {
            items,
            page,
            per_page,
            total,
        })
    }

    /// Counts the remote actors `agency_id` follows (accepted Follows only).
    pub async fn count_following(&self, agency_id: i64) -> Result<u64, StoreError> {
        Ok(following::Entity::find()
            .filter(following::Column::AgencyId.eq(agency_id))
            .filter(following::Column::State.eq(FOLLOWING_ACCEPTED))
            .count(self.db())
            .await?)
    }

    /// Lists the ActivityPub ids `agency_id` follows (accepted), newest first.
    pub async fn list_following_ids(
        &self,
        agency_id: i64,
        page: u64,
        per_page: u64,
    ) -> Result<Page<String>, StoreError> {
        let total = self.count_following(agency_id).await?;
        let rows = following::Entity::find()
            .filter(following::Column::AgencyId.eq(agency_id))
            .filter(following::Column::State.eq(FOLLOWING_ACCEPTED))
            .order_by_desc(following::Column::Id)
            .offset(page.saturating_sub(1).saturating_mul(per_page))
            .limit(per_page)
            .all(self.db())
            .await?;
        let items = self
            .actor_ids(rows.iter().map(|r| r.remote_actor_id).collect())
            .await?;
        Ok(Page {
            items,
            page,
            per_page,
            total,
        })
    }

    /// ActivityPub ids of remote actors, in the order of `ids`.
    async fn actor_ids(&self, ids: Vec<i64>) -> Result<Vec<String>, StoreError> {
        let actors = remote_actor::Entity::find()
            .filter(remote_actor::Column::Id.is_in(ids.clone()))
            .all(self.db())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| actors.iter().find(|a| a.id == *id).map(|a| a.ap_id.clone()))
            .collect())
    }
}
