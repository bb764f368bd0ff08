//! The peers federated search asks: the servers of the Deling agencies
//! this instance's agencies follow. Not their followers: anyone may
//! follow an agency (follows are accepted at once), and a peer receives
//! every visitor's search words.

use crate::{
    Store, StoreError,
    entities::{following, remote_actor},
    queries::follow::FOLLOWING_ACCEPTED,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Query};

impl Store {
    /// Hosts (`host` or `host:port`, as `remote_actor.domain` holds them)
    /// of remote actors that speak Deling and that a local agency follows
    /// (accepted); at most `limit`, in name order. People on other
    /// software are left out: they do not answer search.
    pub async fn list_peer_hosts(&self, limit: u64) -> Result<Vec<String>, StoreError> {
        // A subquery, not an id list: there may be more follows than a
        // statement may bind parameters.
        let followed = Query::select()
            .column(following::Column::RemoteActorId)
            .from(following::Entity)
            .and_where(following::Column::State.eq(FOLLOWING_ACCEPTED))
            .to_owned();
        Ok(remote_actor::Entity::find()
            .select_only()
            .column(remote_actor::Column::Domain)
            .distinct()
            .filter(remote_actor::Column::SpeaksDeling.eq(true))
            .filter(remote_actor::Column::Id.in_subquery(followed))
            .order_by_asc(remote_actor::Column::Domain)
            .limit(limit)
            .into_tuple()
            .all(self.reader())
            .await?)
    }
}
