//! Single sign-on logins under way (OpenID Connect): what the callback
//! needs to finish a login that another server process may have started.
//! A login is taken (read and deleted) at most once.

use crate::{Store, StoreError, entities::oidc_login, records::now};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

/// A login sent to the provider.
#[derive(Debug, Clone)]
pub struct NewOidcLogin {
    /// SHA-256 of the `state` value sent to the provider and kept in the
    /// visitor's cookie.
    pub state_hash: String,
    /// The PKCE code verifier.
    pub pkce_verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// Where to go once logged in (a path on this site).
    pub next: String,
    /// When the provider's answer is no longer accepted.
    pub expires_at: DateTime<Utc>,
}

/// A login taken back from the store by the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingOidcLogin {
    /// The PKCE code verifier.
    pub pkce_verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// Where to go once logged in.
    pub next: String,
}

impl Store {
    /// Stores a login sent to the provider, and forgets those that ran
    /// out (a visitor who never came back leaves one behind).
    pub async fn put_oidc_login(&self, new: NewOidcLogin) -> Result<(), StoreError> {
        let t = now();
        oidc_login::Entity::delete_many()
            .filter(oidc_login::Column::ExpiresAt.lt(t))
            .exec(self.db())
            .await?;
        oidc_login::ActiveModel {
            state_hash: Set(new.state_hash),
            pkce_verifier: Set(new.pkce_verifier),
            nonce: Set(new.nonce),
            next: Set(new.next),
            created_at: Set(t),
            expires_at: Set(new.expires_at),
            ..Default::default()
        }
        .insert(self.db())
        .await?;
        Ok(())
    }

    /// Takes the login whose `state` hashes to `state_hash`: returns it and
    /// deletes it, so that the same answer from the provider cannot be
    /// used twice, not even by two processes at once (only the one whose
    /// delete removes the row gets it). `None` when there is none, it was
    /// taken already, or it ran out.
    pub async fn take_oidc_login(
        &self,
        state_hash: &str,
    ) -> Result<Option<PendingOidcLogin>, StoreError> {
        let Some(row) = oidc_login::Entity::find()
            .filter(oidc_login::Column::StateHash.eq(state_hash))
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let deleted = oidc_login::Entity::delete_many()
            .filter(oidc_login::Column::Id.eq(row.id))
            .exec(self.db())
            .await?
            .rows_affected;
        if deleted != 1 || row.expires_at <= now() {
            return Ok(None);
        }
        Ok(Some(PendingOidcLogin {
            pkce_verifier: row.pkce_verifier,
            nonce: row.nonce,
            next: row.next,
        }))
    }
}
