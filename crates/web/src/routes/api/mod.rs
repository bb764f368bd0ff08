//! The REST API under `/api/v1`, one module per resource: `agencies`,
//! `members`, `items`, `comments`, `shares`, `messages`, `search`, `federation`
//! (following and followers), `auth` and `tokens`, and `admin/` for
//! instance administrators. [`routes`] is the one list of its routes; a
//! test holds it equal to the OpenAPI document.

pub mod admin;
pub mod agencies;
pub mod auth;
pub mod comments;
pub mod federation;
pub mod items;
pub mod members;
pub mod messages;
pub mod search;
pub mod search_peers;
pub mod shares;
pub mod tokens;

use crate::error::ApiError;
use actix_web::{FromRequest, Handler, HttpRequest, Responder, Route, http::Method, web};

/// The prefix of every API route.
pub const PREFIX: &str = "/api/v1";

/// One API route: method, path under [`PREFIX`], and its handler.
pub type ApiRoute = (Method, &'static str, Route);

fn at<F, Args>(method: Method, path: &'static str, handler: F) -> ApiRoute
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    (method.clone(), path, web::method(method).to(handler))
}

/// Every API route. Each must also be annotated for, and listed in, the
/// OpenAPI document (`routes/openapi.rs`).
pub fn routes() -> Vec<ApiRoute> {
    vec![
        at(Method::POST, "/auth/login", auth::login),
        at(Method::GET, "/admin/federation", admin::federation),
        at(
            Method::GET,
            "/admin/domain-blocks",
            admin::domain_blocks::list,
        ),
        at(
            Method::POST,
            "/admin/domain-blocks",
            admin::domain_blocks::put,
        ),
        at(
            Method::GET,
            "/admin/domain-blocks/export",
            admin::domain_blocks::export,
        ),
        at(
            Method::POST,
            "/admin/domain-blocks/import",
            admin::domain_blocks::import,
        ),
        at(
            Method::DELETE,
            "/admin/domain-blocks/{domain}",
            admin::domain_blocks::delete,
        ),
        at(
            Method::GET,
            "/admin/federation-mode",
            admin::domain_blocks::get_mode,
        ),
        at(
            Method::PUT,
            "/admin/federation-mode",
            admin::domain_blocks::put_mode,
        ),
        at(
            Method::GET,
            "/admin/actor-blocks",
            admin::actor_blocks::list,
        ),
        at(
            Method::POST,
            "/admin/actor-blocks",
            admin::actor_blocks::put,
        ),
        at(
            Method::DELETE,
            "/admin/actor-blocks",
            admin::actor_blocks::delete,
        ),
        at(Method::GET, "/admin/reports", admin::reports::list),
        at(
            Method::POST,
            "/admin/reports/{id}/resolve",
            admin::reports::resolve,
        ),
        at(Method::GET, "/admin/audit", admin::audit::list),
        at(Method::DELETE, "/auth/token", auth::logout),
        at(Method::GET, "/auth/tokens", tokens::list),
        at(Method::DELETE, "/auth/tokens/{id}", tokens::revoke),
        at(Method::GET, "/agencies", agencies::list),
        at(Method::GET, "/agencies/{slug}", agencies::get),
        at(Method::PATCH, "/agencies/{slug}", agencies::update),
        at(Method::DELETE, "/agencies/{slug}", agencies::withdraw),
        at(Method::GET, "/agencies/{slug}/members", members::list),
        at(Method::GET, "/agencies/{slug}/shares", shares::list),
        at(
            Method::PUT,
            "/agencies/{slug}/members/{username}",
            members::put,
        ),
        at(
            Method::DELETE,
            "/agencies/{slug}/members/{username}",
            members::delete,
        ),
        at(Method::GET, "/me", members::me),
        at(Method::POST, "/agencies/{slug}/items", items::create),
        at(
            Method::POST,
            "/agencies/{slug}/following",
            federation::follow,
        ),
        at(
            Method::GET,
            "/agencies/{slug}/following",
            federation::following,
        ),
        at(
            Method::DELETE,
            "/agencies/{slug}/following",
            federation::unfollow,
        ),
        at(
            Method::GET,
            "/agencies/{slug}/followers",
            federation::followers,
        ),
        at(Method::GET, "/agencies/{slug}/messages", messages::list),
        at(Method::GET, "/agencies/{slug}/messages/{id}", messages::get),
        at(
            Method::POST,
            "/agencies/{slug}/messages/{id}/replies",
            messages::reply,
        ),
        at(Method::GET, "/items", items::list),
        at(Method::GET, "/search", search::search),
        at(Method::GET, "/items/{id}", items::get),
        at(Method::PATCH, "/items/{id}", items::update),
        at(Method::DELETE, "/items/{id}", items::delete),
        at(Method::GET, "/items/{id}/comments", items::comments),
        at(Method::POST, "/items/{id}/comments", comments::create),
        at(Method::GET, "/items/{id}/reactions", items::reactions),
        at(Method::POST, "/items/{id}/pin", items::pin),
        at(Method::DELETE, "/items/{id}/pin", items::unpin),
        at(Method::POST, "/items/{id}/shares", shares::create),
        at(Method::DELETE, "/items/{id}/shares", shares::delete),
        at(Method::PATCH, "/comments/{id}", comments::edit),
        at(Method::DELETE, "/comments/{id}", comments::delete),
        at(Method::POST, "/comments/{id}/hide", comments::hide),
        at(Method::POST, "/comments/{id}/unhide", comments::unhide),
        at(
            Method::POST,
            "/comments/{id}/block-author",
            comments::block_author,
        ),
        at(Method::POST, "/comments/{id}/report", comments::report),
        at(Method::GET, "/openapi.json", super::openapi::document),
    ]
}

/// Registers the API's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let scope = routes()
        .into_iter()
        .fold(web::scope(PREFIX), |scope, (_, path, route)| {
            scope.route(path, route)
        });
    cfg.service(scope);
}

/// Any unknown path: a 404 problem rather than an empty body.
pub async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use utoipa::OpenApi;

    /// A route without its OpenAPI description (or a described route that
    /// is not served) is a mistake either way.
    #[test]
    fn every_route_is_in_the_openapi_document() {
        let served: BTreeSet<(String, String)> = routes()
            .into_iter()
            .map(|(m, path, _)| (m.as_str().to_owned(), format!("{PREFIX}{path}")))
            .collect();
        assert_eq!(served.len(), routes().len(), "a route is listed twice");
        let doc = crate::routes::openapi::ApiDoc::openapi();
        let mut described = BTreeSet::new();
        for (path, item) in &doc.paths.paths {
            for (m, op) in [
                ("GET", &item.get),
                ("PUT", &item.put),
                ("POST", &item.post),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
                ("HEAD", &item.head),
                ("OPTIONS", &item.options),
                ("TRACE", &item.trace),
            ] {
                if op.is_some() {
                    described.insert((m.to_owned(), path.clone()));
                }
            }
        }
        let undocumented: Vec<_> = served.difference(&described).collect();
        let unserved: Vec<_> = described.difference(&served).collect();
        assert!(
            undocumented.is_empty() && unserved.is_empty(),
            "served but not in the OpenAPI document: {undocumented:?}; \
             in the document but not served: {unserved:?}"
        );
    }
}
