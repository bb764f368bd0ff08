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
    /// Whether trying again later could succeed (the database was down,
    /// busy or out of connections), as opposed to a write that will fail
    /// the same way next time (a constraint violation), a row that is not
    /// there, or a stored value that does not read back as its type: a
    /// queue that retried those would be held up by one bad row for ever.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Db(e) => db_err_is_transient(e),
            Self::Connect(_) => true,
            Self::Migrate(_) | Self::NotFound(_) | Self::Conflict(_) => false,
        }
    }
}

/// See [`StoreError::is_transient`]: only what the connection or the
/// database's own state can cause passes; everything about the data or
/// the statement itself comes back the same.
fn db_err_is_transient(e: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx::Error as Sqlx};
    if matches!(
        e.sql_err(),
        Some(SqlErr::UniqueConstraintViolation(_) | SqlErr::ForeignKeyConstraintViolation(_))
    ) {
        return false;
    }
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner)) => {
            !matches!(
                **inner,
                Sqlx::ColumnDecode { .. }
                    | Sqlx::Decode(_)
                    | Sqlx::Encode(_)
                    | Sqlx::ColumnNotFound(_)
                    | Sqlx::ColumnIndexOutOfBounds { .. }
                    | Sqlx::TypeNotFound { .. }
                    | Sqlx::RowNotFound
                    | Sqlx::InvalidArgument(_)
            )
        }
        DbErr::Exec(_) | DbErr::Query(_) => true,
        // Values that do not convert (an enum's unknown text, JSON that
        // is not the shape expected), rows missing, and misuse: the same
        // next time.
        _ => false,
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

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{RuntimeErr, sqlx};
    use std::sync::Arc;

    fn query(e: sqlx::Error) -> StoreError {
        StoreError::Db(DbErr::Query(RuntimeErr::SqlxError(Arc::new(e))))
    }

    #[test]
    fn a_value_that_does_not_read_back_is_not_worth_retrying() {
        let decode = query(sqlx::Error::ColumnDecode {
            index: "\"published_at\"".into(),
            source: "not a date".into(),
        });
        assert!(!decode.is_transient());
        assert!(!StoreError::Db(DbErr::Type("unknown kind".into())).is_transient());
        assert!(!StoreError::Db(DbErr::Json("not an object".into())).is_transient());
        assert!(!query(sqlx::Error::ColumnNotFound("gone".into())).is_transient());
    }

    #[test]
    fn the_connection_and_the_pool_are_worth_retrying() {
        assert!(query(sqlx::Error::PoolTimedOut).is_transient());
        assert!(query(sqlx::Error::Io(std::io::Error::other("reset"))).is_transient());
        assert!(StoreError::Db(DbErr::Conn(RuntimeErr::Internal("closed".into()))).is_transient());
        assert!(!StoreError::NotFound("item").is_transient());
    }
}
