//! This server's own row: domain, name and the instance actor's keys.

use crate::{
    Store, StoreError,
    entities::instance,
    queries::audit::{Audit, write_audit},
    records::{Instance, now},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder};

impl Store {
    /// Reads the instance row, if the server has started once.
    pub async fn get_instance(&self) -> Result<Option<Instance>, StoreError> {
        Ok(instance::Entity::find()
            .order_by_asc(instance::Column::Id)
            .one(self.reader())
            .await?)
    }

    /// Reads the instance row, creating it on first start with a key pair
    /// from `make_keys` (called only then, as generating RSA keys is slow).
    /// A changed domain or name is written back.
    pub async fn get_or_put_instance(
        &self,
        domain: &str,
        name: &str,
        make_keys: impl FnOnce() -> (String, String),
    ) -> Result<Instance, StoreError> {
        if let Some(existing) = self.get_instance().await? {
            if existing.domain == domain && existing.name == name {
                return Ok(existing);
            }
            let mut row: instance::ActiveModel = existing.into();
            row.domain = Set(domain.to_owned());
            row.name = Set(name.to_owned());
            return Ok(row.update(self.db()).await?);
        }
        let (public_key_pem, private_key_pem) = make_keys();
        Ok(instance::ActiveModel {
            domain: Set(domain.to_owned()),
            name: Set(name.to_owned()),
            public_key_pem: Set(public_key_pem),
            private_key_pem: Set(private_key_pem),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(self.db())
        .await?)
    }

    /// Gives the instance actor a new key pair, with `audit` in the same
    /// transaction. Nobody follows the instance actor, so nothing is
    /// announced: peers fetch it again when its signature stops verifying.
    /// Before the instance row exists this is [`StoreError::NotFound`].
    pub async fn rotate_instance_key(
        &self,
        public_key_pem: String,
        private_key_pem: String,
        audit: Option<&Audit>,
    ) -> Result<Instance, StoreError> {
        let txn = self.begin().await?;
        let existing = instance::Entity::find()
            .order_by_asc(instance::Column::Id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("instance"))?;
        let mut row: instance::ActiveModel = existing.into();
        row.public_key_pem = Set(public_key_pem);
        row.private_key_pem = Set(private_key_pem);
        let updated = row.update(&txn).await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(updated)
    }
}
