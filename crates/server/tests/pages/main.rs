//! The public HTML pages and feeds over real HTTP: each page in both
//! languages, escaping of what agencies and remote authors wrote, the
//! 404 and 410 pages, content negotiation at the shared URLs, Atom feeds
//! read back with `atom_syndication`, and "follow / reply from your own
//! server" against a fake server's WebFinger on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod comment_pages;
mod errors;
mod feeds;
mod interact;
mod interact_confirm;
mod pages;
mod support;
