//! What every page handler starts from: the state, the visitor's language,
//! and the frame (`Chrome`) the base template draws around each page; and
//! how a rendered template becomes a response.

use super::i18n::{LANG_COOKIE, Lang, Tr, negotiate};
use crate::state::AppState;
use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, SameSite},
    http::{StatusCode, header},
    web,
};

/// A feed linked from a page's head.
#[derive(Debug, Clone)]
pub struct FeedLink {
    /// Its title, in the page's language.
    pub title: String,
    /// Absolute URL.
    pub href: String,
}

/// What the base template needs on every page.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Translations.
    pub t: Tr,
    /// The page's language code.
    pub lang: &'static str,
    /// The instance's name.
    pub site_name: String,
    /// The document title (before the site name).
    pub title: String,
    /// Feeds for `<link rel="alternate">`.
    pub feeds: Vec<FeedLink>,
    /// The words in the search box.
    pub query: String,
    /// Whether the header has the search box (not on the search page,
    /// which has its own: two search landmarks would confuse).
    pub site_search: bool,
    /// Links that show this page in each language.
    pub languages: Vec<LangLink>,
    /// On staff pages: who is logged in, for the staff navigation.
    pub staff: Option<StaffBar>,
}

/// The staff navigation's facts: shown on staff pages only.
#[derive(Debug, Clone)]
pub struct StaffBar {
    /// The logged-in staff member.
    pub username: String,
    /// The log-out button's words (with the username).
    pub logout: String,
    /// The session's CSRF token, for the log-out button's form.
    pub csrf: String,
    /// Whether the administration link is shown.
    pub instance_admin: bool,
    /// Which staff area the page belongs to (`dashboard`, `moderation`,
    /// `admin`), marked as current in the navigation.
    pub area: &'static str,
}

/// A link to the same page in one language.
#[derive(Debug, Clone)]
pub struct LangLink {
    /// `nb` or `en`.
    pub code: &'static str,
    /// The language's name, in itself.
    pub name: String,
    /// This page with `?lang=`.
    pub href: String,
    /// The page is in this language now.
    pub current: bool,
}

/// One request's page context.
pub struct Ctx {
    /// Shared state.
    pub state: web::Data<AppState>,
    /// The visitor's language.
    pub t: Tr,
    /// `?lang=` chose the language: the answer remembers it in a cookie.
    remember: bool,
    /// The request path, for the language links.
    path: String,
    /// The query without `lang`, for the language links.
    query_rest: String,
}

impl actix_web::FromRequest for Ctx {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(
            req.app_data::<web::Data<AppState>>()
                .cloned()
                .map(|state| Self::new(state, req))
                .ok_or_else(|| actix_web::error::ErrorInternalServerError("app state missing")),
        )
    }
}

impl Ctx {
    /// The context of `req`.
    pub fn new(state: web::Data<AppState>, req: &HttpRequest) -> Self {
        let (lang, remember) = negotiate(req);
        let query_rest = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                url::form_urlencoded::parse(req.query_string().as_bytes())
                    .filter(|(k, _)| k != "lang"),
            )
            .finish();
        Self {
            state,
            t: Tr(lang),
            remember,
            path: req.path().to_owned(),
            query_rest,
        }
    }

    /// The frame of a page titled `title`.
    pub fn chrome(&self, title: impl Into<String>) -> Chrome {
        let languages = Lang::ALL
            .into_iter()
            .map(|l| {
                let mut href = format!("{}?", self.path);
                if !self.query_rest.is_empty() {
                    href.push_str(&self.query_rest);
                    href.push('&');
                }
                href.push_str("lang=");
                href.push_str(l.code());
                LangLink {
                    code: l.code(),
                    name: Tr(l).msg("language-name"),
                    href,
                    current: l == self.t.lang(),
                }
            })
            .collect();
        Chrome {
            t: self.t,
            lang: self.t.lang().code(),
            site_name: self.state.settings.instance_name.clone(),
            title: title.into(),
            feeds: vec![],
            query: String::new(),
            site_search: true,
            languages,
            staff: None,
        }
    }

    /// The frame of a staff page titled `title`, in staff `area`.
    pub fn staff_chrome(
        &self,
        title: impl Into<String>,
        session: &crate::session::StaffSession,
        area: &'static str,
    ) -> Chrome {
        Chrome {
            staff: Some(StaffBar {
                username: session.staff.username.clone(),
                logout: self
                    .t
                    .msg_with("staff-logout", &[("user", &session.staff.username)]),
                csrf: session.csrf().to_owned(),
                instance_admin: session.staff.instance_admin,
                area,
            }),
            ..self.chrome(title)
        }
    }

    /// A staff page's answer: never cached, by the browser or a proxy.
    pub fn staff_ok(&self, page: &impl askama::Template) -> HttpResponse {
        let mut res = self.render(StatusCode::OK, page);
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        res
    }

    /// Runs a staff page's work and answers its result, or the error page
    /// for what went wrong, in this visitor's language.
    pub async fn staff_page(
        &self,
        work: impl std::future::Future<Output = Result<HttpResponse, crate::error::ApiError>>,
    ) -> HttpResponse {
        match work.await {
            Ok(res) => res,
            Err(e) => super::errors::from_api(self, e),
        }
    }

    /// An HTML response with `body`.
    pub fn html(&self, status: StatusCode, body: String) -> HttpResponse {
        let mut res = HttpResponse::build(status);
        res.content_type("text/html; charset=utf-8")
            // The same URL answers JSON to ActivityPub clients, and the
            // language follows the visitor's headers and cookie.
            .insert_header((header::VARY, "Accept, Accept-Language, Cookie"));
        if self.remember {
            let cookie = Cookie::build(LANG_COOKIE, self.t.lang().code())
                .path("/")
                .max_age(actix_web::cookie::time::Duration::days(365))
                .same_site(SameSite::Lax)
                .http_only(true)
                .secure(self.state.urls.base().scheme() == "https")
                .finish();
            res.cookie(cookie);
        }
        res.body(body)
    }

    /// Renders `page` with `status`; a template that fails to render is
    /// logged and answered 500.
    pub fn render(&self, status: StatusCode, page: &impl askama::Template) -> HttpResponse {
        match page.render() {
            Ok(body) => self.html(status, body),
            Err(e) => {
                tracing::error!(error = %e, "a page failed to render");
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body(self.t.msg("error-internal-title"))
            }
        }
    }

    /// `render` with 200.
    pub fn ok(&self, page: &impl askama::Template) -> HttpResponse {
        self.render(StatusCode::OK, page)
    }
}
