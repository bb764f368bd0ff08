//! Local records turned into ActivityStreams documents.

pub mod actors;
pub mod agency;
pub mod comment;
pub mod item;
pub mod message;
pub mod share;
