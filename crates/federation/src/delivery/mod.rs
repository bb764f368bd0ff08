//! The durable side of federation: outbox events fanned out into delivery
//! rows (by `crate::outbox`), deliveries signed and sent with retries, and
//! stored inbox activities processed. Everything waits in the database, so
//! a restart (or a crash) resumes where it stopped.

pub mod send;
pub mod worker;

pub use worker::{Worker, drain};
