//! The route table: [`configure`] registers the public addresses (actors,
//! objects and collections, the inboxes, well-known, health and metrics)
//! here, the HTML pages and feeds from [`crate::pages::configure`], whose paths must agree with `deling_federation::urls`, and the
//! REST API from [`api::routes`]; and it installs the JSON, query and path
//! error handlers.

pub mod activitypub;
pub mod api;
pub mod health;
pub mod inbox;
pub mod metrics;
pub mod openapi;
pub mod well_known;

use crate::{error, state::AppState};
use actix_web::{HttpRequest, HttpResponse, web};

/// Registers every route and the extractor error handlers on an actix app.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let limit = state.settings.max_body_bytes;
        cfg.app_data(web::Data::new(state))
            .app_data(
                web::JsonConfig::default()
                    .limit(limit)
                    .error_handler(error::json_error),
            )
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .app_data(web::PayloadConfig::default().limit(limit))
            .route("/healthz", web::get().to(health::healthz))
            .route("/metrics", web::get().to(metrics::public_metrics))
            .route("/readyz", web::get().to(health::readyz))
            .route(
                "/.well-known/webfinger",
                web::get().to(well_known::webfinger),
            )
            .route(
                "/.well-known/host-meta",
                web::get().to(well_known::host_meta),
            )
            .route(
                "/.well-known/host-meta.json",
                web::get().to(well_known::host_meta_json),
            )
            .route(
                "/.well-known/nodeinfo",
                web::get().to(well_known::nodeinfo_links),
            )
            .route("/nodeinfo/{version}", web::get().to(well_known::nodeinfo))
            .route("/actor", web::get().to(activitypub::instance_actor))
            .route("/inbox", web::post().to(inbox::shared))
            .route("/agencies/{slug}/inbox", web::post().to(inbox::agency))
            .route("/agencies/{slug}", web::get().to(activitypub::agency))
            .route(
                "/agencies/{slug}/outbox",
                web::get().to(activitypub::outbox),
            )
            .route(
                "/agencies/{slug}/followers",
                web::get().to(activitypub::followers),
            )
            .route(
                "/agencies/{slug}/following",
                web::get().to(activitypub::following),
            )
            .route(
                "/agencies/{slug}/featured",
                web::get().to(activitypub::featured),
            )
            .route("/items/{id}", web::get().to(activitypub::item))
            .route("/items/{id}/replies", web::get().to(activitypub::replies))
            .route(
                "/items/{id}/create",
                web::get().to(activitypub::item_create),
            )
            .route(
                "/items/{id}/{collection:likes|shares}",
                web::get().to(activitypub::reactions),
            )
            .route("/comments/{id}", web::get().to(activitypub::comment))
            .route("/shares/{id}", web::get().to(activitypub::share))
            .configure(crate::pages::configure)
            .configure(crate::staff::configure)
            .configure(api::configure)
            .default_service(web::to(not_found));
    }
}

/// No route: a page saying so to browsers, a problem to everyone else
/// (and always under `/api/`).
async fn not_found(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let wants_html = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && !req.path().starts_with("/api/") {
        let ctx = crate::pages::ctx::Ctx::new(state, &req);
        return crate::pages::errors::page(&ctx, crate::pages::errors::Problem::NotFound);
    }
    match api::not_found(req).await {
        Ok(r) => r,
        Err(e) => actix_web::ResponseError::error_response(&e),
    }
}
