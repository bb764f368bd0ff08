//! The durable delivery queue, end to end over loopback HTTP: how answers
//! are classified, how a failing host is probed, a host that shows signs
//! of life, `deling serve` killed mid-delivery, two processes sharing one
//! PostgreSQL queue, what the operator sees, `deling worker` stopping, and
//! slow followers that must not hold back the rest.
//!
//! Followers are fake peers ([`peer::FakePeer`]), whose inboxes answer
//! with the status the test chooses. Deling runs either in this process
//! (the federation tests' [`helpers::Instance`]) or as `deling` child
//! processes ([`harness`]).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

// The shared test support (`crates/testkit`).
use deling_testkit as helpers;
use deling_testkit::peer;

mod harness;

mod classify;
mod crash;
mod dead_hosts;
mod idle;
mod lease;
mod operator;
mod probing;
mod robustness;
mod scale;
mod signers;
mod slow_peers;
