//! Queries, one module per subject, all as methods on [`crate::Store`].

pub mod agency;
pub mod audit;
mod claim;
pub mod comment;
pub mod delivery;
pub mod delivery_batch;
pub mod follow;
pub mod host;
pub mod inbox;
pub mod instance;
pub mod item;
pub mod login;
pub mod message;
pub mod moving;
pub mod outbox;
pub(crate) mod params;
pub mod peers;
pub mod policy;
pub mod reaction;
pub mod remote_actor;
pub mod remote_item;
pub mod report;
pub mod search;
pub mod share;
pub mod staff;
pub mod token;
pub mod tombstone;
