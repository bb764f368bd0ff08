//! How the work queues (deliveries, incoming activities) hand rows to
//! workers: one statement picks the due rows and leases them,
//! `UPDATE t SET <lease> WHERE id IN (SELECT id FROM t WHERE <due> ORDER BY
//! ... LIMIT n) RETURNING *`, so no two claims can take the same row.
//!
//! On PostgreSQL the inner select takes its rows `FOR UPDATE SKIP LOCKED`:
//! a claim running at the same time passes over the rows another is
//! taking instead of waiting for them, and several processes share a
//! queue. SQLite has one writer, so there the statement alone is enough.
//!
//! [`settle`] is the other half: a claimed row's attempt recorded and its
//! lease released, the same way on both queues.

use crate::{
    StoreError,
    queries::params::{Params, in_json, json_list},
    records::now,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, Statement, Value,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

/// A claim being put together: the lease it sets, then the conditions a
/// row must meet, in the order their values are bound.
pub(crate) struct Claim {
    table: &'static str,
    params: Params,
    set: Vec<String>,
    due: Vec<String>,
}

impl Claim {
    /// Rows of `table` in status `pending`, due by `now` (`next_attempt_at`)
    /// and not under a live lease (`locked_until`), to be leased by setting
    /// each `(column, value)` of `lease`.
    pub(crate) fn due(
        backend: DbBackend,
        table: &'static str,
        lease: Vec<(&'static str, Value)>,
        pending: &str,
        now: DateTime<Utc>,
    ) -> Self {
        let mut params = Params::new(backend);
        let set = lease
            .into_iter()
            .map(|(column, value)| format!("{column} = {}", params.push(value)))
            .collect();
        Self {
            table,
            params,
            set,
            due: Vec::new(),
        }
        .and(|p| format!("status = {}", p.push(pending)))
        .and(|p| format!("next_attempt_at <= {}", p.push(now)))
        .and(|p| format!("(locked_until IS NULL OR locked_until < {})", p.push(now)))
    }

    /// Adds a condition, written by `condition` with its values bound.
    pub(crate) fn and(mut self, condition: impl FnOnce(&mut Params) -> String) -> Self {
        let sql = condition(&mut self.params);
        self.due.push(sql);
        self
    }

    /// Passes over rows whose `column` is one of `list` (bound as one
    /// value, see [`in_json`]).
    pub(crate) fn not_in(self, column: &'static str, list: &[String]) -> Self {
        if list.is_empty() {
            return self;
        }
        self.and(|p| {
            let backend = p.backend;
            let mark = p.push(json_list(list));
            in_json(backend, column, &mark, true)
        })
    }

    /// Passes over rows whose `column` starts with one of `prefixes`
    /// (bound as one JSON array, one statement text whatever their
    /// number). Not `LIKE 'prefix%'`: SQLite marks a statement whose
    /// `LIKE` pattern is a bound value to be prepared again whenever its
    /// bindings change, and the driver clears them after every run, so
    /// such a claim was parsed and planned afresh each time (a fifth of
    /// SQLite's time while the inbox was being worked through).
    pub(crate) fn not_prefixed(self, column: &'static str, prefixes: &[String]) -> Self {
        if prefixes.is_empty() {
            return self;
        }
        self.and(|p| {
            let elements = match p.backend {
                DbBackend::Postgres => "json_array_elements_text",
                _ => "json_each",
            };
            let mark = p.push(json_list(prefixes));
            let list = match p.backend {
                DbBackend::Postgres => format!("{elements}({mark}::json) AS j(value)"),
                _ => format!("{elements}({mark}) AS j"),
            };
            format!(
                "NOT EXISTS (SELECT 1 FROM {list} \
                 WHERE substr({column}, 1, length(j.value)) = j.value)"
            )
        })
    }

    /// Leases up to `limit` of the rows, the first by `order`, and returns
    /// them as they are now (in no particular order: callers sort).
    pub(crate) async fn take<E: EntityTrait>(
        self,
        db: &impl ConnectionTrait,
        order: &'static str,
        limit: u64,
    ) -> Result<Vec<E::Model>, StoreError> {
        let Self {
            table,
            mut params,
            set,
            due,
        } = self;
        let backend = params.backend;
        let limit = params.push(i64::try_from(limit).unwrap_or(i64::MAX));
        let lock = if backend == DbBackend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE {table} SET {set} WHERE id IN (SELECT id FROM {table} WHERE {due} \
             ORDER BY {order} LIMIT {limit}{lock}) RETURNING *",
            set = set.join(", "),
            due = due.join(" AND "),
        );
        let stmt = Statement::from_sql_and_values(backend, sql, params.values);
        Ok(E::find().from_raw_sql(stmt).all(db).await?)
    }
}

/// Records an attempt at a claimed row of `E`'s queue: its `status` and
/// `last_error` set, one more of its `attempts`, its lease
/// (`locked_until`, and each column of `also_release`) released; then the
/// time of its next attempt (`next_attempt_at`), or, when there is none,
/// `finished` set to now. Only a row still pending is touched: one that
/// another process finished meanwhile (its lease ran out here and it was
/// claimed and sent there) stays finished, so a late retry cannot send it
/// a third time. Returns whether the row was still pending.
pub(crate) async fn settle<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: i64,
    status: &str,
    error: Option<&str>,
    next: Option<DateTime<Utc>>,
    also_release: &[&'static str],
    finished: &'static str,
) -> Result<bool, StoreError> {
    let mut q = Query::update();
    q.table(E::default())
        .value(Alias::new("status"), status)
        .value(
            Alias::new("attempts"),
            Expr::col(Alias::new("attempts")).add(1),
        )
        .value(Alias::new("locked_until"), Option::<DateTime<Utc>>::None)
        .value(Alias::new("last_error"), error.map(str::to_owned));
    for column in also_release {
        q.value(Alias::new(*column), Option::<String>::None);
    }
    match next {
        Some(next) => q.value(Alias::new("next_attempt_at"), next),
        None => q.value(Alias::new(finished), Some(now())),
    };
    q.and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("status")).eq(PENDING));
    let done = db.execute_raw(db.get_database_backend().build(&q)).await?;
    Ok(done.rows_affected() > 0)
}

/// The status of a row still to be worked, in every queue.
const PENDING: &str = "pending";
