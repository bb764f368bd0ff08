//! Shared items with their tags and links: the types listings and counts
//! use here; writing (`write`: publish, edit, withdraw), reading (`read`:
//! one, several, an agency's pinned ones), listing (`list`: a filtered
//! page by number or after a cursor), pinning (`pins`, with its outbox
//! events) and the kept reaction counts (`counts`) in the submodules.

mod counts;
mod list;
mod pins;
mod read;
pub(crate) mod state;
mod write;

pub use list::{ItemCursor, ItemSlice};
pub use state::ItemState;

pub(crate) use write::{ItemSet, erase_items, replace_tags_and_links};

/// Which items a listing covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Origin {
    /// Published here.
    #[default]
    Local,
    /// Received from agencies we follow.
    Remote,
    /// Both.
    All,
}

/// Filters for [`crate::Store::list_items`]; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Only this local agency's items (by slug).
    pub agency: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only items with this tag.
    pub tag: Option<String>,
    /// Only this language.
    pub language: Option<String>,
    /// Local, remote or both.
    pub origin: Origin,
}

/// One page of a listing (not the ActivityStreams `Page`, which is an item
/// as peers see it).
#[derive(Debug, Clone)]
pub struct Paged<T> {
    /// The rows on this page.
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: u64,
    /// Page size.
    pub per_page: u64,
    /// Rows on all pages.
    pub total: u64,
}

/// Most items an agency can pin (Mastodon's limit too).
pub const MAX_PINNED: u64 = 5;

/// Reactions and replies counted on an item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemCounts {
    /// Likes.
    pub likes: u64,
    /// Boosts: Announces from the fediverse and shares by local agencies.
    pub shares: u64,
    /// Visible comments.
    pub comments: u64,
}
