//! What Deling's tests share, so that each test binary does not carry its
//! own copy: the test configuration, a server or a federating instance per
//! test, fresh databases (SQLite files, PostgreSQL databases made and
//! dropped per test), fake peers that record what they receive, requests
//! signed the way other servers sign them, and waiting for background work
//! with a deadline.
//!
//! A dev-dependency only. Without its default feature `server` only the
//! database helpers ([`db`], [`postgres`]) and [`wait`] are built; the
//! store's tests use it that way.
//!
//! PostgreSQL cases use the server `TEST_POSTGRES_URL` names (default
//! `postgres://postgres@127.0.0.1:5432`); when it cannot be reached they are
//! skipped with a note on stderr, unless `TEST_REQUIRE_POSTGRES=1` (as in
//! CI), where that is a failure.
//!
//! The most used items are re-exported here, so a test binary can name this
//! crate as its `helpers` module (`use deling_testkit as helpers;`).
// Test support reports a broken set-up by panicking, as tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod db;
pub mod postgres;
pub mod wait;

#[cfg(feature = "server")]
pub mod app;
#[cfg(feature = "server")]
pub mod bodies;
#[cfg(feature = "server")]
pub mod comments;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod http;
#[cfg(feature = "server")]
pub mod instance;
#[cfg(feature = "server")]
pub mod keys;
#[cfg(feature = "server")]
pub mod peer;
#[cfg(feature = "server")]
pub mod raw;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod web;

pub use wait::{WAIT, eventually, eventually_within};

#[cfg(feature = "server")]
pub use {
    app::{PASSWORD, TestApp},
    bodies::{guide, id_of, item_body, titles},
    config::{DOMAIN, test_config},
    http::{client, content_type, free_port, invalid, json_body, ok_json, problem},
    instance::Instance,
    keys::{pool_key, test_keys},
    raw::{RawResponse, raw_request},
};
