//! Failed logins per username and the lock they lead to. They live in the
//! database, so every server process sees the same count and the same lock.
//!
//! Rows are keyed by the username as typed (normalised by the caller),
//! whether or not such an account exists, so that a lock tells nothing
//! about which accounts exist.

use crate::{Store, StoreError, entities::login_attempt, records::now};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};

/// When failed logins lock a username, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures in a row that lock the name (at least 1).
    pub after_failures: u32,
    /// The first lock; every further failure doubles it.
    pub base: Duration,
    /// The longest lock.
    pub max: Duration,
    /// A failure this long after the previous one starts the count afresh.
    pub forget_after: Duration,
}

impl LockoutPolicy {
    /// How long `failures` failures in a row lock the name, if at all:
    /// `base` at `after_failures`, doubling with each one more, at most `max`.
    pub fn lock_for(&self, failures: i32) -> Option<Duration> {
        let over = i64::from(failures) - i64::from(self.after_failures.max(1));
        if over < 0 {
            return None;
        }
        let ms = self
            .base
            .num_milliseconds()
            .saturating_mul(1_i64 << over.min(40))
            .min(self.max.num_milliseconds());
        Some(Duration::milliseconds(ms))
    }
}

impl Store {
    /// Until when `username` is locked, if it is locked now.
    pub async fn get_login_lock(
        &self,
        username: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let t = now();
        Ok(login_attempt::Entity::find_by_id(username.to_owned())
            .one(self.reader())
            .await?
            .and_then(|row| row.locked_until)
            .filter(|until| *until > t))
    }

    /// Counts a failed login for `username` (one statement, so concurrent
    /// failures all count) and locks the name as `policy` says. Returns
    /// until when the name is now locked, if it is.
    pub async fn put_login_failure(
        &self,
        username: &str,
        policy: &LockoutPolicy,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        use sea_orm::sea_query::ExprTrait as _;
        let t = now();
        let stale = t - policy.forget_after;
        let previous = (login_attempt::Entity, login_attempt::Column::LastFailureAt);
        login_attempt::Entity::insert(login_attempt::ActiveModel {
            username: Set(username.to_owned()),
            failures: Set(1),
            last_failure_at: Set(t),
            locked_until: Set(None),
        })
        .on_conflict(
            OnConflict::column(login_attempt::Column::Username)
                .value(
                    login_attempt::Column::Failures,
                    Expr::case(Expr::col(previous).lt(stale), 1).finally(
                        Expr::col((login_attempt::Entity, login_attempt::Column::Failures)).add(1),
                    ),
                )
                .value(login_attempt::Column::LastFailureAt, t)
                .to_owned(),
        )
        .exec(self.db())
        .await?;
        let row = login_attempt::Entity::find_by_id(username.to_owned())
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("login attempt"))?;
        let Some(lock) = policy.lock_for(row.failures) else {
            return Ok(None);
        };
        let until = t + lock;
        login_attempt::Entity::update_many()
            .col_expr(login_attempt::Column::LockedUntil, Expr::value(until))
            .filter(login_attempt::Column::Username.eq(username))
            .exec(self.db())
            .await?;
        Ok(Some(until))
    }

    /// Forgets the failures of `username` (after a successful login).
    pub async fn delete_login_failures(&self, username: &str) -> Result<(), StoreError> {
        login_attempt::Entity::delete_by_id(username.to_owned())
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Removes the rows of names not locked now whose last failure was
    /// before `before`; returns how many.
    pub async fn delete_stale_login_attempts(
        &self,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let t = now();
        let done = login_attempt::Entity::delete_many()
            .filter(login_attempt::Column::LastFailureAt.lt(before))
            .filter(
                Condition::any()
                    .add(login_attempt::Column::LockedUntil.is_null())
                    .add(login_attempt::Column::LockedUntil.lte(t)),
            )
            .exec(self.db())
            .await?;
        Ok(done.rows_affected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_up_to_the_maximum() {
        let p = LockoutPolicy {
            after_failures: 5,
            base: Duration::minutes(1),
            max: Duration::hours(1),
            forget_after: Duration::days(1),
        };
        assert_eq!(p.lock_for(0), None);
        assert_eq!(p.lock_for(4), None);
        assert_eq!(p.lock_for(5), Some(Duration::minutes(1)));
        assert_eq!(p.lock_for(6), Some(Duration::minutes(2)));
        assert_eq!(p.lock_for(8), Some(Duration::minutes(8)));
        assert_eq!(p.lock_for(11), Some(Duration::hours(1)));
        assert_eq!(p.lock_for(i32::MAX), Some(Duration::hours(1)));
    }
}
