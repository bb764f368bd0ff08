//! Deling's ActivityPub glue. For now: actor key pairs and the URL scheme
//! that gives every local actor and object its public id. The actors,
//! objects, inbox and durable delivery queue grow here.
#![deny(missing_docs)]

pub mod keys;
pub mod urls;

pub use urls::Urls;
