//! The staff pages over real HTTP, as a browser uses them: logging in and
//! out with sessions in the database (one session served by two processes
//! on one PostgreSQL database), CSRF tokens on every form, and the areas
//! built on them, each in its own module.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod admin;
mod audit_admin;
mod cookie_names;
mod items;
mod login;
mod manage;
mod no_remote_images;
mod oidc;
