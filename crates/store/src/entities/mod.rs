//! sea-orm entities, one module per table (see `migrations/` for the schema).
#![allow(missing_docs)]

pub mod actor_block;
pub mod agency;
pub mod agency_block;
pub mod api_token;
pub mod audit_log;
pub mod comment;
pub mod delivery;
pub mod delivery_body;
pub mod domain_policy;
pub mod follower;
pub mod following;
pub mod host_state;
pub mod inbox_activity;
pub mod instance;
pub mod item;
pub mod item_link;
pub mod item_tag;
pub mod item_tally;
pub mod login_attempt;
pub mod membership;
pub mod message;
pub mod oidc_login;
pub mod outbox_event;
pub mod private_object;
pub mod reaction;
pub mod remote_actor;
pub mod report;
pub mod reuse;
pub mod share;
pub mod signer_wait;
pub mod staff;
pub mod tombstone;
pub mod web_session;
