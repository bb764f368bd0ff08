//! Local records turned into ActivityStreams documents (the activities
//! that carry them are in `crate::outbox`).

pub mod actors;
pub mod agency;
pub mod comment;
pub mod item;
pub mod message;
