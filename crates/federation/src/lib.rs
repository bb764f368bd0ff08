//! Deling's ActivityPub glue: the URL scheme that gives every local actor
//! and object its id, actor key pairs, the ActivityStreams documents
//! (`protocol`), local records turned into them (`objects`) and discovery
//! (WebFinger, NodeInfo, host-meta). The inbox and the durable delivery
//! queue grow here.
#![deny(missing_docs)]

pub mod activities;
pub mod context;
pub mod delivery;
pub mod discovery;
pub mod error;
pub mod inbox;
pub mod keys;
pub mod objects;
pub mod protocol;
pub mod urls;

pub use urls::Urls;
