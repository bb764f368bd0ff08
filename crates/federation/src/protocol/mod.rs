//! ActivityStreams documents as plain serde types: no I/O, no database.

pub mod activity;
pub mod actor;
pub mod collection;
pub mod context;
pub mod incoming;
pub mod lenient;
pub mod note;
pub mod page;

/// The media type of ActivityPub documents.
pub const AP_CONTENT_TYPE: &str = "application/activity+json";

/// The special collection that makes an object public.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
