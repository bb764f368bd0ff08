//! Deling's database schema as sea-orm migrations, one file per change.
//!
//! Every migration runs on SQLite and PostgreSQL, up and down; the store's
//! tests check both.
#![deny(missing_docs)]

use sea_orm_migration::prelude::*;

mod atomic;
pub use atomic::Atomic;

mod m20261128_000001_initial;
mod m20261128_000002_follows;
mod m20261128_000003_queues;
mod m20261128_000004_tombstones;
mod m20261128_000005_hosts;
mod m20261128_000006_login_attempts;
mod m20261128_000007_policy;
mod m20261128_000008_shares;
mod m20261128_000009_pins;
mod m20261205_000001_audience;
mod m20261205_000003_key_rotation;
mod m20261205_000004_dialect;
mod m20261205_000005_move;
mod m20261205_000006_indexable;
mod m20261205_000007_signature_style;
mod m20261205_000008_outbox_payload;
mod m20261205_000010_search;
mod m20261206_000001_counts;
mod m20261206_000011_search_speed;
mod m20261206_000020_web_session;
mod m20261206_000060_oidc_login;
mod m20261206_000070_comment_pages;
mod m20261206_000080_delivery_bodies;
mod m20261206_000090_inbox_signer;
mod m20261207_000010_comment_received;
mod m20261207_000030_private_object;
mod m20261208_000010_ids_per_actor;
mod m20261209_000010_agency_block;
mod m20261209_000020_audit_agency;
mod m20261210_000010_message_received;
mod m20261211_000011_message_held;
mod m20261211_000020_signer_wait;
mod m20261211_000030_actor_site;

/// Runs Deling's migrations in order, each in a transaction of its own.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Atomic::wrap(m20261128_000001_initial::Migration),
            Atomic::wrap(m20261128_000002_follows::Migration),
            Atomic::wrap(m20261128_000003_queues::Migration),
            Atomic::wrap(m20261128_000004_tombstones::Migration),
            Atomic::wrap(m20261128_000005_hosts::Migration),
            Atomic::wrap(m20261128_000006_login_attempts::Migration),
            Atomic::wrap(m20261128_000007_policy::Migration),
            Atomic::wrap(m20261128_000008_shares::Migration),
            Atomic::wrap(m20261128_000009_pins::Migration),
            Atomic::wrap(m20261205_000001_audience::Migration),
            Atomic::wrap(m20261205_000003_key_rotation::Migration),
            Atomic::wrap(m20261205_000004_dialect::Migration),
            Atomic::wrap(m20261205_000005_move::Migration),
            Atomic::wrap(m20261205_000006_indexable::Migration),
            Atomic::wrap(m20261205_000007_signature_style::Migration),
            Atomic::wrap(m20261205_000008_outbox_payload::Migration),
            Atomic::wrap(m20261205_000010_search::Migration),
            Atomic::wrap(m20261206_000001_counts::Migration),
            Atomic::wrap(m20261206_000011_search_speed::Migration),
            Atomic::wrap(m20261206_000020_web_session::Migration),
            Atomic::wrap(m20261206_000060_oidc_login::Migration),
            Atomic::wrap(m20261206_000070_comment_pages::Migration),
            Atomic::wrap(m20261206_000080_delivery_bodies::Migration),
            Atomic::wrap(m20261206_000090_inbox_signer::Migration),
            Atomic::wrap(m20261207_000010_comment_received::Migration),
            Atomic::wrap(m20261207_000030_private_object::Migration),
            Atomic::wrap(m20261208_000010_ids_per_actor::Migration),
            Atomic::wrap(m20261209_000010_agency_block::Migration),
            Atomic::wrap(m20261209_000020_audit_agency::Migration),
            Atomic::wrap(m20261210_000010_message_received::Migration),
            Atomic::wrap(m20261211_000011_message_held::Migration),
            Atomic::wrap(m20261211_000020_signer_wait::Migration),
            Atomic::wrap(m20261211_000030_actor_site::Migration),
        ]
    }
}
