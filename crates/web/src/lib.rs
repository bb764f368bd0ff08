//! Deling's HTTP surface on actix-web: the REST API under `/api/v1` with its
//! OpenAPI document; the public ActivityPub addresses of actors, objects and
//! collections (HTML to browsers); the inboxes; WebFinger, host-meta and
//! NodeInfo; the public HTML pages and Atom feeds (`pages`); health and
//! metrics; rate limits. Handlers
//! stay thin: they parse input into domain types, call the store or the
//! federation crate, and shape responses.
#![deny(missing_docs)]

pub mod auth;
pub mod body_deadline;
pub mod cache;
pub mod dto;
pub mod error;
pub mod head;
pub mod headers;
pub mod input;
pub mod login;
pub mod lookup;
pub mod observe;
pub mod pages;
pub mod proxy;
pub mod ratelimit;
pub mod routes;
pub mod session;
pub mod signed;
pub mod staff;
pub mod state;

pub use routes::configure;
pub use state::{AppState, SearchSettings, WebSettings};
