//! Reading items: one, several, a filtered page, an agency's pinned ones,
//! and how many there are.

use super::{ItemFilter, Origin, Paged};
use crate::{
    Store, StoreError,
    entities::{agency, item, item_link, item_tag, remote_actor},
    records::{Item, ItemLink, ItemOwner, handle_of},
};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Query,
};
use std::collections::HashMap;

impl Store {
    /// Reads items by id in one go (tombstones included), in no particular
    /// order; unknown ids are left out.
    pub async fn get_items(&self, ids: &[i64]) -> Result<Vec<Item>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let rows = item::Entity::find()
            .filter(item::Column::Id.is_in(ids.iter().copied()))
            .all(self.db())
            .await?;
        self.assemble(rows).await
    }

    /// Reads one item, tombstones included (check `deleted_at`).
    pub async fn get_item(&self, id: i64) -> Result<Option<Item>, StoreError> {
        let Some(row) = item::Entity::find_by_id(id).one(self.db()).await? else {
            return Ok(None);
        };
        Ok(self.assemble(vec![row]).await?.pop())
    }

    /// Lists items that are not withdrawn, newest first, one page at a time.
    pub async fn list_items(
        &self,
        filter: &ItemFilter,
        page: u64,
        per_page: u64,
    ) -> Result<Paged<Item>, StoreError> {
        let mut q = item::Entity::find().filter(item::Column::DeletedAt.is_null());
        q = match filter.origin {
            Origin::Local => q.filter(item::Column::AgencyId.is_not_null()),
            Origin::Remote => q.filter(item::Column::RemoteActorId.is_not_null()),
            Origin::All => q,
        };
        if let Some(slug) = &filter.agency {
            q = q.filter(
                item::Column::AgencyId.in_subquery(
                    Query::select()
                        .column(agency::Column::Id)
                        .from(agency::Entity)
                        .and_where(agency::Column::Slug.eq(slug.as_str()))
                        .to_owned(),
                ),
            );
        }
        if let Some(kind) = &filter.kind {
            q = q.filter(item::Column::Kind.eq(kind.as_str()));
        }
        if let Some(language) = &filter.language {
            q = q.filter(item::Column::Language.eq(language.as_str()));
        }
        if let Some(tag) = &filter.tag {
            q = q.filter(
                item::Column::Id.in_subquery(
                    Query::select()
                        .column(item_tag::Column::ItemId)
                        .from(item_tag::Entity)
                        .and_where(item_tag::Column::Tag.eq(tag.as_str()))
                        .to_owned(),
                ),
            );
        }
        let total = q.clone().count(self.db()).await?;
        let rows = q
            .order_by_desc(item::Column::PublishedAt)
            .order_by_desc(item::Column::Id)
            .offset(page.saturating_sub(1).saturating_mul(per_page))
            .limit(per_page)
            .all(self.db())
            .await?;
        Ok(Paged {
            items: self.assemble(rows).await?,
            page,
            per_page,
            total,
        })
    }

    /// Loads tags, links and owners for `rows` with one query each, not one
    /// per row.
    async fn assemble(&self, rows: Vec<item::Model>) -> Result<Vec<Item>, StoreError> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
        let mut links: HashMap<i64, Vec<ItemLink>> = HashMap::new();
        if !ids.is_empty() {
            for t in item_tag::Entity::find()
                .filter(item_tag::Column::ItemId.is_in(ids.clone()))
                .all(self.db())
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
                .all(self.db())
                .await?
            {
                links.entry(l.item_id).or_default().push(ItemLink {
                    href: l.href,
                    title: l.title,
                    media_type: l.media_type,
                });
            }
        }
        let agency_ids: Vec<i64> = rows.iter().filter_map(|r| r.agency_id).collect();
        let agencies: HashMap<i64, agency::Model> = if agency_ids.is_empty() {
            HashMap::new()
        } else {
            agency::Entity::find()
                .filter(agency::Column::Id.is_in(agency_ids))
                .all(self.db())
                .await?
                .into_iter()
                .map(|a| (a.id, a))
                .collect()
        };
        let actor_ids: Vec<i64> = rows.iter().filter_map(|r| r.remote_actor_id).collect();
        let actors: HashMap<i64, remote_actor::Model> = if actor_ids.is_empty() {
            HashMap::new()
        } else {
            remote_actor::Entity::find()
                .filter(remote_actor::Column::Id.is_in(actor_ids))
                .all(self.db())
                .await?
                .into_iter()
                .map(|a| (a.id, a))
                .collect()
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let owner = match (r.agency_id, r.remote_actor_id) {
                (Some(id), _) => {
                    let a = agencies.get(&id).ok_or(StoreError::NotFound("agency"))?;
                    ItemOwner::Local {
                        agency_id: id,
                        slug: a.slug.clone(),
                        name: a.name.clone(),
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
            out.push(Item {
                tags: tags.remove(&r.id).unwrap_or_default(),
                links: links.remove(&r.id).unwrap_or_default(),
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

    /// Counts local items that are not withdrawn (NodeInfo's `localPosts`).
    pub async fn count_local_items(&self) -> Result<u64, StoreError> {
        Ok(item::Entity::find()
            .filter(item::Column::AgencyId.is_not_null())
            .filter(item::Column::DeletedAt.is_null())
            .count(self.db())
            .await?)
    }

    /// An agency's pinned items, most recently pinned first.
    pub async fn list_pinned_items(&self, agency_id: i64) -> Result<Vec<Item>, StoreError> {
        let rows = item::Entity::find()
            .filter(item::Column::AgencyId.eq(agency_id))
            .filter(item::Column::DeletedAt.is_null())
            .filter(item::Column::PinnedAt.is_not_null())
            .order_by_desc(item::Column::PinnedAt)
            .order_by_desc(item::Column::Id)
            .all(self.db())
            .await?;
        self.assemble(rows).await
    }

    /// Counts an agency's items that are not withdrawn.
    pub async fn count_agency_items(&self, agency_id: i64) -> Result<u64, StoreError> {
        Ok(item::Entity::find()
            .filter(item::Column::AgencyId.eq(agency_id))
            .filter(item::Column::DeletedAt.is_null())
            .count(self.db())
            .await?)
    }

    /// Counts agencies that published since `since` (NodeInfo's active users).
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
            .all(self.db())
            .await?;
        Ok(ids.len() as u64)
    }
}
