//! This server's own row: domain, name and the instance actor's keys.

use crate::{
    Store, StoreError,
    entities::instance,
    records::{Instance, now},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder};

impl Store {
    /// Reads the instance row, if the server has started once.
    pub async fn get_instance(&self) -> Result<Option<Instance>, StoreError> {
        Ok(instance::Entity::find()
            .order_by_asc(instance::Column::Id)
            .one(self.db())
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
}
