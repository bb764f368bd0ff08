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
