//! Federation between real Deling instances in this process, over HTTP on
//! loopback: following, items, comments, the shared inbox, delivery across
//! a peer's restart, discovery, and hostile signed requests from a fake
//! peer.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

// The shared test support (`crates/testkit`): instances, waiting, response
// checks as `helpers`, the fake peer and its signed requests as `peer`.
use deling_testkit as helpers;
use deling_testkit::peer;

mod actor_shapes;
mod agency_blocks;
mod comment_quota;
mod comments;
mod discovery;
mod edits;
mod follower_caps;
mod following;
mod held_messages;
mod hostile_inbox;
mod inbox_fairness;
mod items;
mod keys;
mod lifecycle;
mod moving;
mod ordering;
mod pins;
mod policy;
mod privacy;
mod profile;
mod reactions;
mod remote_fields;
mod replies;
mod reply_pages;
mod reports;
mod rfc9421;
mod search;
mod search_peers;
mod shares;
mod signatures;
mod signed_fetch;
mod slow_keys;
mod squatting;
mod withdrawal;
