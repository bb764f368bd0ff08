//! The staff pages: what an agency's staff do in a browser instead of with
//! curl. Logging in and out ([`login`]); the rest of the areas build on
//! [`crate::session`]: a page takes a [`crate::session::StaffSession`], a
//! form post a [`crate::session::StaffForm`] (its CSRF token checked), and
//! the same role rules as the API (`crate::auth`).
//!
//! Like the public pages, every word comes from the Fluent files
//! (`locales/*/staff*.ftl`) and every form works without JavaScript.

pub mod admin;
pub mod items;
pub mod login;
pub mod manage;
pub mod oidc;

use actix_web::web;

/// Registers the staff pages' routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login::form))
        .route("/login", web::post().to(login::submit))
        .route("/logout", web::post().to(login::logout))
        .configure(items::configure)
        .configure(manage::configure)
        .configure(admin::configure)
        .configure(oidc::configure);
}
