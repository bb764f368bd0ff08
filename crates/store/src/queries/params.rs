//! Bound values for hand-written SQL, with placeholders in the backend's
//! style (`$1` on PostgreSQL, `?` on SQLite): the queue claims and the
//! search build their statements with it.

use sea_orm::{DbBackend, Value};

/// Values bound so far, in order. SQLite takes `?` values in order of
/// appearance, so values must be pushed in the order their placeholders
/// appear in the statement.
#[derive(Clone)]
pub(crate) struct Params {
    /// The database the statement is for.
    pub(crate) backend: DbBackend,
    /// The values, in the order their placeholders were handed out.
    pub(crate) values: Vec<Value>,
}

impl Params {
    /// No values yet, for `backend`.
    pub(crate) fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    /// Binds `value`; returns its placeholder.
    pub(crate) fn push(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }
}
