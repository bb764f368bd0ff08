//! Staff pages: single sign-on with OpenID Connect (`[auth.oidc]`).
//!
//! `GET /login/oidc?next=` sends the visitor to the provider with an
//! authorization-code request (PKCE, `state`, `nonce`); what the answer
//! needs is kept in the database (any process may receive it), keyed by a
//! hash of `state`, which also goes into a short-lived cookie so that only
//! the browser that started a login can finish it. `GET
//! /login/oidc/callback` takes that row (once: a replayed answer finds
//! none), exchanges the code, verifies the ID token, maps the configured
//! claim to a staff account's username and starts a session like a
//! password login does, or shows why not.

mod http;
pub mod provider;
mod routes;

pub use routes::{SsoButton, button};

pub use provider::{OidcOptions, OidcSettings, SettingsError};

use actix_web::web;

/// Registers this area's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login/oidc", web::get().to(routes::start))
        .route("/login/oidc/callback", web::get().to(routes::callback));
}
