//! The store's error type.

use sea_orm::{DbErr, SqlErr};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] DbErr),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(#[source] DbErr),
    /// The row asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique value is taken (a slug, a username).
    #[error("{0}")]
    Conflict(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Db(#[source] DbErr),
}

impl StoreError {
    /// Whether trying again later could succeed (the database was down or
    /// busy), as opposed to a write that will fail the same way next time
    /// (a constraint violation) or a row that is not there.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Db(e) => !matches!(
                e.sql_err(),
                Some(
                    sea_orm::SqlErr::UniqueConstraintViolation(_)
                        | sea_orm::SqlErr::ForeignKeyConstraintViolation(_)
                )
            ),
            Self::Connect(_) => true,
            Self::Migrate(_) | Self::NotFound(_) | Self::Conflict(_) => false,
        }
    }
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        Self::Db(e)
    }
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`] with `message`.
pub(crate) fn conflict_on_unique(e: DbErr, message: impl FnOnce() -> String) -> StoreError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(message()),
        _ => StoreError::Db(e),
    }
}
