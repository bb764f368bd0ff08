//! Deling's ActivityPub glue: the URL scheme that gives every local actor
//! and object its id, actor key pairs, the ActivityStreams documents
//! (`protocol`), local records turned into them (`objects`) and discovery
//! (WebFinger, NodeInfo, host-meta), the activities we send (`outbox`, one
//! builder per outbox event kind), the inbox (`inbox`: verified, stored,
//! processed later, one module per activity type in `inbox::activities`),
//! following, unfollowing and moving (`activities`), signed-fetch
//! verification, and the durable delivery queue (`delivery`), which shares
//! its leases and backoff with the inbox's (`queue`).
#![deny(missing_docs)]

pub mod activities;
pub mod agencies;
pub mod audience;
pub mod cavage;
pub mod context;
pub mod crypto;
pub mod delivery;
pub mod discovery;
pub mod dns;
pub mod error;
pub mod fetch_knock;
pub mod http_body;
pub mod inbox;
pub mod key_refetch;
pub mod keys;
pub mod metrics;
pub mod objects;
pub mod outbox;
pub mod policy;
pub mod protocol;
pub mod queue;
pub mod rfc9421;
pub mod search_peers;
pub mod setup;
pub mod signature;
pub mod signed_fetch;
pub mod urls;

pub use urls::Urls;
