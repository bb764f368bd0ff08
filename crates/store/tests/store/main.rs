//! The store's queries, each test run on SQLite and on PostgreSQL (the
//! `both!` macro of `deling-testkit`, each case on a database of its own):
//! one module per area, the helpers they share in `support`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
extern crate deling_testkit;

mod support;

mod agencies;
mod agency_blocks;
mod audit;
mod comment_pages;
mod comments;
mod concurrency;
mod counts;
mod delivery_batch;
mod follower_caps;
mod hosts;
mod inbox_reads;
mod items;
mod keys;
mod messages;
mod outbox;
mod paging;
mod peers;
mod pins;
mod policy_blocks;
mod pool;
mod queues;
mod reach;
mod reports;
mod search;
mod shares;
mod staff;
mod timestamps;
mod tokens;
