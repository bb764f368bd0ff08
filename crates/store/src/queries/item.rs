//! Shared items with their tags and links.

use crate::{
    Store, StoreError,
    entities::{agency, item, item_link, item_tag, remote_actor},
    queries::outbox::{
        EVENT_ITEM_CREATE, EVENT_ITEM_DELETE, EVENT_ITEM_PIN, EVENT_ITEM_UNPIN, EVENT_ITEM_UPDATE,
        put_event,
    },
    records::{Item, ItemLink, ItemOwner, handle_of, now},
};
use deling_domain::item::ItemContent;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
    sea_query::{Expr, Query},
};
use std::collections::HashMap;

/// Which items a listing covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Origin {
    /// Published here.
    #[default]
    Local,
    /// Received from agencies we follow.
    Remote,
    /// Both.
    All,
}

/// Filters for [`Store::list_items`]; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Only this local agency's items (by slug).
    pub agency: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only items with this tag.
    pub tag: Option<String>,
    /// Only this language.
    pub language: Option<String>,
    /// Local, remote or both.
    pub origin: Origin,
}

/// One page of a listing (not the ActivityStreams `Page`, which is an item
/// as peers see it).
#[derive(Debug, Clone)]
pub struct Paged<T> {
    /// The rows on this page.
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: u64,
    /// Page size.
    pub per_page: u64,
    /// Rows on all pages.
    pub total: u64,
}

fn content_columns(row: &mut item::ActiveModel, c: &ItemContent) {
    row.kind = Set(c.kind.as_str().to_owned());
    row.title = Set(c.title.to_string());
    row.summary = Set(c.summary.to_string());
    row.body = Set(c.body.to_string());
    row.body_html = Set(c.body_html.clone());
    row.language = Set(c.language.to_string());
    row.license = Set(c.license.as_ref().map(|l| l.to_string()));
    row.metadata = Set(c.metadata.to_json());
    row.based_on = Set(c.based_on.as_ref().map(|u| u.to_string()));
}

async fn put_tags_and_links(
    db: &impl ConnectionTrait,
    item_id: i64,
    c: &ItemContent,
) -> Result<(), StoreError> {
    let tags = c.tags.iter().map(|t| t.as_str().to_owned()).collect();
    let links = c
        .links
        .iter()
        .map(|l| ItemLink {
            href: l.href.to_string(),
            title: l.title.as_ref().map(|t| t.as_str().to_owned()),
            media_type: l.media_type.as_ref().map(|m| m.as_str().to_owned()),
        })
        .collect();
    replace_tags_and_links(db, item_id, tags, links).await
}

/// Replaces an item's tags (deduplicated) and links (kept in order).
pub(crate) async fn replace_tags_and_links(
    db: &impl ConnectionTrait,
    item_id: i64,
    mut tags: Vec<String>,
    links: Vec<ItemLink>,
) -> Result<(), StoreError> {
    item_tag::Entity::delete_many()
        .filter(item_tag::Column::ItemId.eq(item_id))
        .exec(db)
        .await?;
    item_link::Entity::delete_many()
        .filter(item_link::Column::ItemId.eq(item_id))
        .exec(db)
        .await?;
    tags.sort();
    tags.dedup();
    if !tags.is_empty() {
        item_tag::Entity::insert_many(tags.into_iter().map(|tag| item_tag::ActiveModel {
            item_id: Set(item_id),
            tag: Set(tag),
        }))
        .exec(db)
        .await?;
    }
    if !links.is_empty() {
        item_link::Entity::insert_many(links.into_iter().enumerate().map(|(i, l)| {
            item_link::ActiveModel {
                item_id: Set(item_id),
                position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
                href: Set(l.href),
                title: Set(l.title),
                media_type: Set(l.media_type),
                ..Default::default()
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Publishes a new item for `agency_id`, its tags and links in the same
    /// transaction.
    pub async fn put_item(
        &self,
        agency_id: i64,
        content: &ItemContent,
    ) -> Result<Item, StoreError> {
        let txn = self.db().begin().await?;
        let t = now();
        let mut row = item::ActiveModel {
            ap_id: Set(None),
            agency_id: Set(Some(agency_id)),
            remote_actor_id: Set(None),
            url: Set(None),
            published_at: Set(t),
            updated_at: Set(t),
            deleted_at: Set(None),
            ..Default::default()
        };
        content_columns(&mut row, content);
        let row = row.insert(&txn).await?;
        put_tags_and_links(&txn, row.id, content).await?;
        crate::queries::search::index_item(&txn, row.id).await?;
        put_event(&txn, EVENT_ITEM_CREATE, Some(agency_id), Some(row.id), None).await?;
        txn.commit().await?;
        self.get_item(row.id)
            .await?
            .ok_or(StoreError::NotFound("item"))
    }

    /// Replaces an item's content. A withdrawn item cannot be changed.
    ///
    /// The write itself is conditional on the item not being withdrawn, so
    /// an edit racing a withdrawal cannot write into the tombstone.
    pub async fn update_item(&self, id: i64, content: &ItemContent) -> Result<Item, StoreError> {
        let txn = self.db().begin().await?;
        let mut row = <item::ActiveModel as Default>::default();
        content_columns(&mut row, content);
        row.updated_at = Set(now());
        let res = item::Entity::update_many()
            .set(row)
            .filter(item::Column::Id.eq(id))
            .filter(item::Column::DeletedAt.is_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("item"));
        }
        put_tags_and_links(&txn, id, content).await?;
        crate::queries::search::index_item(&txn, id).await?;
        let agency_id = item::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .and_then(|i| i.agency_id);
        if agency_id.is_some() {
            put_event(&txn, EVENT_ITEM_UPDATE, agency_id, Some(id), None).await?;
        }
        txn.commit().await?;
        self.get_item(id).await?.ok_or(StoreError::NotFound("item"))
    }

    /// Withdraws an item: it stays as a tombstone (so its URL answers 410
    /// Gone rather than 404), its content, tags and links are erased. Of two
    /// concurrent withdrawals exactly one succeeds.
    pub async fn delete_item(&self, id: i64) -> Result<(), StoreError> {
        let txn = self.db().begin().await?;
        if erase_items(&txn, ItemSet::Ids(&[id])).await? == 0 {
            return Err(StoreError::NotFound("item"));
        }
        let agency_id = item::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .and_then(|i| i.agency_id);
        if agency_id.is_some() {
            put_event(&txn, EVENT_ITEM_DELETE, agency_id, Some(id), None).await?;
        }
        txn.commit().await?;
        Ok(())
    }

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
}

/// Most items an agency can pin (Mastodon's limit too).
pub const MAX_PINNED: u64 = 5;

/// Reactions and replies counted on an item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemCounts {
    /// Likes.
    pub likes: u64,
    /// Boosts: Announces from the fediverse and shares by local agencies.
    pub shares: u64,
    /// Visible comments.
    pub comments: u64,
}

impl Store {
    /// Counts local items that are not withdrawn (NodeInfo's `localPosts`).
    pub async fn count_local_items(&self) -> Result<u64, StoreError> {
        Ok(item::Entity::find()
            .filter(item::Column::AgencyId.is_not_null())
            .filter(item::Column::DeletedAt.is_null())
            .count(self.db())
            .await?)
    }

    /// Pins an agency's item to its profile and queues the `Add` for its
    /// followers, in one transaction. `Ok(false)` if it was pinned already;
    /// a [`StoreError::Conflict`] when the agency has [`MAX_PINNED`] pinned.
    pub async fn pin_item(&self, item_id: i64, agency_id: i64) -> Result<bool, StoreError> {
        let txn = self.db().begin().await?;
        // Twelve pins at once must not all count four pinned and go ahead.
        crate::queries::agency::lock_agency(&txn, self.backend(), agency_id).await?;
        let Some(row) = item::Entity::find_by_id(item_id)
            .filter(item::Column::AgencyId.eq(agency_id))
            .filter(item::Column::DeletedAt.is_null())
            .one(&txn)
            .await?
        else {
            return Err(StoreError::NotFound("item"));
        };
        if row.pinned_at.is_some() {
            return Ok(false);
        }
        let pinned = item::Entity::find()
            .filter(item::Column::AgencyId.eq(agency_id))
            .filter(item::Column::DeletedAt.is_null())
            .filter(item::Column::PinnedAt.is_not_null())
            .count(&txn)
            .await?;
        if pinned >= MAX_PINNED {
            return Err(StoreError::Conflict(format!(
                "an agency pins at most {MAX_PINNED} items; unpin one first"
            )));
        }
        item::Entity::update_many()
            .col_expr(item::Column::PinnedAt, Expr::value(Some(now())))
            .filter(item::Column::Id.eq(item_id))
            .exec(&txn)
            .await?;
        put_event(&txn, EVENT_ITEM_PIN, Some(agency_id), Some(item_id), None).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Unpins an item and queues the `Remove`; `Ok(false)` if it was not
    /// pinned.
    pub async fn unpin_item(&self, item_id: i64, agency_id: i64) -> Result<bool, StoreError> {
        let txn = self.db().begin().await?;
        let res = item::Entity::update_many()
            .col_expr(
                item::Column::PinnedAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .filter(item::Column::Id.eq(item_id))
            .filter(item::Column::AgencyId.eq(agency_id))
            .filter(item::Column::PinnedAt.is_not_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Ok(false);
        }
        put_event(&txn, EVENT_ITEM_UNPIN, Some(agency_id), Some(item_id), None).await?;
        txn.commit().await?;
        Ok(true)
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

/// Which items [`erase_items`] withdraws.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ItemSet<'a> {
    /// These items.
    Ids(&'a [i64]),
    /// Every item of this agency (without listing them: an agency may have
    /// more items than a query may bind parameters).
    OfAgency(i64),
}

/// Turns the items that are not withdrawn yet into tombstones: their
/// content, tags and links are erased, `deleted_at` set and any pin
/// removed, so their URLs answer 410 Gone. Returns how many were withdrawn.
pub(crate) async fn erase_items(
    db: &impl sea_orm::ConnectionTrait,
    set: ItemSet<'_>,
) -> Result<u64, StoreError> {
    use sea_orm::sea_query::SimpleExpr;
    let (in_set, items_of_set): (SimpleExpr, SimpleExpr) = match set {
        ItemSet::Ids([]) => return Ok(0),
        ItemSet::Ids(ids) => (
            item::Column::Id.is_in(ids.iter().copied()),
            item_tag::Column::ItemId.is_in(ids.iter().copied()),
        ),
        ItemSet::OfAgency(agency_id) => (
            item::Column::AgencyId.eq(agency_id),
            item_tag::Column::ItemId.in_subquery(
                Query::select()
                    .column(item::Column::Id)
                    .from(item::Entity)
                    .and_where(item::Column::AgencyId.eq(agency_id))
                    .to_owned(),
            ),
        ),
    };
    let links_of_set: SimpleExpr = match set {
        ItemSet::Ids(ids) => item_link::Column::ItemId.is_in(ids.iter().copied()),
        ItemSet::OfAgency(agency_id) => item_link::Column::ItemId.in_subquery(
            Query::select()
                .column(item::Column::Id)
                .from(item::Entity)
                .and_where(item::Column::AgencyId.eq(agency_id))
                .to_owned(),
        ),
    };
    let t = now();
    let row = item::ActiveModel {
        title: Set(String::new()),
        summary: Set(String::new()),
        body: Set(String::new()),
        body_html: Set(String::new()),
        license: Set(None),
        metadata: Set(serde_json::Value::Object(Default::default())),
        based_on: Set(None),
        updated_at: Set(t),
        deleted_at: Set(Some(t)),
        pinned_at: Set(None),
        ..Default::default()
    };
    let res = item::Entity::update_many()
        .set(row)
        .filter(in_set)
        .filter(item::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Ok(0);
    }
    item_tag::Entity::delete_many()
        .filter(items_of_set)
        .exec(db)
        .await?;
    item_link::Entity::delete_many()
        .filter(links_of_set)
        .exec(db)
        .await?;
    // Withdrawn items are found by no search.
    match set {
        ItemSet::Ids(ids) => crate::queries::search::unindex(db, ids).await?,
        ItemSet::OfAgency(agency_id) => {
            crate::queries::search::unindex_owner(db, Some(agency_id), None).await?
        }
    }
    Ok(res.rows_affected)
}
