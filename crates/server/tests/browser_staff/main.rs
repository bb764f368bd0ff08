//! The staff pages in a real browser: headless Chromium, driven by the
//! scripts in `browser/` (playwright-core), one test per staff area. Each
//! script logs in through the login form, works through its area as a
//! person would, checks every page it opens with axe (WCAG 2.1 A and AA)
//! and for a visible focus ring, and writes screenshots to a folder the
//! test prints.
//!
//! Like `browser.rs`, it needs `npm ci` in `browser/` and Chromium; without
//! them each test is skipped with a note, unless `CI` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod admin;
mod items;
mod login;
mod manage;
mod oidc;
mod support;
