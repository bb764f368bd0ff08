//! Listing items, newest first: by page number (`list_items`) or after a
//! cursor (`list_items_after`, which new items cannot shift), with totals
//! read from the kept counts rather than counted on every page.

use super::{ItemFilter, Origin, Paged, read::with_agency};
use crate::{
    Store, StoreError,
    entities::{agency, item, item_tag},
    records::Item,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Statement,
    sea_query::{Expr, ExprTrait as _, Query},
};

/// Where a listing goes on: the last item shown, by the order listings use
/// (`published_at`, then `id`, both descending). Its text form is opaque to
/// clients: `<seconds>.<nanoseconds>_<id>`, to the nanosecond because a
/// peer's time may be that exact and SQLite keeps it as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemCursor {
    published_at: DateTime<Utc>,
    id: i64,
}

impl ItemCursor {
    /// The cursor just past `item`.
    pub fn after(item: &Item) -> Self {
        Self {
            published_at: item.published_at,
            id: item.id,
        }
    }

    /// Reads the text form; `None` if it is not one.
    pub fn parse(s: &str) -> Option<Self> {
        let (at, id) = s.split_once('_')?;
        let (secs, nanos) = at.split_once('.')?;
        if nanos.len() != 9 {
            return None;
        }
        let published_at = DateTime::from_timestamp(secs.parse().ok()?, nanos.parse().ok()?)?;
        Some(Self {
            published_at,
            id: id.parse().ok()?,
        })
    }
}

impl std::fmt::Display for ItemCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.published_at;
        write!(
            f,
            "{}.{:09}_{}",
            t.timestamp(),
            t.timestamp_subsec_nanos(),
            self.id
        )
    }
}

/// A page of a listing read after a cursor.
#[derive(Debug, Clone)]
pub struct ItemSlice {
    /// The items, newest first.
    pub items: Vec<Item>,
    /// Items in the whole listing.
    pub total: u64,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<ItemCursor>,
}

/// The items a filter selects, not yet ordered.
fn filtered(filter: &ItemFilter) -> Select<item::Entity> {
    let mut q = item::Entity::find().filter(item::Column::DeletedAt.is_null());
    q = match filter.origin {
        Origin::Local => q.filter(item::Column::AgencyId.is_not_null()),
        Origin::Remote => q.filter(item::Column::RemoteActorId.is_not_null()),
        Origin::All => q,
    };
    if let Some(slug) = &filter.agency {
        // `=` a scalar subquery, not `IN`: SQLite then walks the
        // (agency_id, published_at) index in order instead of sorting all
        // of the agency's items for every page.
        let id = Query::select()
            .column(agency::Column::Id)
            .from(agency::Entity)
            .and_where(agency::Column::Slug.eq(slug.as_str()))
            .to_owned();
        q = q.filter(
            Expr::col((item::Entity, item::Column::AgencyId))
                .eq(Expr::SubQuery(None, Box::new(id.into()))),
        );
    }
    if let Some(kind) = &filter.kind {
        q = q.filter(item::Column::Kind.eq(kind.as_str()));
    }
    if let Some(language) = &filter.language {
        q = q.filter(item::Column::Language.eq(language.as_str()));
    }
    if let Some(tag) = &filter.tag {
        q = q.filter(
            item::Column::Id.in_subquery(
                Query::select()
                    .column(item_tag::Column::ItemId)
                    .from(item_tag::Entity)
                    .and_where(item_tag::Column::Tag.eq(tag.as_str()))
                    .to_owned(),
            ),
        );
    }
    q.order_by_desc(item::Column::PublishedAt)
        .order_by_desc(item::Column::Id)
}

impl Store {
    /// Lists items that are not withdrawn, newest first, by page number.
    /// Deep pages cost what they skip; [`Store::list_items_after`] does not.
    pub async fn list_items(
        &self,
        filter: &ItemFilter,
        page: u64,
        per_page: u64,
    ) -> Result<Paged<Item>, StoreError> {
        // Not joined to the agency: the join would run for every row
        // skipped too; the page's agencies are read after, in one query.
        let rows = filtered(filter)
            .offset(crate::queries::page_offset(page, per_page))
            .limit(per_page)
            .all(self.reader())
            .await?
            .into_iter()
            .map(|r| (r, None))
            .collect();
        Ok(Paged {
            items: self.assemble(rows).await?,
            page,
            per_page,
            total: self.count_items(filter).await?,
        })
    }

    /// Lists items that are not withdrawn, newest first, starting after
    /// `after` (from the start if `None`). Items published meanwhile come
    /// before the cursor, so paging on never repeats or skips one.
    pub async fn list_items_after(
        &self,
        filter: &ItemFilter,
        after: Option<&ItemCursor>,
        per_page: u64,
    ) -> Result<ItemSlice, StoreError> {
        let mut q = filtered(filter);
        if let Some(c) = after {
            // The first condition alone bounds an index range; the second
            // steps past the cursor's own item among equal times.
            q = q
                .filter(item::Column::PublishedAt.lte(c.published_at))
                .filter(
                    Condition::any()
                        .add(item::Column::PublishedAt.lt(c.published_at))
                        .add(item::Column::Id.lt(c.id)),
                );
        }
        let mut rows = with_agency(q)
            .limit(per_page.saturating_add(1))
            .all(self.reader())
            .await?;
        let more = rows.len() as u64 > per_page;
        rows.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
        let items = self.assemble(rows).await?;
        Ok(ItemSlice {
            next: items.last().filter(|_| more).map(ItemCursor::after),
            total: self.count_items(filter).await?,
            items,
        })
    }

    /// How many items `filter` selects: a kept count when it names only an
    /// origin or an agency (every listing the server pages through by
    /// itself), counted over the matching rows when it narrows further.
    pub async fn count_items(&self, filter: &ItemFilter) -> Result<u64, StoreError> {
        let plain = filter.kind.is_none() && filter.tag.is_none() && filter.language.is_none();
        if !plain {
            return Ok(filtered(filter).count(self.reader()).await?);
        }
        match (&filter.agency, filter.origin) {
            (Some(_), Origin::Remote) => Ok(0),
            (Some(slug), _) => self.agency_tally(slug).await,
            (None, Origin::Local) => self.tally("local").await,
            (None, Origin::Remote) => self.tally("remote").await,
            (None, Origin::All) => Ok(self.tally("local").await? + self.tally("remote").await?),
        }
    }

    /// The kept count of an agency's items, by its slug, in one query.
    async fn agency_tally(&self, slug: &str) -> Result<u64, StoreError> {
        let db = self.reader();
        let backend = db.get_database_backend();
        let placeholder = match backend {
            sea_orm::DbBackend::Postgres => "$1",
            _ => "?",
        };
        let sql = format!(
            "SELECT t.n FROM item_tally t JOIN agency a ON t.scope = 'agency:' || a.id \
             WHERE a.slug = {placeholder}"
        );
        let row = db
            .query_one_raw(Statement::from_sql_and_values(backend, sql, [slug.into()]))
            .await?;
        let n: i64 = match row {
            Some(r) => r.try_get("", "n")?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or_default())
    }
}
