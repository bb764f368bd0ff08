//! What our agencies do beyond their outbox: `following` (follow and
//! unfollow a [`FollowTarget`](deling_domain::handle::FollowTarget), and
//! resolving a handle or URL to an actor), `moving` (moving an agency
//! elsewhere, its other names, and following an account's new name when
//! it moves) and `outgoing` (ids of Follows, Undos and Accepts). Every
//! activity we send is built from an outbox event in `crate::outbox`; what
//! a received activity does is in `inbox::activities`, one module per type.

pub mod following;
pub mod moving;
pub mod outgoing;
