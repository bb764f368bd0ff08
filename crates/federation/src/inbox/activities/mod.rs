//! One module per activity type we act on, each with its struct (the
//! common [`Activity`](crate::protocol::incoming::Activity) flattened, and
//! what only that type reads), its checks (`verify`) and its effect
//! (`receive`); see [`Inbound`](super::inbound::Inbound). The dispatch
//! table (`inbox::dispatch`) maps each type to its module.
//!
//! `follow` (Follow), `undo` (Undo of a Follow, Like or Announce),
//! `accept` (Accept of our Follow), `reject` (Reject of our Follow),
//! `create_or_update` (Create and Update: one thing, an object new or
//! changed, a reply, an item or the actor itself), `delete` (Delete of an
//! object or the actor), `like` (Like), `announce` (Announce, a boost),
//! `flag` (Flag, a report), `moving` (Move of an account; `move` is a
//! keyword).

pub mod accept;
pub mod announce;
pub mod create_or_update;
pub mod delete;
pub mod flag;
pub mod follow;
pub mod like;
pub mod moving;
pub mod reject;
pub mod undo;
