//! Queries, one module per subject, all as methods on [`crate::Store`].

pub mod agency;
pub mod comment;
pub mod follow;
pub mod instance;
pub mod item;
pub mod staff;
pub mod token;
