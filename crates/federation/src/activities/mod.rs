//! What our agencies send that is not built from an outbox event:
//! `following` (follow and unfollow a
//! [`FollowTarget`](deling_domain::handle::FollowTarget): the Follow and
//! Undo, and resolving a handle or URL to an actor), `moving` (moving an
//! agency elsewhere, its other names, and the Follow and Undo our
//! agencies send when an account they follow moves) and `outgoing`
//! (activity ids and delivery rows). Activities built from outbox events
//! are in `delivery::fanout`; what a received activity does is in
//! `inbox::activities`, one module per type.

pub mod following;
pub mod moving;
pub mod outgoing;
