//! Activities we receive and send, one module per subject: following,
//! content (items and comments), reactions, moving accounts, and building outgoing ones.

pub mod content;
pub mod following;
pub mod moving;
pub mod outgoing;
pub mod reaction;
pub mod remote_page;
pub mod report;
