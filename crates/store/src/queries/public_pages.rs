//! What the public HTML pages read besides the API's queries: the avatars
//! of remote actors (comment authors), which the comment records do not
//! carry.

use crate::{Store, StoreError, entities::remote_actor};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

impl Store {
    /// The icon URLs of the remote actors with these ActivityPub ids, by
    /// id; actors without an icon (or unknown) are left out.
    pub async fn list_actor_icons(
        &self,
        ap_ids: &[String],
    ) -> Result<HashMap<String, String>, StoreError> {
        if ap_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(String, Option<String>)> = remote_actor::Entity::find()
            .select_only()
            .column(remote_actor::Column::ApId)
            .column(remote_actor::Column::IconUrl)
            .filter(remote_actor::Column::ApId.is_in(ap_ids.iter().cloned()))
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, icon)| icon.map(|i| (id, i)))
            .collect())
    }
}
