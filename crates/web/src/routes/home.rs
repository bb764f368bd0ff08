//! The landing page: what this server is and where its API lives.

use crate::state::AppState;
use actix_web::{HttpResponse, web};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /`.
pub async fn index(state: web::Data<AppState>) -> HttpResponse {
    let name = escape(&state.settings.instance_name);
    let agencies = state.store.list_agencies().await.unwrap_or_default();
    let list: String = agencies
        .iter()
        .map(|a| {
            format!(
                "<li>{} <code>{}</code></li>",
                escape(&a.name),
                escape(&state.handle(&a.slug))
            )
        })
        .collect();
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title></head>\
         <body><h1>{name}</h1><p>A Deling server: public bodies sharing guides, datasets, software and services.</p>\
         <h2>Agencies</h2><ul>{list}</ul>\
         <p>API: <a href=\"/api/v1/items\">/api/v1/items</a>, <a href=\"/api/v1/agencies\">/api/v1/agencies</a>, \
         OpenAPI: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a></p></body></html>"
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}
