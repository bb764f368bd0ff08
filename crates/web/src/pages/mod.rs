//! The public HTML pages and feeds, for people and feed readers (no
//! login): the front page, search, agency and item pages (served at the
//! actor and object URLs by content negotiation, from
//! `routes::activitypub`), tag pages, Atom feeds, "follow / reply from
//! your own server", the error pages and the style sheet.
//!
//! Pages are askama templates (`crates/web/templates/`, checked at compile
//! time, escaped by default); every word on them comes from the Fluent
//! files (`crates/web/locales/`), in bokmål or English ([`i18n`]). Every
//! form works as plain HTML; the one script, the copy button beside an
//! agency's handle, only adds to that.

pub mod agency;
pub mod ctx;
pub mod errors;
pub mod feeds;
pub mod front;
pub mod i18n;
pub mod interact;
pub mod item;
pub mod metadata;
pub mod schema_org;
pub mod search;
pub mod tag;
pub mod views;

use actix_web::{HttpResponse, http::header, web};

/// The style sheet, built into the binary.
const STYLE: &str = include_str!("../../templates/deling.css");
/// The staff pages' style sheet, built into the binary.
const STAFF_STYLE: &str = include_str!("../../templates/staff.css");
/// The copy button's script, built into the binary.
const COPY_SCRIPT: &str = include_str!("../../templates/copy.js");

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

/// `GET /static/deling.css`.
pub async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLE)
}

/// `GET /static/staff.css`.
pub async fn staff_style() -> HttpResponse {
    asset("text/css; charset=utf-8", STAFF_STYLE)
}

/// `GET /static/copy.js`.
pub async fn copy_script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", COPY_SCRIPT)
}

/// Registers the pages' own routes (the agency and item pages share their
/// URLs with the ActivityPub documents and are routed there).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(front::page))
        .route("/search", web::get().to(search::page))
        .route("/feed.atom", web::get().to(feeds::instance))
        .route("/agencies/{slug}/feed.atom", web::get().to(feeds::agency))
        .route("/tags/{tag}", web::get().to(tag::page))
        .route("/tags/{tag}/feed.atom", web::get().to(feeds::tag))
        .route("/interact", web::post().to(interact::submit))
        .route("/static/deling.css", web::get().to(style))
        .route("/static/staff.css", web::get().to(staff_style))
        .route("/static/copy.js", web::get().to(copy_script));
}
