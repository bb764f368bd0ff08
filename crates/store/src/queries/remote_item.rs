//! Items received from followed agencies on other servers: the federated
//! catalogue.

use crate::{
    Store, StoreError,
    entities::{item, private_object, tombstone},
    queries::item::replace_tags_and_links,
    records::{Item, ItemLink},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

/// A remote item's content, already sanitised.
#[derive(Debug, Clone)]
pub struct RemoteItemData {
    /// Its ActivityPub id.
    pub ap_id: String,
    /// The owner.
    pub remote_actor_id: i64,
    /// Kind (`guide` when the peer does not say).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Plain summary.
    pub summary: String,
    /// Markdown source, when the peer sent one.
    pub body: String,
    /// Sanitised HTML body.
    pub body_html: String,
    /// Language.
    pub language: String,
    /// License.
    pub license: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Links.
    pub links: Vec<ItemLink>,
    /// Kind-specific metadata.
    pub metadata: serde_json::Value,
    /// What it adapts.
    pub based_on: Option<String>,
    /// HTML page.
    pub url: Option<String>,
    /// Published.
    pub published_at: DateTime<Utc>,
    /// Updated.
    pub updated_at: DateTime<Utc>,
}

impl Store {
    /// Reads an item by ActivityPub id.
    pub async fn get_item_by_ap_id(&self, ap_id: &str) -> Result<Option<Item>, StoreError> {
        let Some(row) = item::Entity::find()
            .filter(item::Column::ApId.eq(ap_id))
            .one(self.reader())
            .await?
        else {
            return Ok(None);
        };
        self.get_item(row.id).await
    }

    /// Stores or updates a remote item. Another actor's item with the same
    /// id is a conflict (nobody may overwrite what they do not own), and a
    /// withdrawn item stays withdrawn. An id its owner has since sent as
    /// not public, or deleted, is not stored ([`StoreError::NotFound`]):
    /// checked again here, in the write's transaction, because a boost's
    /// copy is fetched and checked by one task while the owner's narrowing
    /// or Delete may be handled by another.
    pub async fn put_remote_item(&self, d: RemoteItemData) -> Result<Item, StoreError> {
        let txn = self.begin().await?;
        // A narrowing of the same id goes wholly before or after this.
        crate::queries::private_object::lock_object(&txn, &d.ap_id).await?;
        let private = private_object::Entity::find()
            .filter(private_object::Column::ApId.eq(d.ap_id.as_str()))
            .filter(private_object::Column::RemoteActorId.eq(d.remote_actor_id))
            .count(&txn)
            .await?;
        let deleted = tombstone::Entity::find()
            .filter(tombstone::Column::ApId.eq(d.ap_id.as_str()))
            .filter(tombstone::Column::RemoteActorId.eq(d.remote_actor_id))
            .count(&txn)
            .await?;
        if private + deleted > 0 {
            return Err(StoreError::NotFound("item"));
        }
        let existing = item::Entity::find()
            .filter(item::Column::ApId.eq(d.ap_id.as_str()))
            .one(&txn)
            .await?;
        let id = match existing {
            Some(e) if e.remote_actor_id != Some(d.remote_actor_id) => {
                return Err(StoreError::Conflict(format!(
                    "{} belongs to another actor",
                    d.ap_id
                )));
            }
            Some(e) if e.deleted_at.is_some() => return Err(StoreError::NotFound("item")),
            // An older version arriving late (deliveries are not ordered)
            // must not overwrite a newer one; a repeat changes nothing.
            Some(e) if d.updated_at <= e.updated_at => {
                txn.commit().await?;
                return self
                    .get_item(e.id)
                    .await?
                    .ok_or(StoreError::NotFound("item"));
            }
            Some(e) => {
                let mut row: item::ActiveModel = e.into();
                row.kind = Set(d.kind);
                row.title = Set(d.title);
                row.summary = Set(d.summary);
                row.body = Set(d.body);
                row.body_html = Set(d.body_html);
                row.language = Set(d.language);
                row.license = Set(d.license);
                row.metadata = Set(d.metadata);
                row.based_on = Set(d.based_on);
                row.url = Set(d.url);
                row.updated_at = Set(d.updated_at);
                row.update(&txn).await?.id
            }
            None => {
                item::ActiveModel {
                    ap_id: Set(Some(d.ap_id)),
                    agency_id: Set(None),
                    remote_actor_id: Set(Some(d.remote_actor_id)),
                    kind: Set(d.kind),
                    title: Set(d.title),
                    summary: Set(d.summary),
                    body: Set(d.body),
                    body_html: Set(d.body_html),
                    language: Set(d.language),
                    license: Set(d.license),
                    metadata: Set(d.metadata),
                    based_on: Set(d.based_on),
                    url: Set(d.url),
                    published_at: Set(d.published_at),
                    updated_at: Set(d.updated_at),
                    deleted_at: Set(None),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
                .id
            }
        };
        replace_tags_and_links(&txn, id, d.tags, d.links).await?;
        crate::queries::search::index_item(&txn, id).await?;
        txn.commit().await?;
        self.get_item(id).await?.ok_or(StoreError::NotFound("item"))
    }

    /// Withdraws a remote item if `remote_actor_id` owns it; `true` if so.
    pub async fn delete_remote_item(
        &self,
        ap_id: &str,
        remote_actor_id: i64,
    ) -> Result<bool, StoreError> {
        let Some(row) = item::Entity::find()
            .filter(item::Column::ApId.eq(ap_id))
            .filter(item::Column::RemoteActorId.eq(remote_actor_id))
            .filter(item::Column::DeletedAt.is_null())
            .one(self.reader())
            .await?
        else {
            return Ok(false);
        };
        self.delete_item(row.id).await?;
        Ok(true)
    }
}
