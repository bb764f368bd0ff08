//! Activities by subject: what a received one does (reached from
//! `inbox::process`, which dispatches by type) and, for following and
//! moving, sending one. `following` (Follow, Accept, Reject, Undo; follow
//! and unfollow a [`FollowTarget`](deling_domain::handle::FollowTarget)),
//! `content` (Create, Update, Delete of comments, items and actors),
//! `remote_page` (a peer's `Page` read into a catalogue entry), `reaction`
//! (Like, Announce), `moving` (Move, other names), `report` (Flag), and
//! `outgoing` (ids of Follows, Undos and Accepts). What we send is built
//! from outbox events in `crate::outbox`.

pub mod content;
pub mod following;
pub mod moving;
pub mod outgoing;
pub mod reaction;
pub mod remote_page;
pub mod report;
