//! The REST API over real HTTP: every test starts its own server on its own
//! database (SQLite, plus one smoke test on PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

// The shared test support (`crates/testkit`): `TestApp`, response checks,
// request bodies.
use deling_testkit as helpers;

mod agencies;
mod audit_admin;
mod auth;
mod cached_reads;
mod comment_pages;
mod headers;
mod hostile;
mod items;
mod listing;
mod members;
mod openapi_truth;
mod postgres;
mod private_answers;
mod routes;
mod search;
mod validation;
