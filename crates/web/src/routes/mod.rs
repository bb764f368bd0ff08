//! Route table.

pub mod api;
pub mod health;
pub mod home;
pub mod openapi;

use crate::{error, state::AppState};
use actix_web::web;

/// Registers every route and the extractor error handlers on an actix app.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let limit = state.settings.max_body_bytes;
        cfg.app_data(web::Data::new(state))
            .app_data(web::JsonConfig::default().limit(limit).error_handler(error::json_error))
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .route("/", web::get().to(home::index))
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz))
            .route("/api/v1/openapi.json", web::get().to(openapi::document))
            .configure(api::configure)
            .default_service(web::to(api::not_found));
    }
}
