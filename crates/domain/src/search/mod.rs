//! Full-text search without I/O: how text becomes index terms
//! ([`analyze`]), what of an item is indexed ([`document`]), how a query is read ([`query`]) and how a hit is shown
//! ([`snippet`]). The store builds the index and runs queries with these.

pub mod analyze;
pub mod document;
pub mod query;
pub mod snippet;

pub use analyze::Stemming;
pub use document::{Indexable, SearchDocument};
pub use query::{Clause, QueryError, SearchQuery};
