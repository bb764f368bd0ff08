//! Agencies.

use crate::{
    Store, StoreError,
    entities::agency,
    error::conflict_on_unique,
    records::{Agency, now},
};
use deling_domain::{agency::OrgNumber, slug::Slug, text::DisplayName};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

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

impl Store {
    /// Inserts an agency; a taken slug is a [`StoreError::Conflict`].
    pub async fn put_agency(&self, new: NewAgency) -> Result<Agency, StoreError> {
        let t = now();
        let slug = new.slug.to_string();
        agency::ActiveModel {
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
            ..Default::default()
        }
        .insert(self.db())
        .await
        .map_err(|e| {
            conflict_on_unique(e, || format!("an agency with slug {slug:?} already exists"))
        })
    }

    /// Reads an agency by slug, withdrawn ones included.
    pub async fn get_agency_by_slug(&self, slug: &str) -> Result<Option<Agency>, StoreError> {
        Ok(agency::Entity::find()
            .filter(agency::Column::Slug.eq(slug))
            .one(self.db())
            .await?)
    }

    /// Reads an agency by id.
    pub async fn get_agency(&self, id: i64) -> Result<Option<Agency>, StoreError> {
        Ok(agency::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// Lists the agencies that are not withdrawn, by slug.
    pub async fn list_agencies(&self) -> Result<Vec<Agency>, StoreError> {
        Ok(agency::Entity::find()
            .filter(agency::Column::DeletedAt.is_null())
            .order_by_asc(agency::Column::Slug)
            .all(self.db())
            .await?)
    }

    /// Counts the agencies that are not withdrawn.
    pub async fn count_agencies(&self) -> Result<u64, StoreError> {
        Ok(agency::Entity::find()
            .filter(agency::Column::DeletedAt.is_null())
            .count(self.db())
            .await?)
    }
}
