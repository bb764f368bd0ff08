//! The REST API under `/api/v1`.

pub mod admin;
pub mod agencies;
pub mod auth;
pub mod federation;
pub mod items;
pub mod members;
pub mod messages;
pub mod shares;
pub mod tokens;

use crate::error::ApiError;
use actix_web::{HttpRequest, web};

/// Registers the API's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/auth/login", web::post().to(auth::login))
            .route("/admin/federation", web::get().to(admin::federation))
            .route("/auth/token", web::delete().to(auth::logout))
            .route("/auth/tokens", web::get().to(tokens::list))
            .route("/auth/tokens/{id}", web::delete().to(tokens::revoke))
            .route("/agencies", web::get().to(agencies::list))
            .route("/agencies/{slug}", web::get().to(agencies::get))
            .route("/agencies/{slug}", web::patch().to(agencies::update))
            .route("/agencies/{slug}", web::delete().to(agencies::withdraw))
            .route("/agencies/{slug}/members", web::get().to(members::list))
            .route("/agencies/{slug}/shares", web::get().to(shares::list))
            .route(
                "/agencies/{slug}/members/{username}",
                web::put().to(members::put),
            )
            .route(
                "/agencies/{slug}/members/{username}",
                web::delete().to(members::delete),
            )
            .route("/me", web::get().to(members::me))
            .route("/agencies/{slug}/items", web::post().to(items::create))
            .route(
                "/agencies/{slug}/following",
                web::post().to(federation::follow),
            )
            .route(
                "/agencies/{slug}/following",
                web::get().to(federation::following),
            )
            .route(
                "/agencies/{slug}/following",
                web::delete().to(federation::unfollow),
            )
            .route(
                "/agencies/{slug}/followers",
                web::get().to(federation::followers),
            )
            .route("/agencies/{slug}/messages", web::get().to(messages::list))
            .route(
                "/agencies/{slug}/messages/{id}",
                web::get().to(messages::get),
            )
            .route(
                "/agencies/{slug}/messages/{id}/replies",
                web::post().to(messages::reply),
            )
            .route("/items", web::get().to(items::list))
            .route("/items/{id}", web::get().to(items::get))
            .route("/items/{id}", web::patch().to(items::update))
            .route("/items/{id}", web::delete().to(items::delete))
            .route("/items/{id}/comments", web::get().to(items::comments))
            .route("/items/{id}/reactions", web::get().to(items::reactions))
            .route("/items/{id}/pin", web::post().to(items::pin))
            .route("/items/{id}/pin", web::delete().to(items::unpin))
            .route("/items/{id}/shares", web::post().to(shares::create))
            .route("/items/{id}/shares", web::delete().to(shares::delete))
            .route("/items/{id}/comments", web::post().to(federation::comment)),
    );
}

/// Any unknown path: a 404 problem rather than an empty body.
pub async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}
