//! What the listing templates draw: an item as a card, the kind filter,
//! the pager; the checks that keep links from remote data to http(s); and
//! the placeholder that stands in for a person's picture ([`initial`]).

use super::i18n::Tr;
use crate::state::AppState;
use deling_domain::kind::ItemKind;
use deling_store::records::{Item, ItemOwner};

/// Items per page on every listing.
pub const PER_PAGE: u64 = 20;
/// Pages past this are refused (an offset scan that deep helps nobody).
pub const MAX_PAGE: u64 = 500;

/// `href` if it is an absolute http(s) URL, so that text from another
/// server never becomes a `javascript:` or `data:` link.
pub fn web_href(href: &str) -> Option<String> {
    // WebUrl also bounds the length: rows written before it did, or by
    // paths that do not go through it, must not make a page huge.
    deling_domain::web_url::WebUrl::parse(href)
        .ok()
        .map(|u| u.to_string())
}

/// `href` if it is an https URL: images load only over https (the
/// Content-Security-Policy says so too).
pub fn image_href(href: &str) -> Option<String> {
    web_href(href).filter(|u| u.starts_with("https://"))
}

/// The letter a person's placeholder picture shows in place of their
/// avatar: the first letter or digit of `name`, in upper case, or `?`.
/// A picture another server names is never put in a page: loading it
/// would tell that server when the page was read, and from which address
/// (staff opening their inbox, visitors reading a thread).
pub fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map_or_else(|| "?".to_owned(), |c| c.to_uppercase().collect())
}

/// A remote item's page at its origin: its `url`, or else its id, if
/// either is a web address.
pub fn remote_page(item: &Item) -> Option<String> {
    item.url
        .as_deref()
        .and_then(web_href)
        .or_else(|| item.ap_id.as_deref().and_then(web_href))
}

/// An item in a listing.
#[derive(Debug, Clone)]
pub struct ItemCard {
    /// Its page: ours for a local item, the origin's for a remote one
    /// (none when the origin gave no web address).
    pub href: Option<String>,
    /// Whether `href` leads to another server.
    pub external: bool,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// The item's language.
    pub lang: String,
    /// The kind's name, translated.
    pub kind_label: String,
    /// Who published it.
    pub by: String,
    /// Their page, if we know it.
    pub by_href: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// RFC 3339, for `<time datetime>`.
    pub datetime: String,
    /// A piece of text around the matched words (search results only):
    /// HTML, escaped but for `<mark>`.
    pub snippet: Option<String>,
}

impl ItemCard {
    /// The card of `item`.
    pub fn new(state: &AppState, t: Tr, item: &Item) -> Self {
        let (href, external, by, by_href) = match &item.owner {
            ItemOwner::Local { slug, name, .. } => (
                Some(state.urls.item(item.id).to_string()),
                false,
                name.clone(),
                Some(state.urls.agency(slug).to_string()),
            ),
            ItemOwner::Remote {
                ap_id,
                handle,
                name,
                ..
            } => (
                remote_page(item),
                true,
                name.clone()
                    .or_else(|| handle.clone())
                    .unwrap_or_else(|| ap_id.clone()),
                web_href(ap_id),
            ),
        };
        Self {
            href,
            external,
            title: item.title.clone(),
            summary: item.summary.clone(),
            lang: item.language.clone(),
            kind_label: kind_label(t, &item.kind),
            by,
            by_href,
            date: item.published_at.format("%Y-%m-%d").to_string(),
            datetime: item.published_at.to_rfc3339(),
            snippet: None,
        }
    }
}

/// The translated name of a kind (the raw name for one we do not know,
/// which a peer could send).
pub fn kind_label(t: Tr, kind: &str) -> String {
    let key = format!("kind-{kind}");
    if t.has(&key) {
        t.msg(&key)
    } else {
        kind.to_owned()
    }
}

/// One choice of the kind filter.
#[derive(Debug, Clone)]
pub struct KindLink {
    /// Label.
    pub label: String,
    /// The listing with this filter.
    pub href: String,
    /// The filter in force.
    pub current: bool,
}

/// The kind filter of a listing at `base` (a path without a query).
pub fn kind_links(t: Tr, base: &str, current: Option<ItemKind>) -> Vec<KindLink> {
    let mut links = vec![KindLink {
        label: t.msg("kinds-all"),
        href: base.to_owned(),
        current: current.is_none(),
    }];
    links.extend(ItemKind::ALL.into_iter().map(|k| KindLink {
        label: t.msg(&format!("kinds-{k}")),
        href: format!("{base}?kind={k}"),
        current: current == Some(k),
    }));
    links
}

/// Previous and next links of a listing.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    /// The previous page.
    pub prev: Option<String>,
    /// The next page.
    pub next: Option<String>,
    /// "Page 2 of 5".
    pub label: String,
}

impl Pager {
    /// The pager of page `page` of `total` rows at `base` (a path), keeping
    /// the kind filter (and the query `q` of a search).
    pub fn new(
        t: Tr,
        base: &str,
        extra: &[(&str, &str)],
        page: u64,
        per_page: u64,
        total: u64,
    ) -> Self {
        let pages = total.div_ceil(per_page).max(1);
        let link = |p: u64| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in extra {
                q.append_pair(k, v);
            }
            if p > 1 {
                q.append_pair("page", &p.to_string());
            }
            let q = q.finish();
            if q.is_empty() {
                base.to_owned()
            } else {
                format!("{base}?{q}")
            }
        };
        Self {
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
            label: t.msg_with(
                "pager-label",
                &[("page", &page.to_string()), ("pages", &pages.to_string())],
            ),
        }
    }
}

/// `?kind=` and `?page=` of a listing, read leniently: `None` for a
/// value that is not a kind or a page number.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListQuery {
    /// A kind name.
    pub kind: Option<String>,
    /// From 1.
    pub page: Option<String>,
}

/// A listing's filter and page, or why the query is refused.
#[derive(Debug, Clone, Copy)]
pub struct Listing {
    /// The kind filter.
    pub kind: Option<ItemKind>,
    /// The page, from 1.
    pub page: u64,
}

impl ListQuery {
    /// Parsed; `None` when `kind` is not a kind or `page` not a page.
    pub fn parse(&self) -> Option<Listing> {
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(k) => Some(k.parse::<ItemKind>().ok()?),
        };
        let page = match self.page.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(p) => p
                .parse::<u64>()
                .ok()
                .filter(|p| (1..=MAX_PAGE).contains(p))?,
        };
        Some(Listing { kind, page })
    }
}

/// The listing query of `req`, `None` when it is not one (read by hand,
/// so that a bad query gets the HTML error page, not the API's JSON).
pub fn list_query(req: &actix_web::HttpRequest) -> Option<Listing> {
    actix_web::web::Query::<ListQuery>::from_query(req.query_string())
        .ok()?
        .parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::Lang;

    #[test]
    fn only_web_links_are_links() {
        assert_eq!(
            web_href("https://example.org/a b").as_deref(),
            Some("https://example.org/a%20b")
        );
        assert!(web_href("javascript:alert(1)").is_none());
        assert!(web_href("data:text/html,x").is_none());
        assert!(web_href("/relative").is_none());
        assert!(image_href("http://example.org/x.png").is_none());
    }

    #[test]
    fn pager_keeps_the_filter() {
        let p = Pager::new(Tr(Lang::En), "/tags/x", &[("kind", "dataset")], 2, 20, 41);
        assert_eq!(p.prev.as_deref(), Some("/tags/x?kind=dataset"));
        assert_eq!(p.next.as_deref(), Some("/tags/x?kind=dataset&page=3"));
        let last = Pager::new(Tr(Lang::En), "/", &[], 1, 20, 0);
        assert!(last.prev.is_none() && last.next.is_none());
    }

    #[test]
    fn list_queries_are_checked() {
        let q = |kind: Option<&str>, page: Option<&str>| ListQuery {
            kind: kind.map(str::to_owned),
            page: page.map(str::to_owned),
        };
        assert!(q(Some("dataset"), Some("2")).parse().is_some());
        assert!(q(Some("nothing"), None).parse().is_none());
        assert!(q(None, Some("0")).parse().is_none());
        assert!(q(None, Some("x")).parse().is_none());
        assert_eq!(q(None, None).parse().map(|l| l.page), Some(1));
    }
}
