//! Publishing, editing and withdrawing items (each with its outbox
//! event), and the tags and links written with them.

use crate::{
    Store, StoreError,
    entities::{item, item_link, item_tag},
    queries::{
        audit::{Audit, write_audit, write_audit_of_new},
        outbox::{OutboxKind, put_event},
    },
    records::{Item, ItemLink, now},
};
use deling_domain::item::ItemContent;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::Query,
};

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
        self.put_item_audited(agency_id, content, None).await
    }

    /// [`Store::put_item`] with `audit`, if given, written in the same
    /// transaction; the new item's id ends its target and is its detail
    /// `item`.
    pub async fn put_item_audited(
        &self,
        agency_id: i64,
        content: &ItemContent,
        audit: Option<&Audit>,
    ) -> Result<Item, StoreError> {
        let txn = self.begin().await?;
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
        put_event(
            &txn,
            OutboxKind::ItemCreate,
            Some(agency_id),
            Some(row.id),
            None,
        )
        .await?;
        if let Some(audit) = audit {
            write_audit_of_new(&txn, audit, "item", row.id).await?;
        }
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
        self.update_item_audited(id, content, None).await
    }

    /// [`Store::update_item`] with `audit`, if given, written in the same
    /// transaction (not at all when the item cannot be changed).
    pub async fn update_item_audited(
        &self,
        id: i64,
        content: &ItemContent,
        audit: Option<&Audit>,
    ) -> Result<Item, StoreError> {
        let txn = self.begin().await?;
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
            put_event(&txn, OutboxKind::ItemUpdate, agency_id, Some(id), None).await?;
        }
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        self.get_item(id).await?.ok_or(StoreError::NotFound("item"))
    }

    /// Withdraws an item: it stays as a tombstone (so its URL answers 410
    /// Gone rather than 404), its content, tags and links are erased. Of two
    /// concurrent withdrawals exactly one succeeds.
    pub async fn delete_item(&self, id: i64) -> Result<(), StoreError> {
        self.delete_item_audited(id, None).await
    }

    /// [`Store::delete_item`] with `audit`, if given, written in the same
    /// transaction: only by the withdrawal that succeeds.
    pub async fn delete_item_audited(
        &self,
        id: i64,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let txn = self.begin().await?;
        if erase_items(&txn, ItemSet::Ids(&[id])).await? == 0 {
            return Err(StoreError::NotFound("item"));
        }
        let agency_id = item::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .and_then(|i| i.agency_id);
        if agency_id.is_some() {
            put_event(&txn, OutboxKind::ItemDelete, agency_id, Some(id), None).await?;
        }
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(())
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
/// content, tags and links are erased, `deleted_at` set, any pin removed
/// and every local agency's share of them taken back (its Undo queued),
/// so their URLs answer 410 Gone. Returns how many were withdrawn.
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
    crate::queries::share::undo_shares_of(db, set).await?;
    // Withdrawn items are found by no search.
    match set {
        ItemSet::Ids(ids) => crate::queries::search::unindex(db, ids).await?,
        ItemSet::OfAgency(agency_id) => {
            crate::queries::search::unindex_owner(db, Some(agency_id), None).await?
        }
    }
    Ok(res.rows_affected)
}
