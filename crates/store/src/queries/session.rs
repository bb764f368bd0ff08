//! Staff sessions of the web pages. Only SHA-256 hashes of the cookie
//! secrets are stored; the CSRF token is kept as is, since the pages must
//! put it into every form.

use crate::{
    Store, StoreError,
    entities::{staff, web_session},
    records::{Staff, WebSession, now},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// How often a session's `last_seen_at` is written: reads stay reads.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// What a new session is made of.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The staff member logged in.
    pub staff_id: i64,
    /// SHA-256 of the cookie's secret.
    pub secret_hash: String,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// How the staff member logged in (`password` or `oidc`).
    pub via: String,
    /// When the session ends, whatever happens.
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Stores a new session.
    pub async fn put_session(&self, new: NewSession) -> Result<WebSession, StoreError> {
        let t = now();
        Ok(web_session::ActiveModel {
            staff_id: Set(new.staff_id),
            secret_hash: Set(new.secret_hash),
            csrf_token: Set(new.csrf_token),
            via: Set(new.via),
            created_at: Set(t),
            last_seen_at: Set(t),
            expires_at: Set(new.expires_at),
            ..Default::default()
        }
        .insert(self.db())
        .await?)
    }

    /// The session with this hash and its owner, if it has not expired and
    /// the account is not disabled. Records the use at most once a minute.
    pub async fn get_session_owner(
        &self,
        secret_hash: &str,
    ) -> Result<Option<(WebSession, Staff)>, StoreError> {
        let Some(session) = web_session::Entity::find()
            .filter(web_session::Column::SecretHash.eq(secret_hash))
            .one(self.reader())
            .await?
        else {
            return Ok(None);
        };
        let Some(owner) = staff::Entity::find_by_id(session.staff_id)
            .one(self.reader())
            .await?
        else {
            return Ok(None);
        };
        let t = now();
        if session.expires_at <= t || owner.disabled_at.is_some() {
            return Ok(None);
        }
        if t - session.last_seen_at > TOUCH_EVERY {
            let mut row: web_session::ActiveModel = session.into();
            row.last_seen_at = Set(t);
            return Ok(Some((row.update(self.db()).await?, owner)));
        }
        Ok(Some((session, owner)))
    }

    /// Ends the session with this hash; ending one twice is harmless.
    pub async fn delete_session(&self, secret_hash: &str) -> Result<(), StoreError> {
        web_session::Entity::delete_many()
            .filter(web_session::Column::SecretHash.eq(secret_hash))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Ends every session of a staff member (log out everywhere; an
    /// account disabled or its password changed). Returns how many.
    pub async fn delete_sessions_of(&self, staff_id: i64) -> Result<u64, StoreError> {
        Ok(web_session::Entity::delete_many()
            .filter(web_session::Column::StaffId.eq(staff_id))
            .exec(self.db())
            .await?
            .rows_affected)
    }

    /// Removes sessions that ended before `before`. Returns how many.
    pub async fn delete_expired_sessions(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(web_session::Entity::delete_many()
            .filter(web_session::Column::ExpiresAt.lt(before))
            .exec(self.db())
            .await?
            .rows_affected)
    }

    /// A staff member's live sessions, newest first.
    pub async fn list_sessions(&self, staff_id: i64) -> Result<Vec<WebSession>, StoreError> {
        Ok(web_session::Entity::find()
            .filter(web_session::Column::StaffId.eq(staff_id))
            .filter(web_session::Column::ExpiresAt.gt(now()))
            .order_by_desc(web_session::Column::Id)
            .all(self.reader())
            .await?)
    }
}
