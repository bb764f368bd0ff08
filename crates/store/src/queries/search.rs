//! Full-text search over items, local and federated: keeping the index in
//! step with the items (in the transaction that changes them) and running
//! a parsed [`SearchQuery`] with filters and facets.
//!
//! The index holds terms made in Rust (`deling_domain::search`); SQLite
//! matches them with FTS5 and ranks with bm25, PostgreSQL with a `tsvector`
//! under a GIN index and `ts_rank`, both weighing title and tags above the
//! summary above the body. At most [`CANDIDATES`] of the best matches are
//! ranked, paged and counted into facets, so a term that is in every item
//! costs no more than one in a thousand; `total` still counts them all.

use crate::{
    Store, StoreError,
    entities::{item, item_tag},
    queries::policy::Verdict,
    records::Item,
};
use deling_domain::search::{
    Clause, Indexable, SearchDocument, SearchQuery, Stemming, document::plain_text,
    snippet::snippet,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Statement,
    Value,
};
use std::collections::{BTreeMap, HashMap};

/// The best matches ranked, paged and counted into facets, at most.
pub const CANDIDATES: usize = 1000;

/// Filters that narrow a search; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Kind name.
    pub kind: Option<String>,
    /// A local agency's slug, or a remote agency's `user@host`.
    pub agency: Option<String>,
    /// The instance (host) an item comes from; this server's own domain
    /// means local items.
    pub instance: Option<String>,
    /// BCP 47 language, as stored.
    pub language: Option<String>,
    /// Licence, as stored.
    pub license: Option<String>,
    /// Tag.
    pub tag: Option<String>,
    /// Dataset theme URI.
    pub theme: Option<String>,
}

/// One hit.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// The item.
    pub item: Item,
    /// Its text around the matched words, as HTML with `<mark>`.
    pub snippet: Option<String>,
}

/// Counts per value of each facet, over the ranked matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    /// By kind.
    pub kind: BTreeMap<String, u64>,
    /// By agency: slug for local ones, `user@host` for others.
    pub agency: BTreeMap<String, u64>,
    /// By instance (host).
    pub instance: BTreeMap<String, u64>,
    /// By language.
    pub language: BTreeMap<String, u64>,
    /// By licence.
    pub license: BTreeMap<String, u64>,
    /// By tag.
    pub tag: BTreeMap<String, u64>,
    /// By dataset theme.
    pub theme: BTreeMap<String, u64>,
}

/// A page of results.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// Every item that matches.
    pub total: u64,
    /// The hits on this page, best first.
    pub hits: Vec<SearchHit>,
    /// Facet counts over the best [`CANDIDATES`] matches (all of them when
    /// there are no more).
    pub facets: Facets,
    /// Whether there were more matches than were ranked.
    pub capped: bool,
}

/// Writes (or rewrites) item `id`'s index entry from what the database
/// holds in this transaction; a withdrawn or missing item is taken out.
pub(crate) async fn index_item(db: &impl ConnectionTrait, id: i64) -> Result<(), StoreError> {
    unindex(db, &[id]).await?;
    let Some(row) = item::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    if row.deleted_at.is_some() {
        return Ok(());
    }
    let tags: Vec<String> = item_tag::Entity::find()
        .filter(item_tag::Column::ItemId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.tag)
        .collect();
    let doc = SearchDocument::of(Indexable {
        language: &row.language,
        title: &row.title,
        summary: &row.summary,
        body_html: &row.body_html,
        tags: &tags,
        metadata: &row.metadata,
    });
    let backend = db.get_database_backend();
    let (id_column, marks) = match backend {
        DbBackend::Postgres => ("item_id", "$1, $2, $3, $4, $5, $6"),
        _ => ("rowid", "?, ?, ?, ?, ?, ?"),
    };
    let values: Vec<Value> = vec![
        id.into(),
        doc.title.into(),
        doc.tags.into(),
        doc.summary.into(),
        doc.body.into(),
        doc.themes.into(),
    ];
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO item_search ({id_column}, title, tags, summary, body, themes) \
             VALUES ({marks})"
        ),
        values,
    ))
    .await?;
    Ok(())
}

/// Takes items out of the index.
pub(crate) async fn unindex(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let id_column = match backend {
        DbBackend::Postgres => "item_id",
        _ => "rowid",
    };
    let mut p = Params::new(backend);
    let marks: Vec<String> = ids.iter().map(|&id| p.push(id)).collect();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "DELETE FROM item_search WHERE {id_column} IN ({})",
            marks.join(", ")
        ),
        p.values,
    ))
    .await?;
    Ok(())
}

/// Takes a whole agency's items out of the index (local by agency id, or
/// a remote actor's).
pub(crate) async fn unindex_owner(
    db: &impl ConnectionTrait,
    agency_id: Option<i64>,
    remote_actor_id: Option<i64>,
) -> Result<(), StoreError> {
    let ids: Vec<i64> = item::Entity::find()
        .filter(match (agency_id, remote_actor_id) {
            (Some(a), _) => item::Column::AgencyId.eq(a),
            (None, Some(r)) => item::Column::RemoteActorId.eq(r),
            (None, None) => return Ok(()),
        })
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    for chunk in ids.chunks(500) {
        unindex(db, chunk).await?;
    }
    Ok(())
}

/// Placeholders in the backend's style.
struct Params {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Params {
    fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    fn push(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }
}

/// The query in FTS5's syntax. Terms hold letters and digits only (see
/// `analyze::words`), so quoting them is all the escaping needed.
fn fts5_match(q: &SearchQuery) -> String {
    fn clause(c: &Clause) -> String {
        match c {
            Clause::Word(stems) => format!(
                "({})",
                stems
                    .iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
            Clause::Prefix(forms) => format!(
                "({})",
                forms
                    .iter()
                    .map(|f| format!("\"{f}\"*"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
            Clause::Phrase(variants) => format!(
                "({})",
                variants
                    .iter()
                    .map(|v| format!("\"{}\"", v.join(" ")))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
        }
    }
    let must: Vec<String> = q.must.iter().map(clause).collect();
    let mut out = format!("({})", must.join(" AND "));
    for c in &q.must_not {
        out.push_str(" NOT ");
        out.push_str(&clause(c));
    }
    out
}

/// The query in PostgreSQL's `tsquery` syntax.
fn tsquery(q: &SearchQuery) -> String {
    fn clause(c: &Clause) -> String {
        match c {
            Clause::Word(stems) => format!(
                "({})",
                stems
                    .iter()
                    .map(|s| format!("'{s}'"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Clause::Prefix(forms) => format!(
                "({})",
                forms
                    .iter()
                    .map(|f| format!("'{f}':*"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Clause::Phrase(variants) => format!(
                "({})",
                variants
                    .iter()
                    .map(|v| {
                        let terms: Vec<String> = v.iter().map(|t| format!("'{t}'")).collect();
                        format!("({})", terms.join(" <-> "))
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        }
    }
    let mut parts: Vec<String> = q.must.iter().map(clause).collect();
    parts.extend(q.must_not.iter().map(|c| format!("!{}", clause(c))));
    parts.join(" & ")
}

/// A ranked match with what its facets count.
#[derive(Debug, FromQueryResult)]
struct Candidate {
    id: i64,
    kind: String,
    language: String,
    license: Option<String>,
    agency_slug: Option<String>,
    remote_user: Option<String>,
    remote_domain: Option<String>,
    remote_ap_id: Option<String>,
    themes: String,
}

#[derive(Debug, FromQueryResult)]
struct Count {
    n: i64,
}

impl Store {
    /// Rebuilds the whole index from the items, `batch` items per
    /// transaction, calling `progress(done, total)` after each batch.
    pub async fn reindex_search(
        &self,
        batch: u64,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<u64, StoreError> {
        use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect, TransactionTrait};
        let total = item::Entity::find().count(self.db()).await?;
        let mut done = 0;
        let mut after = i64::MIN;
        loop {
            let ids: Vec<i64> = item::Entity::find()
                .filter(item::Column::Id.gt(after))
                .order_by_asc(item::Column::Id)
                .limit(batch.max(1))
                .all(self.db())
                .await?
                .into_iter()
                .map(|i| i.id)
                .collect();
            let Some(&last) = ids.last() else {
                break;
            };
            let txn = self.db().begin().await?;
            for &id in &ids {
                index_item(&txn, id).await?;
            }
            txn.commit().await?;
            done += ids.len() as u64;
            after = last;
            progress(done, total);
        }
        Ok(done)
    }

    /// Whether items exist but the index holds none: a database from
    /// before the index, or one restored without it.
    pub async fn search_index_missing(&self) -> Result<bool, StoreError> {
        use sea_orm::QuerySelect;
        let any_item = item::Entity::find()
            .filter(item::Column::DeletedAt.is_null())
            .limit(1)
            .one(self.db())
            .await?
            .is_some();
        if !any_item {
            return Ok(false);
        }
        let backend = self.backend();
        let any_entry = Count::find_by_statement(Statement::from_string(
            backend,
            "SELECT 1 AS n FROM item_search LIMIT 1",
        ))
        .one(self.db())
        .await?
        .is_some();
        Ok(!any_entry)
    }

    /// Searches items. An empty query (nothing but function words or
    /// exclusions) finds nothing.
    pub async fn search_items(
        &self,
        query: &SearchQuery,
        filter: &SearchFilter,
        page: u64,
        per_page: u64,
    ) -> Result<SearchResults, StoreError> {
        if query.is_empty() {
            return Ok(SearchResults::default());
        }
        let backend = self.backend();
        let local_domain = self.get_instance().await?.map(|i| i.domain);
        let mut p = Params::new(backend);
        let (from, matches, score, themes) = match backend {
            DbBackend::Postgres => {
                let q = p.push(tsquery(query));
                (
                    format!(
                        "item_search s CROSS JOIN to_tsquery('simple', {q}) q \
                         JOIN item i ON i.id = s.item_id"
                    ),
                    "s.tsv @@ q".to_owned(),
                    "ts_rank(s.tsv, q)::float8".to_owned(),
                    "s.themes",
                )
            }
            _ => {
                let q = p.push(fts5_match(query));
                (
                    "item_search JOIN item i ON i.id = item_search.rowid".to_owned(),
                    format!("item_search MATCH {q}"),
                    // bm25 is better when lower; weights per column.
                    "-bm25(item_search, 10.0, 10.0, 4.0, 1.0)".to_owned(),
                    "item_search.themes",
                )
            }
        };
        let mut filters = String::new();
        if let Some(kind) = &filter.kind {
            filters.push_str(&format!(" AND i.kind = {}", p.push(kind.as_str())));
        }
        if let Some(language) = &filter.language {
            filters.push_str(&format!(" AND i.language = {}", p.push(language.as_str())));
        }
        if let Some(license) = &filter.license {
            filters.push_str(&format!(" AND i.license = {}", p.push(license.as_str())));
        }
        if let Some(agency) = &filter.agency {
            match agency.split_once('@') {
                Some((user, host)) => {
                    let user = p.push(user);
                    let host = p.push(host.to_ascii_lowercase());
                    filters.push_str(&format!(
                        " AND r.preferred_username = {user} AND r.domain = {host}"
                    ));
                }
                None => filters.push_str(&format!(" AND a.slug = {}", p.push(agency.as_str()))),
            }
        }
        if let Some(instance) = &filter.instance {
            if local_domain
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(instance))
            {
                filters.push_str(" AND i.agency_id IS NOT NULL");
            } else {
                let host = p.push(instance.to_ascii_lowercase());
                filters.push_str(&format!(" AND r.domain = {host}"));
            }
        }
        if let Some(tag) = &filter.tag {
            let tag = p.push(tag.as_str());
            filters.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM item_tag t WHERE t.item_id = i.id AND t.tag = {tag})"
            ));
        }
        if let Some(theme) = &filter.theme {
            let escaped = theme
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = p.push(format!("% {escaped} %"));
            filters.push_str(&format!(" AND {themes} LIKE {pattern} ESCAPE '\\'"));
        }
        let joins = "LEFT JOIN agency a ON a.id = i.agency_id \
                     LEFT JOIN remote_actor r ON r.id = i.remote_actor_id";
        let where_ = format!("WHERE {matches} AND i.deleted_at IS NULL{filters}");
        let count_values = p.values.clone();
        let limit = p.push(CANDIDATES as i64);
        let sql = format!(
            "SELECT i.id AS id, i.kind AS kind, i.language AS language, i.license AS license, \
             a.slug AS agency_slug, r.preferred_username AS remote_user, \
             r.domain AS remote_domain, r.ap_id AS remote_ap_id, {themes} AS themes \
             FROM {from} {joins} {where_} ORDER BY {score} DESC, i.id DESC LIMIT {limit}"
        );
        let candidates =
            Candidate::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values))
                .all(self.db())
                .await?;
        let capped = candidates.len() >= CANDIDATES;
        let before = candidates.len();
        let candidates = self.without_refused_hosts(candidates).await?;
        let refused = (before - candidates.len()) as u64;
        let total = if capped {
            let sql = format!("SELECT COUNT(*) AS n FROM {from} {joins} {where_}");
            Count::find_by_statement(Statement::from_sql_and_values(backend, sql, count_values))
                .one(self.db())
                .await?
                .map_or(0, |c| u64::try_from(c.n).unwrap_or(0))
                .saturating_sub(refused)
        } else {
            candidates.len() as u64
        };
        let facets = self
            .facets(&candidates, local_domain.as_deref().unwrap_or_default())
            .await?;
        let per_page = per_page.max(1);
        let skip = usize::try_from(page.max(1).saturating_sub(1).saturating_mul(per_page))
            .unwrap_or(usize::MAX);
        let page_ids: Vec<i64> = candidates
            .iter()
            .skip(skip)
            .take(usize::try_from(per_page).unwrap_or(usize::MAX))
            .map(|c| c.id)
            .collect();
        let mut items: HashMap<i64, Item> = self
            .get_items(&page_ids)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let (stems, prefixes) = query.wanted();
        let hits = page_ids
            .iter()
            .filter_map(|id| items.remove(id))
            .map(|item| {
                let text = format!("{}\n{}", item.summary, plain_text(&item.body_html));
                let snippet = snippet(
                    &text,
                    Stemming::for_language(&item.language),
                    &stems,
                    &prefixes,
                );
                SearchHit { item, snippet }
            })
            .collect();
        Ok(SearchResults {
            total,
            hits,
            facets,
            capped,
        })
    }

    /// Drops items of hosts whose content this server does not show:
    /// suspended or silenced (or not allowed, in allow-list mode). Their
    /// items may have been stored before the policy was set.
    async fn without_refused_hosts(
        &self,
        candidates: Vec<Candidate>,
    ) -> Result<Vec<Candidate>, StoreError> {
        let mut hidden: HashMap<String, bool> = HashMap::new();
        for c in &candidates {
            if let Some(domain) = &c.remote_domain
                && !hidden.contains_key(domain)
            {
                let verdict = self.get_host_verdict(domain).await?;
                hidden.insert(
                    domain.clone(),
                    matches!(verdict, Verdict::Refused | Verdict::Silenced),
                );
            }
        }
        Ok(candidates
            .into_iter()
            .filter(|c| {
                c.remote_domain
                    .as_ref()
                    .is_none_or(|d| !hidden.get(d).copied().unwrap_or(false))
            })
            .collect())
    }

    async fn facets(&self, candidates: &[Candidate], local: &str) -> Result<Facets, StoreError> {
        let mut f = Facets::default();
        let bump =
            |m: &mut BTreeMap<String, u64>, k: &str| *m.entry(k.to_owned()).or_default() += 1;
        for c in candidates {
            bump(&mut f.kind, &c.kind);
            bump(&mut f.language, &c.language);
            if let Some(l) = &c.license {
                bump(&mut f.license, l);
            }
            match (&c.agency_slug, &c.remote_domain) {
                (Some(slug), _) => {
                    bump(&mut f.agency, slug);
                    bump(&mut f.instance, local);
                }
                (None, Some(domain)) => {
                    let who = match &c.remote_user {
                        Some(user) => format!("{user}@{domain}"),
                        None => c.remote_ap_id.clone().unwrap_or_default(),
                    };
                    bump(&mut f.agency, &who);
                    bump(&mut f.instance, domain);
                }
                (None, None) => {}
            }
            for theme in c.themes.split_whitespace() {
                bump(&mut f.theme, theme);
            }
        }
        let ids: Vec<i64> = candidates.iter().map(|c| c.id).collect();
        for chunk in ids.chunks(500) {
            for t in item_tag::Entity::find()
                .filter(item_tag::Column::ItemId.is_in(chunk.iter().copied()))
                .all(self.db())
                .await?
            {
                bump(&mut f.tag, &t.tag);
            }
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_in_both_dialects() {
        let q = SearchQuery::parse(r#"lekkasje "digital byggesak" bygg* -kommune"#).unwrap();
        let fts = fts5_match(&q);
        assert!(fts.starts_with("((\"lekkasj\" OR \"lekkasje\")"), "{fts}");
        assert!(fts.contains("\"bygg\"*"), "{fts}");
        assert!(fts.contains(" NOT (\"kommun"), "{fts}");
        let ts = tsquery(&q);
        assert!(ts.contains("'bygg':*"), "{ts}");
        assert!(ts.contains("'digital' <-> 'byggesak'"), "{ts}");
        assert!(ts.contains("& !("), "{ts}");
    }
}
