//! API tokens. Only SHA-256 hashes of the secrets are stored.

use crate::{
    Store, StoreError,
    entities::{api_token, staff},
    records::{ApiToken, Staff, now},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};

impl Store {
    /// Stores a token's hash for `staff_id`.
    pub async fn put_token(
        &self,
        staff_id: i64,
        token_hash: String,
        label: Option<String>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<ApiToken, StoreError> {
        Ok(api_token::ActiveModel {
            staff_id: Set(staff_id),
            token_hash: Set(token_hash),
            label: Set(label),
            created_at: Set(now()),
            last_used_at: Set(None),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(self.db())
        .await?)
    }

    /// The token with this hash and its owner, if the token is neither
    /// revoked nor expired and the account is not disabled. Records the use
    /// (at most once a minute, to keep reads from turning into writes).
    pub async fn get_token_owner(
        &self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, Staff)>, StoreError> {
        let Some(token) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(token_hash))
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let Some(owner) = staff::Entity::find_by_id(token.staff_id)
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let t = now();
        if token.revoked_at.is_some()
            || token.expires_at.is_some_and(|e| e <= t)
            || owner.disabled_at.is_some()
        {
            return Ok(None);
        }
        if token
            .last_used_at
            .is_none_or(|u| t - u > Duration::minutes(1))
        {
            let mut row: api_token::ActiveModel = token.into();
            row.last_used_at = Set(Some(t));
            let token = row.update(self.db()).await?;
            return Ok(Some((token, owner)));
        }
        Ok(Some((token, owner)))
    }

    /// Revokes token `id`; revoking twice is harmless.
    pub async fn revoke_token(&self, id: i64) -> Result<ApiToken, StoreError> {
        let token = api_token::Entity::find_by_id(id)
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("token"))?;
        if token.revoked_at.is_some() {
            return Ok(token);
        }
        let mut row: api_token::ActiveModel = token.into();
        row.revoked_at = Set(Some(now()));
        Ok(row.update(self.db()).await?)
    }

    /// Lists a staff member's tokens, newest first.
    pub async fn list_tokens(&self, staff_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        Ok(api_token::Entity::find()
            .filter(api_token::Column::StaffId.eq(staff_id))
            .order_by_desc(api_token::Column::Id)
            .all(self.reader())
            .await?)
    }
}
