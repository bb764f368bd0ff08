//! Ordered collections and their pages.

use serde::{Deserialize, Serialize};
use url::Url;

/// An `OrderedCollection` that points to its first page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollection {
    /// `OrderedCollection`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its id.
    pub id: Url,
    /// Items on all pages.
    pub total_items: u64,
    /// First page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Url>,
    /// Last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Url>,
}

/// One page of an ordered collection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollectionPage<T> {
    /// `OrderedCollectionPage`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its id.
    pub id: Url,
    /// The collection.
    pub part_of: Url,
    /// Items on all pages.
    pub total_items: u64,
    /// This page's items.
    pub ordered_items: Vec<T>,
    /// Next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Url>,
    /// Previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<Url>,
}

/// A counted collection as embedded in an object: likes and shares
/// (the count only), replies (the count and where its first page is).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CountedCollection {
    /// `Collection`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its id.
    pub id: Url,
    /// How many.
    pub total_items: u64,
    /// Its first page. Mastodon reads an embedded collection's `first`
    /// (or its own `items`) and nothing else: without it, it never
    /// fetches the collection's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Url>,
}

/// `base?page=N`.
pub fn page_url(base: &Url, page: u64) -> Url {
    let mut u = base.clone();
    u.query_pairs_mut()
        .clear()
        .append_pair("page", &page.to_string());
    u
}

/// Page `after` a cursor (from the start if `None`) of a collection paged
/// by cursor: `base?page=true[&after=CURSOR]`, the form Mastodon's own
/// replies pages have.
pub fn cursor_page_url(base: &Url, after: Option<&str>) -> Url {
    let mut u = base.clone();
    {
        let mut q = u.query_pairs_mut();
        q.clear().append_pair("page", "true");
        if let Some(a) = after {
            q.append_pair("after", a);
        }
    }
    u
}

/// The collection document for `total` items, `per_page` a page.
pub fn collection(id: Url, total: u64, per_page: u64) -> OrderedCollection {
    let pages = total.div_ceil(per_page).max(1);
    OrderedCollection {
        kind: "OrderedCollection".into(),
        first: Some(page_url(&id, 1)),
        last: Some(page_url(&id, pages)),
        id,
        total_items: total,
    }
}

/// Page `page` of collection `id`.
pub fn collection_page<T>(
    id: &Url,
    page: u64,
    per_page: u64,
    total: u64,
    items: Vec<T>,
) -> OrderedCollectionPage<T> {
    OrderedCollectionPage {
        kind: "OrderedCollectionPage".into(),
        id: page_url(id, page),
        part_of: id.clone(),
        total_items: total,
        ordered_items: items,
        next: (page.saturating_mul(per_page) < total).then(|| page_url(id, page + 1)),
        prev: (page > 1).then(|| page_url(id, page - 1)),
    }
}
