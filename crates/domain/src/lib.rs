//! Deling's domain: the types and rules of shared items, agencies and staff.
//!
//! Nothing here does I/O. Values arriving from outside are parsed into the
//! newtypes of this crate at the edge ("parse, don't validate"), so a bad slug,
//! language or URL cannot travel inward.
#![deny(missing_docs)]

pub mod agency;
pub mod audience;
pub mod auth;
pub mod error;
pub mod handle;
pub mod host;
pub mod item;
pub mod kind;
pub mod language;
pub mod license;
pub mod markdown;
pub mod media_type;
pub mod metadata;
pub mod policy;
pub mod post;
pub mod search;
pub mod site;
pub mod slug;
pub mod text;
pub mod web_url;

pub use error::{FieldError, Invalid};
