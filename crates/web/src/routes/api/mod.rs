//! The REST API under `/api/v1`, one module per resource: `agencies`,
//! `members`, `items`, `comments`, `shares`, `messages`, `search`, `federation`
//! (following and followers), `auth` and `tokens`, and `admin/` for
//! instance administrators. [`routes`] is the one list of its routes; a
//! test holds it equal to the OpenAPI document.
//!
//! Every answer to a request with credentials is private to its caller
//! ([`private_answers`]): `Cache-Control: no-store` and `Vary:
//! Authorization`, so no browser, proxy or the response cache keeps a
//! token, a private message or a member list for someone else.

pub mod admin;
pub mod agencies;
pub mod agency_audit;
pub mod auth;
pub mod blocks;
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
use actix_web::{
    Error, FromRequest, Handler, HttpRequest, Responder, Route,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    error::InternalError,
    http::{
        Method,
        header::{self, HeaderMap, HeaderValue},
    },
    middleware::{Next, from_fn},
    web,
};

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
        at(Method::GET, "/agencies/{slug}/audit", agency_audit::list),
        at(Method::GET, "/agencies/{slug}/blocks", blocks::list),
        at(Method::POST, "/agencies/{slug}/blocks", blocks::put),
        at(Method::DELETE, "/agencies/{slug}/blocks", blocks::delete),
        at(Method::GET, "/agencies/{slug}/messages", messages::list),
        at(Method::GET, "/agencies/{slug}/messages/{id}", messages::get),
        at(
            Method::DELETE,
            "/agencies/{slug}/messages/{id}",
            messages::delete,
        ),
        at(
            Method::POST,
            "/agencies/{slug}/messages/{id}/release",
            messages::release,
        ),
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

/// Registers the API's routes, every answer marked by [`private_answers`].
pub fn configure(cfg: &mut web::ServiceConfig) {
    let scope = routes()
        .into_iter()
        .fold(web::scope(PREFIX), |scope, (_, path, route)| {
            scope.route(path, route)
        })
        .wrap(from_fn(private_answers));
    cfg.service(scope);
}

/// The login route, whose answer holds a new token whoever asks.
const LOGIN_PATH: &str = "/api/v1/auth/login";

/// Middleware of the API scope: the answer to a request that carries an
/// `Authorization` header, and every login answer, says `Cache-Control:
/// no-store` and `Vary: Authorization`, and its handler runs inside
/// [`crate::cache::private`], so the response cache neither serves nor
/// keeps it. An answer made for one token (a token itself, private
/// messages, an agency's staff, the audit log) must not be stored where
/// a shared or later reader finds it. Requests without credentials pass
/// untouched: public lists and searches stay cacheable.
pub async fn private_answers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let private = req.headers().contains_key(header::AUTHORIZATION) || req.path() == LOGIN_PATH;
    if !private {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    match crate::cache::private(next.call(req)).await {
        Ok(res) => {
            let mut res = res.map_into_boxed_body();
            mark_private(res.headers_mut());
            Ok(res)
        }
        // An error the answer is made from further out: made here instead
        // (the same answer), so that it is marked too.
        Err(e) => {
            let mut res = e.error_response();
            mark_private(res.headers_mut());
            Err(InternalError::from_response(e, res).into())
        }
    }
}

/// `Cache-Control: no-store`, and `Authorization` added to `Vary` (kept
/// whole if it names it already or is `*`).
pub(crate) fn mark_private(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let listed: Vec<String> = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    if listed
        .iter()
        .any(|v| v == "*" || v.eq_ignore_ascii_case("authorization"))
    {
        return;
    }
    let vary = listed
        .into_iter()
        .chain(["Authorization".to_owned()])
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(value) = HeaderValue::from_str(&vary) {
        headers.insert(header::VARY, value);
    }
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

    fn varies(headers: &HeaderMap) -> Vec<&str> {
        headers
            .get_all(header::VARY)
            .map(|v| v.to_str().unwrap())
            .collect()
    }

    #[test]
    fn private_answers_vary_on_authorization_once() {
        let mut none = HeaderMap::new();
        mark_private(&mut none);
        assert_eq!(none.get(header::CACHE_CONTROL).unwrap(), "no-store");
        assert_eq!(varies(&none), ["Authorization"]);

        let mut some = HeaderMap::new();
        some.insert(header::CACHE_CONTROL, HeaderValue::from_static("public"));
        some.append(header::VARY, HeaderValue::from_static("Accept"));
        some.append(header::VARY, HeaderValue::from_static("Accept-Language"));
        mark_private(&mut some);
        assert_eq!(some.get(header::CACHE_CONTROL).unwrap(), "no-store");
        assert_eq!(varies(&some), ["Accept, Accept-Language, Authorization"]);
        mark_private(&mut some);
        assert_eq!(varies(&some), ["Accept, Accept-Language, Authorization"]);

        let mut all = HeaderMap::new();
        all.insert(header::VARY, HeaderValue::from_static("*"));
        mark_private(&mut all);
        assert_eq!(varies(&all), ["*"]);
    }

    #[actix_web::test]
    async fn only_requests_with_credentials_and_logins_are_marked() {
        use actix_web::{App, HttpResponse, test};
        let app = test::init_service(
            App::new().service(
                web::scope(PREFIX)
                    .wrap(from_fn(private_answers))
                    .route(
                        "/auth/login",
                        web::post().to(|| async { HttpResponse::Ok().finish() }),
                    )
                    .route(
                        "/items",
                        web::get().to(|| async {
                            // What the response cache would be told.
                            let cache = if crate::cache::is_private() {
                                "bypassed"
                            } else {
                                "shared"
                            };
                            HttpResponse::Ok()
                                .insert_header((header::VARY, "Accept"))
                                .body(cache)
                        }),
                    ),
            ),
        )
        .await;
        let anonymous = test::call_service(
            &app,
            test::TestRequest::get().uri("/api/v1/items").to_request(),
        )
        .await;
        assert!(anonymous.headers().get(header::CACHE_CONTROL).is_none());
        assert_eq!(varies(anonymous.headers()), ["Accept"]);
        assert_eq!(test::read_body(anonymous).await, "shared");
        let with_token = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/items")
                .insert_header((header::AUTHORIZATION, "Bearer dlg_x"))
                .to_request(),
        )
        .await;
        assert_eq!(
            with_token.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-store"
        );
        assert_eq!(varies(with_token.headers()), ["Accept, Authorization"]);
        assert_eq!(test::read_body(with_token).await, "bypassed");
        let login =
            test::call_service(&app, test::TestRequest::post().uri(LOGIN_PATH).to_request()).await;
        assert_eq!(
            login.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-store"
        );
        assert_eq!(LOGIN_PATH, format!("{PREFIX}/auth/login"));
    }

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
