//! Staff pages: items.

use actix_web::web;

/// Registers this area's routes.
pub fn configure(_cfg: &mut web::ServiceConfig) {}
