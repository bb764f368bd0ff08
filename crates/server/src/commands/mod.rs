//! One module per command group.

pub mod admin;
pub mod migrate;
pub mod policy;
pub mod serve;
pub mod worker;
