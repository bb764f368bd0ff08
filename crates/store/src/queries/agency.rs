//! Agencies.

use crate::{
    Store, StoreError,
    entities::agency,
    entities::{comment, membership, share},
    error::conflict_on_unique,
    queries::{
        audit::{Audit, write_audit},
        outbox::{OutboxKind, put_event},
    },
    records::{Agency, now},
};
use deling_domain::{
    agency::{AgencyProfile, OrgNumber, RawAgencyProfile},
    slug::Slug,
    text::DisplayName,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// A stored agency's profile as raw input, for laying a partial update
/// over it.
pub fn stored_profile(a: &Agency) -> RawAgencyProfile {
    RawAgencyProfile {
        name: Some(a.name.clone()),
        summary: Some(a.summary.clone()),
        website: Some(a.website.clone()),
        icon_url: Some(a.icon_url.clone()),
        org_number: Some(a.org_number.clone()),
        indexable: Some(a.indexable),
    }
}

/// A new agency, parsed, with its freshly made key pair.
#[derive(Debug)]
pub struct NewAgency {
    /// Slug.
    pub slug: Slug,
    /// Display name.
    pub name: DisplayName,
    /// Organisation number.
    pub org_number: Option<OrgNumber>,
    /// PEM public key.
    pub public_key_pem: String,
    /// PEM private key.
    pub private_key_pem: String,
}

/// Makes changes to one agency's rows that check a limit first (its last
/// admin, its five pins) take turns: on PostgreSQL the agency's row is
/// locked until the transaction ends. FOR NO KEY UPDATE does not block
/// rows that merely reference the agency. SQLite runs one writer at a
/// time, and this store gives it a single connection.
pub(crate) async fn lock_agency(
    txn: &sea_orm::DatabaseTransaction,
    backend: sea_orm::DbBackend,
    agency_id: i64,
) -> Result<(), StoreError> {
    if backend == sea_orm::DbBackend::Postgres {
        agency::Entity::find_by_id(agency_id)
            .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
            .one(txn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Inserts an agency; a taken slug is a [`StoreError::Conflict`].
    pub async fn put_agency(&self, new: NewAgency) -> Result<Agency, StoreError> {
        self.put_agency_audited(new, None).await
    }

    /// [`Store::put_agency`] with `audit`, if given, written in the same
    /// transaction and filed under the new agency (its admins read it
    /// there).
    pub async fn put_agency_audited(
        &self,
        new: NewAgency,
        audit: Option<&Audit>,
    ) -> Result<Agency, StoreError> {
        let t = now();
        let slug = new.slug.to_string();
        let txn = self.begin().await?;
        let agency = agency::ActiveModel {
            slug: Set(slug.clone()),
            name: Set(new.name.into_inner()),
            summary: Set(String::new()),
            summary_html: Set(String::new()),
            icon_url: Set(None),
            website: Set(None),
            org_number: Set(new.org_number.map(|o| o.to_string())),
            public_key_pem: Set(new.public_key_pem),
            private_key_pem: Set(new.private_key_pem),
            created_at: Set(t),
            updated_at: Set(t),
            deleted_at: Set(None),
            indexable: Set(true),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            conflict_on_unique(e, || format!("an agency with slug {slug:?} already exists"))
        })?;
        if let Some(audit) = audit {
            write_audit(&txn, &audit.clone().for_agency(agency.id)).await?;
        }
        txn.commit().await?;
        Ok(agency)
    }

    /// Replaces an agency's profile and, in the same transaction, queues an
    /// `Update` of its actor for its followers. `read_at` is the
    /// `updated_at` of the agency the change was made from: if the agency
    /// changed since, the change would undo that one, so it is a
    /// [`StoreError::Conflict`] and nothing is written. A withdrawn agency
    /// is [`StoreError::NotFound`].
    pub async fn update_agency_profile(
        &self,
        id: i64,
        profile: &AgencyProfile,
        read_at: chrono::DateTime<chrono::Utc>,
        audit: Option<&Audit>,
    ) -> Result<Agency, StoreError> {
        let txn = self.begin().await?;
        let row = agency::ActiveModel {
            name: Set(profile.name.as_str().to_owned()),
            summary: Set(profile.summary.as_str().to_owned()),
            summary_html: Set(profile.summary_html.clone()),
            website: Set(profile.website.as_ref().map(|u| u.as_str().to_owned())),
            icon_url: Set(profile.icon_url.as_ref().map(|u| u.as_str().to_owned())),
            org_number: Set(profile.org_number.as_ref().map(|o| o.to_string())),
            indexable: Set(profile.indexable),
            updated_at: Set(now()),
            ..Default::default()
        };
        let res = agency::Entity::update_many()
            .set(row)
            .filter(agency::Column::Id.eq(id))
            .filter(agency::Column::DeletedAt.is_null())
            .filter(agency::Column::UpdatedAt.eq(read_at))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return match agency::Entity::find_by_id(id).one(&txn).await? {
                Some(a) if a.deleted_at.is_none() => Err(StoreError::Conflict(
                    "the agency was changed meanwhile; read it again and repeat the change".into(),
                )),
                _ => Err(StoreError::NotFound("agency")),
            };
        }
        put_event(&txn, OutboxKind::AgencyUpdate, Some(id), None, None).await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        self.get_agency(id)
            .await?
            .ok_or(StoreError::NotFound("agency"))
    }

    /// Withdraws an agency, in one transaction: it is marked withdrawn (its
    /// slug stays taken, its actor answers 410), every item it published
    /// becomes a tombstone, so do its comments, its staff lose their roles
    /// in it, its shares end, its follows stop counting, and a Delete
    /// of the actor is queued (peers drop its items and comments on that
    /// one activity; it goes to every inbox that may hold any of them, see
    /// [`Store::list_agency_reach_inboxes`]). Returns how many items were
    /// withdrawn; an agency withdrawn already is [`StoreError::NotFound`].
    /// `audit`, if given, is written with the change, its details
    /// completed with `items_withdrawn`.
    pub async fn withdraw_agency(&self, id: i64, audit: Option<Audit>) -> Result<u64, StoreError> {
        let txn = self.begin().await?;
        let t = now();
        let res = agency::Entity::update_many()
            .set(agency::ActiveModel {
                deleted_at: Set(Some(t)),
                updated_at: Set(t),
                ..Default::default()
            })
            .filter(agency::Column::Id.eq(id))
            .filter(agency::Column::DeletedAt.is_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound("agency"));
        }
        let withdrawn =
            crate::queries::item::erase_items(&txn, crate::queries::item::ItemSet::OfAgency(id))
                .await?;
        // Its comments go with it (peers drop them on the Delete of the
        // actor; Mastodon removes a deleted account's posts).
        crate::queries::comment::tombstone_comments()
            .filter(comment::Column::AuthorAgencyId.eq(id))
            .exec(&txn)
            .await?;
        membership::Entity::delete_many()
            .filter(membership::Column::AgencyId.eq(id))
            .exec(&txn)
            .await?;
        // Its boosts end with it (peers drop them on the Delete of the actor).
        share::Entity::update_many()
            .set(share::ActiveModel {
                undone_at: Set(Some(t)),
                ..Default::default()
            })
            .filter(share::Column::AgencyId.eq(id))
            .filter(share::Column::UndoneAt.is_null())
            .exec(&txn)
            .await?;
        put_event(&txn, OutboxKind::AgencyDelete, Some(id), None, None).await?;
        if let Some(audit) = audit {
            write_audit(&txn, &audit.with("items_withdrawn", withdrawn)).await?;
        }
        txn.commit().await?;
        Ok(withdrawn)
    }

    /// Gives an agency a new key pair and, in the same transaction, queues
    /// the `Update` of its actor that announces it. The replaced pair is
    /// kept until `previous_until` so that `Update` can be signed with the
    /// key followers still hold; a time not in the future keeps nothing.
    /// A key kept from an earlier rotation is dropped. A withdrawn agency
    /// is [`StoreError::NotFound`].
    pub async fn rotate_agency_key(
        &self,
        id: i64,
        public_key_pem: String,
        private_key_pem: String,
        previous_until: chrono::DateTime<chrono::Utc>,
        audit: Option<&Audit>,
    ) -> Result<Agency, StoreError> {
        let txn = self.begin().await?;
        lock_agency(&txn, self.backend(), id).await?;
        let current = agency::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .filter(|a| a.deleted_at.is_none())
            .ok_or(StoreError::NotFound("agency"))?;
        let t = now();
        let keep = previous_until > t;
        let row = agency::ActiveModel {
            public_key_pem: Set(public_key_pem),
            private_key_pem: Set(private_key_pem),
            previous_public_key_pem: Set(keep.then_some(current.public_key_pem)),
            previous_private_key_pem: Set(keep.then_some(current.private_key_pem)),
            previous_key_expires_at: Set(keep.then_some(previous_until)),
            updated_at: Set(t),
            ..Default::default()
        };
        agency::Entity::update_many()
            .set(row)
            .filter(agency::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        put_event(&txn, OutboxKind::AgencyKeyRotate, Some(id), None, None).await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        self.get_agency(id)
            .await?
            .ok_or(StoreError::NotFound("agency"))
    }

    /// Erases an agency's previous key pair if its time is up; true if one
    /// was erased.
    pub async fn delete_expired_previous_key(&self, id: i64) -> Result<bool, StoreError> {
        let res = agency::Entity::update_many()
            .set(agency::ActiveModel {
                previous_public_key_pem: Set(None),
                previous_private_key_pem: Set(None),
                previous_key_expires_at: Set(None),
                ..Default::default()
            })
            .filter(agency::Column::Id.eq(id))
            .filter(agency::Column::PreviousKeyExpiresAt.lte(now()))
            .exec(self.db())
            .await?;
        Ok(res.rows_affected > 0)
    }

    /// Reads an agency by slug, withdrawn ones included.
    pub async fn get_agency_by_slug(&self, slug: &str) -> Result<Option<Agency>, StoreError> {
        Ok(agency::Entity::find()
            .filter(agency::Column::Slug.eq(slug))
            .one(self.reader())
            .await?)
    }

    /// The ids of the agencies, not withdrawn, among `slugs`, in one
    /// statement (a post may name hundreds).
    pub async fn list_current_agency_ids_by_slugs(
        &self,
        slugs: &[String],
    ) -> Result<Vec<i64>, StoreError> {
        if slugs.is_empty() {
            return Ok(Vec::new());
        }
        Ok(agency::Entity::find()
            .select_only()
            .column(agency::Column::Id)
            .filter(agency::Column::Slug.is_in(slugs.iter().map(String::as_str)))
            .filter(agency::Column::DeletedAt.is_null())
            .order_by_asc(agency::Column::Id)
            .into_tuple()
            .all(self.reader())
            .await?)
    }

    /// Reads an agency by id.
    pub async fn get_agency(&self, id: i64) -> Result<Option<Agency>, StoreError> {
        Ok(agency::Entity::find_by_id(id).one(self.reader()).await?)
    }

    /// Lists the agencies that are not withdrawn, by slug.
    pub async fn list_agencies(&self) -> Result<Vec<Agency>, StoreError> {
        Ok(agency::Entity::find()
            .filter(agency::Column::DeletedAt.is_null())
            .order_by_asc(agency::Column::Slug)
            .all(self.reader())
            .await?)
    }

    /// Counts the agencies that are not withdrawn.
    pub async fn count_agencies(&self) -> Result<u64, StoreError> {
        Ok(agency::Entity::find()
            .filter(agency::Column::DeletedAt.is_null())
            .count(self.reader())
            .await?)
    }
}
