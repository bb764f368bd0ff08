//! Activities we receive and send, one module per subject: following,
//! content (items and comments), reactions, and building outgoing ones.

pub mod content;
pub mod following;
pub mod outgoing;
pub mod reaction;
pub mod remote_page;
pub mod report;
