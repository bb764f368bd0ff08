//! Bound values for hand-written SQL, with placeholders in the backend's
//! style (`$1` on PostgreSQL, `?` on SQLite): the queue claims and the
//! search build their statements with it; lists bound as one value
//! ([`in_json`]); and many short rows read back as one JSON value
//! ([`json_agg`]).

use crate::StoreError;
use sea_orm::{DbBackend, Value, sea_query::Expr};

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

/// `column IN` (or, `negated`, `NOT IN`) the strings of the JSON array
/// bound at `mark` ([`json_list`]).
///
/// One bound value however long the list, so a statement's text stays the
/// same whatever the list's length: a placeholder per item made a new text
/// for every length (a delivery claim passes over up to 512 inboxes in
/// flight), which each connection's statement cache then parsed and
/// planned afresh (a third of SQLite's CPU in a fan-out); and no list is
/// too long to bind.
pub(crate) fn in_json(backend: DbBackend, column: &str, mark: &str, negated: bool) -> String {
    let not = if negated { "NOT " } else { "" };
    match backend {
        DbBackend::Postgres => {
            format!("{column} {not}IN (SELECT json_array_elements_text({mark}::json))")
        }
        _ => format!("{column} {not}IN (SELECT value FROM json_each({mark}))"),
    }
}

/// `list` as a JSON array, for [`in_json`].
pub(crate) fn json_list(list: &[impl AsRef<str>]) -> String {
    let items: Vec<&str> = list.iter().map(AsRef::as_ref).collect();
    serde_json::Value::from(items).to_string()
}

/// [`in_json`] as a condition for a query built with sea-query, `list`
/// bound.
pub(crate) fn in_list(
    backend: DbBackend,
    column: &str,
    list: &[impl AsRef<str>],
    negated: bool,
) -> Expr {
    let mut params = Params::new(backend);
    let mark = params.push(json_list(list));
    Expr::cust_with_values(in_json(backend, column, &mark, negated), params.values)
}

/// An aggregate gathering `element` (an SQL expression) over the rows, or
/// over those where `filter` holds, into one JSON array, as text (`[]`
/// for none).
///
/// For reads of many short rows: SQLite's driver hands each row over from
/// its own thread to the caller's, and for a thousand rows those
/// hand-overs took longer than the query; one row carrying the array
/// costs one.
pub(crate) fn json_agg(backend: DbBackend, element: &str, filter: Option<&str>) -> String {
    let filter = filter
        .map(|f| format!(" FILTER (WHERE {f})"))
        .unwrap_or_default();
    match backend {
        DbBackend::Postgres => format!("COALESCE(json_agg({element}){filter}, '[]')::text"),
        _ => format!("json_group_array({element}){filter}"),
    }
}

/// A JSON array of `items` (SQL expressions), an element for [`json_agg`].
pub(crate) fn json_tuple(backend: DbBackend, items: &[&str]) -> String {
    match backend {
        DbBackend::Postgres => format!("json_build_array({})", items.join(", ")),
        _ => format!("json_array({})", items.join(", ")),
    }
}

/// The elements of the JSON array that `statement` gathers into `column`
/// of its one row ([`json_agg`]); none when it returns no row.
pub(crate) async fn json_rows<T: serde::de::DeserializeOwned>(
    db: &impl sea_orm::ConnectionTrait,
    statement: sea_orm::Statement,
    column: &str,
) -> Result<Vec<T>, StoreError> {
    match db.query_one_raw(statement).await? {
        Some(row) => from_json(&row, column),
        None => Ok(Vec::new()),
    }
}

/// The JSON text in `column` of `row` ([`json_agg`]), read as `T`.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    row: &sea_orm::QueryResult,
    column: &str,
) -> Result<T, StoreError> {
    let json: Option<String> = row.try_get("", column)?;
    serde_json::from_str(json.as_deref().unwrap_or("[]")).map_err(|e| {
        StoreError::Db(sea_orm::DbErr::Type(format!(
            "{column} is not the JSON expected: {e}"
        )))
    })
}

/// The `n` column of the one row `sql` (with `p`'s values) returns, as a
/// count: for counts made in the database rather than by reading rows,
/// each of which SQLite's driver hands over from its own thread.
pub(crate) async fn count(
    db: &impl sea_orm::ConnectionTrait,
    p: Params,
    sql: String,
) -> Result<u64, StoreError> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            p.backend, sql, p.values,
        ))
        .await?;
    let n: i64 = match row {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}
