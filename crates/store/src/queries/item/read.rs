//! Reading items: one, several, an agency's pinned ones, and the kept
//! counts of how many there are; each with its owner, tags, links and
//! reaction counts.

use super::ItemCounts;
use crate::{
    Store, StoreError,
    entities::{agency, item, item_link, item_tag, item_tally, remote_actor},
    records::{Item, ItemLink, ItemOwner, handle_of},
};
use sea_orm::{
    ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationDef, Select,
    SelectTwo,
};
use std::collections::HashMap;

/// Items with their agency (`None` for a peer's, or when not joined).
pub(super) type Rows = Vec<(item::Model, Option<agency::Model>)>;

/// `item` left-joined to its local agency, so that reading an item does not
/// cost a second query for its owner.
pub(super) fn with_agency(q: Select<item::Entity>) -> SelectTwo<item::Entity, agency::Entity> {
    let rel: RelationDef = item::Entity::belongs_to(agency::Entity)
        .from(item::Column::AgencyId)
        .to(agency::Column::Id)
        .into();
    q.join(JoinType::LeftJoin, rel).select_also(agency::Entity)
}

impl Store {
    /// Reads items by id in one go (tombstones included), in no particular
    /// order; unknown ids are left out.
    pub async fn get_items(&self, ids: &[i64]) -> Result<Vec<Item>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let q = item::Entity::find().filter(item::Column::Id.is_in(ids.iter().copied()));
        let rows = with_agency(q).all(self.reader()).await?;
        self.assemble(rows).await
    }

    /// Reads one item, tombstones included (check `deleted_at`), with its
    /// counts: three queries for a local item (the row with its agency,
    /// its tags, its links).
    pub async fn get_item(&self, id: i64) -> Result<Option<Item>, StoreError> {
        let Some(row) = with_agency(item::Entity::find_by_id(id))
            .one(self.reader())
            .await?
        else {
            return Ok(None);
        };
        Ok(self.assemble(vec![row]).await?.pop())
    }

    /// Loads tags, links and remote owners for `rows` with one query each,
    /// not one per row.
    pub(super) async fn assemble(&self, rows: Rows) -> Result<Vec<Item>, StoreError> {
        let ids: Vec<i64> = rows.iter().map(|(r, _)| r.id).collect();
        let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
        let mut links: HashMap<i64, Vec<ItemLink>> = HashMap::new();
        if !ids.is_empty() {
            for t in item_tag::Entity::find()
                .filter(item_tag::Column::ItemId.is_in(ids.clone()))
                .all(self.reader())
                .await?
            {
                tags.entry(t.item_id).or_default().push(t.tag);
            }
            // Sorted here, not in SQL: PostgreSQL's order follows the
            // database's collation, and both backends must agree.
            tags.values_mut().for_each(|v| v.sort());
            for l in item_link::Entity::find()
                .filter(item_link::Column::ItemId.is_in(ids))
                .order_by_asc(item_link::Column::Position)
                .all(self.reader())
                .await?
            {
                links.entry(l.item_id).or_default().push(ItemLink {
                    href: l.href,
                    title: l.title,
                    media_type: l.media_type,
                });
            }
        }
        // Rows read without the join (deep pages) get their agencies here.
        let missing: Vec<i64> = rows
            .iter()
            .filter(|(_, a)| a.is_none())
            .filter_map(|(r, _)| r.agency_id)
            .collect();
        let agencies: HashMap<i64, agency::Model> = if missing.is_empty() {
            HashMap::new()
        } else {
            agency::Entity::find()
                .filter(agency::Column::Id.is_in(missing))
                .all(self.reader())
                .await?
                .into_iter()
                .map(|a| (a.id, a))
                .collect()
        };
        let actor_ids: Vec<i64> = rows
            .iter()
            .filter(|(r, _)| r.agency_id.is_none())
            .filter_map(|(r, _)| r.remote_actor_id)
            .collect();
        let actors: HashMap<i64, remote_actor::Model> = if actor_ids.is_empty() {
            HashMap::new()
        } else {
            remote_actor::Entity::find()
                .filter(remote_actor::Column::Id.is_in(actor_ids))
                .all(self.reader())
                .await?
                .into_iter()
                .map(|a| (a.id, a))
                .collect()
        };
        let mut out = Vec::with_capacity(rows.len());
        for (r, agency) in rows {
            let owner = match (r.agency_id, r.remote_actor_id) {
                (Some(id), _) => {
                    let a = agency
                        .or_else(|| agencies.get(&id).cloned())
                        .ok_or(StoreError::NotFound("agency"))?;
                    ItemOwner::Local {
                        agency_id: id,
                        slug: a.slug,
                        name: a.name,
                    }
                }
                (None, Some(id)) => {
                    // Deleted (with its items, by cascade) between reading
                    // the rows and reading the owners: the item is gone too.
                    let Some(a) = actors.get(&id) else {
                        continue;
                    };
                    ItemOwner::Remote {
                        actor_id: id,
                        ap_id: a.ap_id.clone(),
                        handle: handle_of(a),
                        name: a.name.clone(),
                    }
                }
                (None, None) => return Err(StoreError::NotFound("item owner")),
            };
            let count = |n: i64| u64::try_from(n).unwrap_or_default();
            out.push(Item {
                tags: tags.remove(&r.id).unwrap_or_default(),
                links: links.remove(&r.id).unwrap_or_default(),
                counts: ItemCounts {
                    likes: count(r.like_count),
                    shares: count(r.share_count),
                    comments: count(r.comment_count),
                },
                id: r.id,
                ap_id: r.ap_id,
                owner,
                kind: r.kind,
                title: r.title,
                summary: r.summary,
                body: r.body,
                body_html: r.body_html,
                language: r.language,
                license: r.license,
                metadata: r.metadata,
                based_on: r.based_on,
                url: r.url,
                published_at: r.published_at,
                updated_at: r.updated_at,
                deleted_at: r.deleted_at,
                pinned_at: r.pinned_at,
            });
        }
        Ok(out)
    }

    /// Counts local items that are not withdrawn (NodeInfo's `localPosts`),
    /// as kept in `item_tally`.
    pub async fn count_local_items(&self) -> Result<u64, StoreError> {
        self.tally("local").await
    }

    /// Counts an agency's items that are not withdrawn, as kept in
    /// `item_tally`.
    pub async fn count_agency_items(&self, agency_id: i64) -> Result<u64, StoreError> {
        self.tally(&format!("agency:{agency_id}")).await
    }

    /// A kept count: `local`, `remote` or `agency:<id>` (0 if never counted).
    pub(super) async fn tally(&self, scope: &str) -> Result<u64, StoreError> {
        let n = item_tally::Entity::find_by_id(scope.to_owned())
            .one(self.reader())
            .await?
            .map_or(0, |t| t.n);
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// An agency's pinned items, most recently pinned first.
    pub async fn list_pinned_items(&self, agency_id: i64) -> Result<Vec<Item>, StoreError> {
        let q = item::Entity::find()
            .filter(item::Column::AgencyId.eq(agency_id))
            .filter(item::Column::DeletedAt.is_null())
            .filter(item::Column::PinnedAt.is_not_null())
            .order_by_desc(item::Column::PinnedAt)
            .order_by_desc(item::Column::Id);
        let rows = with_agency(q).all(self.reader()).await?;
        self.assemble(rows).await
    }

    /// Counts agencies that published since `since` (NodeInfo's active
    /// users): a range of the `published_at` index, not the whole table.
    pub async fn count_active_agencies(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, StoreError> {
        let ids: Vec<Option<i64>> = item::Entity::find()
            .select_only()
            .column(item::Column::AgencyId)
            .distinct()
            .filter(item::Column::AgencyId.is_not_null())
            .filter(item::Column::PublishedAt.gte(since))
            .into_tuple()
            .all(self.reader())
            .await?;
        Ok(ids.len() as u64)
    }
}
