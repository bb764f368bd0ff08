//! The durable side of federation: outbox events fanned out into delivery
//! rows (by `crate::outbox`), deliveries claimed in turns per host (`pool`,
//! paced by `host_slots`, each turn in `turn`) and signed (`signer`) and
//! sent with retries (`send`), and
//! the worker (`worker`) that runs the fan-out, the delivery loop and the
//! inbox loop (`inbox::worker`) side by side. Everything waits in the
//! database, so a restart (or a crash) resumes where it stopped.

mod deferred;
mod done_log;
pub mod host_slots;
pub mod pool;
pub mod send;
mod signer;
mod turn;
pub mod turn_cache;
pub mod worker;

pub use worker::{Worker, drain};
