//! The peers federated search asks: the servers of the Deling agencies
//! this instance's agencies follow or are followed by.

use crate::{
    Store, StoreError,
    entities::{follower, following, remote_actor},
    queries::follow::FOLLOWING_ACCEPTED,
};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Query,
};

impl Store {
    /// Hosts (`host` or `host:port`, as `remote_actor.domain` holds them)
    /// of remote actors that speak Deling and that a local agency follows
    /// (accepted) or is followed by; at most `limit`, in name order.
    /// People on other software are left out: they do not answer search.
    pub async fn list_peer_hosts(&self, limit: u64) -> Result<Vec<String>, StoreError> {
        // Subqueries, not id lists: there may be more relations than a
        // statement may bind parameters.
        let followed = Query::select()
            .column(following::Column::RemoteActorId)
            .from(following::Entity)
            .and_where(following::Column::State.eq(FOLLOWING_ACCEPTED))
            .to_owned();
        let followers = Query::select()
            .column(follower::Column::RemoteActorId)
            .from(follower::Entity)
            .to_owned();
        Ok(remote_actor::Entity::find()
            .select_only()
            .column(remote_actor::Column::Domain)
            .distinct()
            .filter(remote_actor::Column::SpeaksDeling.eq(true))
            .filter(
                Condition::any()
                    .add(remote_actor::Column::Id.in_subquery(followed))
                    .add(remote_actor::Column::Id.in_subquery(followers)),
            )
            .order_by_asc(remote_actor::Column::Domain)
            .limit(limit)
            .into_tuple()
            .all(self.reader())
            .await?)
    }
}
