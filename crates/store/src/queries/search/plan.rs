//! A search as SQL: the newest matches with their scores, and how many
//! match, for each database.
//!
//! The matches are read newest first and the read stops at
//! [`CANDIDATES`]; only those are scored and joined to their items, so a
//! word found in every item costs a thousand reads, not one per item.
//! Filters are applied inside that read, so they narrow the matches before
//! the newest are taken.

use super::{CANDIDATES, COUNTED, SearchFilter, syntax};
use crate::queries::params::{self, Params};
use deling_domain::search::{Clause, SearchQuery};
use sea_orm::{DbBackend, Statement};

/// Index entries a PostgreSQL probe reads, at most (see [`Plan::probe`]).
const PROBE_WINDOW: usize = 20 * CANDIDATES;

/// The statements one search runs.
pub(super) struct Plan {
    /// The newest [`CANDIDATES`] matches, each with its score and what
    /// its facets count: on SQLite one row, a JSON array in `candidates`;
    /// on PostgreSQL a row each.
    pub(super) candidates: Statement,
    /// PostgreSQL only, for a query with a prefix: the same, over the
    /// newest [`PROBE_WINDOW`] index entries. PostgreSQL cannot estimate
    /// how many items a prefix matches and guesses few, so it would read
    /// every match through the GIN index to sort them; when the probe
    /// finds enough matches among the newest entries, that is not needed.
    pub(super) probe: Option<Statement>,
    /// Counts the matches, up to one more than [`COUNTED`].
    pub(super) count: Statement,
}

/// Columns of a candidate row, from the item (`i`), its agency (`a`) or
/// remote author (`r`).
const ITEM_COLUMNS: &str = "i.id AS id, i.kind AS kind, i.language AS language, \
                            i.license AS license, a.slug AS agency_slug, \
                            r.preferred_username AS remote_user, r.domain AS remote_domain, \
                            r.ap_id AS remote_ap_id";

/// The fields of a [`super::Candidate`], in order, as the gathering read
/// names them (`x`, the candidate rows). A score SQLite could not compute
/// (NULL) ranks last rather than failing the search.
const CANDIDATE_FIELDS: [&str; 10] = [
    "x.id",
    "x.kind",
    "x.language",
    "x.license",
    "x.agency_slug",
    "x.remote_user",
    "x.remote_domain",
    "x.remote_ap_id",
    "x.themes",
    "COALESCE(x.score, 0.0)",
];

/// The joins that give `a` and `r` for item `i`.
const AUTHOR_JOINS: &str = "LEFT JOIN agency a ON a.id = i.agency_id \
                            LEFT JOIN remote_actor r ON r.id = i.remote_actor_id";

/// How each database names the index, its id column, its themes and a
/// match.
struct Dialect {
    index: &'static str,
    id: &'static str,
    themes: &'static str,
}

const SQLITE: Dialect = Dialect {
    index: "item_search",
    id: "item_search.rowid",
    themes: "item_search.themes",
};

const POSTGRES: Dialect = Dialect {
    index: "item_search s",
    id: "s.item_id",
    themes: "s.themes",
};

/// The statements for `query` narrowed by `filter`; `local_domain` is this
/// server's own domain, which the instance filter treats as "local".
pub(super) fn plan(
    backend: DbBackend,
    query: &SearchQuery,
    filter: &SearchFilter,
    local_domain: Option<&str>,
) -> Plan {
    let postgres = backend == DbBackend::Postgres;
    let d = if postgres { &POSTGRES } else { &SQLITE };
    let mut p = Params::new(backend);
    let matches = if postgres {
        let q = p.push(syntax::tsquery(query));
        format!("s.tsv @@ to_tsquery('simple', {q})")
    } else {
        let q = p.push(syntax::fts5_match(query));
        format!("item_search MATCH {q}")
    };
    let (filters, needs_item) = filters(&mut p, filter, d.themes, local_domain);
    let joins = if needs_item {
        format!("JOIN item i ON i.id = {} {AUTHOR_JOINS}", d.id)
    } else {
        String::new()
    };
    let mut count = p.clone();
    let limit = p.push(CANDIDATES as i64);
    let read = |source: &str, extra: &str| {
        format!(
            "SELECT {} AS id{extra} FROM {source} {joins} WHERE {matches}{filters} \
             ORDER BY {} DESC LIMIT {limit}",
            d.id, d.id
        )
    };
    // On SQLite, one row holding every candidate as a JSON array (see
    // `params::json_agg`): a thousand candidates handed over one by one
    // from SQLite's thread cost more than ranking them. PostgreSQL's
    // driver streams rows, and building and parsing the JSON cost more
    // there than it saved (docs/PERFORMANCE.md, "Seventh pass").
    let gathered = |rows: String| {
        let element = params::json_tuple(backend, &CANDIDATE_FIELDS);
        format!(
            "SELECT {} AS candidates FROM ({rows}) x",
            params::json_agg(backend, &element, None)
        )
    };
    let outer = |inner: String| {
        if postgres {
            // Scored after the read: PostgreSQL would otherwise score every
            // row it sorts. `$1` is the query, bound once. Each candidate's
            // index row and item are looked up by key (LATERAL, kept apart
            // by OFFSET 0): joined plainly, PostgreSQL hashed them against
            // a scan of the whole item table, which grows with the
            // catalogue (10,000 items: 10.3 against 5.8 ms). The item's
            // columns listed are those ITEM_COLUMNS and AUTHOR_JOINS read.
            format!(
                "SELECT {ITEM_COLUMNS}, s.themes AS themes, \
                 ts_rank(s.tsv, to_tsquery('simple', $1))::float8 AS score \
                 FROM ({inner}) c \
                 CROSS JOIN LATERAL (SELECT themes, tsv FROM item_search \
                 WHERE item_id = c.id OFFSET 0) s \
                 CROSS JOIN LATERAL (SELECT id, kind, language, license, agency_id, \
                 remote_actor_id, deleted_at FROM item WHERE id = c.id OFFSET 0) i \
                 {AUTHOR_JOINS} WHERE i.deleted_at IS NULL"
            )
        } else {
            format!(
                "SELECT {ITEM_COLUMNS}, c.themes AS themes, c.score AS score \
                 FROM ({inner}) c JOIN item i ON i.id = c.id {AUTHOR_JOINS} \
                 WHERE i.deleted_at IS NULL"
            )
        }
    };
    let outer = |inner: String| {
        if postgres {
            outer(inner)
        } else {
            gathered(outer(inner))
        }
    };
    let candidates_sql = if postgres {
        outer(read(d.index, ""))
    } else {
        // bm25 is better when lower; weights per column.
        outer(read(
            d.index,
            ", -bm25(item_search, 10.0, 10.0, 4.0, 1.0) AS score, item_search.themes AS themes",
        ))
    };
    let probe = (postgres && has_prefix(query)).then(|| {
        let window = format!(
            "(SELECT item_id, tsv, themes FROM item_search \
             ORDER BY item_id DESC LIMIT {PROBE_WINDOW}) s"
        );
        Statement::from_sql_and_values(backend, outer(read(&window, "")), p.values.clone())
    });
    let counted = count.push((COUNTED + 1) as i64);
    let count_sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM {} {joins} WHERE {matches}{filters} \
         LIMIT {counted}) m",
        d.index
    );
    Plan {
        candidates: Statement::from_sql_and_values(backend, candidates_sql, p.values),
        probe,
        count: Statement::from_sql_and_values(backend, count_sql, count.values),
    }
}

/// Whether any clause of `query` is a prefix (`bygg*`).
fn has_prefix(query: &SearchQuery) -> bool {
    query
        .must
        .iter()
        .chain(&query.must_not)
        .any(|c| matches!(c, Clause::Prefix(_)))
}

/// The filters as ` AND ...` conditions, and whether they need the item
/// and its author joined.
fn filters(
    p: &mut Params,
    filter: &SearchFilter,
    themes: &str,
    local_domain: Option<&str>,
) -> (String, bool) {
    let mut out = String::new();
    let mut needs_item = false;
    let mut on_item = |out: &mut String, condition: String| {
        needs_item = true;
        out.push_str(&condition);
    };
    if let Some(kind) = &filter.kind {
        let v = p.push(kind.as_str());
        on_item(&mut out, format!(" AND i.kind = {v}"));
    }
    if let Some(language) = &filter.language {
        let v = p.push(language.as_str());
        on_item(&mut out, format!(" AND i.language = {v}"));
    }
    if let Some(license) = &filter.license {
        let v = p.push(license.as_str());
        on_item(&mut out, format!(" AND i.license = {v}"));
    }
    if let Some(agency) = &filter.agency {
        match agency.split_once('@') {
            Some((user, host)) => {
                let user = p.push(user);
                let host = p.push(host.to_ascii_lowercase());
                on_item(
                    &mut out,
                    format!(" AND r.preferred_username = {user} AND r.domain = {host}"),
                );
            }
            None => {
                let v = p.push(agency.as_str());
                on_item(&mut out, format!(" AND a.slug = {v}"));
            }
        }
    }
    if let Some(instance) = &filter.instance {
        if local_domain.is_some_and(|d| d.eq_ignore_ascii_case(instance)) {
            on_item(&mut out, " AND i.agency_id IS NOT NULL".to_owned());
        } else {
            let host = p.push(instance.to_ascii_lowercase());
            on_item(&mut out, format!(" AND r.domain = {host}"));
        }
    }
    if let Some(tag) = &filter.tag {
        let tag = p.push(tag.as_str());
        on_item(
            &mut out,
            format!(
                " AND EXISTS (SELECT 1 FROM item_tag t WHERE t.item_id = i.id AND t.tag = {tag})"
            ),
        );
    }
    if let Some(theme) = &filter.theme {
        // The themes are kept as ` uri uri `: a theme matches as a whole
        // word, exactly, in either database. Not by LIKE, which SQLite
        // compares without case (`.../ENVI` would match `.../envi` there
        // and not on PostgreSQL); a theme with a space in it is none.
        if theme.is_empty() || theme.contains(char::is_whitespace) {
            out.push_str(" AND 1 = 0");
        } else {
            let word = p.push(format!(" {theme} "));
            let find = if p.backend == DbBackend::Postgres {
                "strpos"
            } else {
                "instr"
            };
            out.push_str(&format!(" AND {find}({themes}, {word}) > 0"));
        }
    }
    (out, needs_item)
}
