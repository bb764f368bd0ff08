//! Staff sessions of the web pages: a cookie holding a random secret whose
//! SHA-256 names a `web_session` row, so every process serving the same
//! database knows the session. The cookie is HttpOnly, SameSite=Lax and
//! `Path=/`, with no `Domain`.
//!
//! Over https every authentication cookie (the session's, the login
//! form's, single sign-on's) is Secure and named with the `__Host-`
//! prefix ([`auth_cookie_name`]): a browser then takes it only from this
//! very host, over https, for the whole site, so a sibling under the same
//! parent domain (a municipality's other web site) can neither set nor
//! shadow it. Over plain http (development, the tests on loopback)
//! browsers refuse both, and the bare names are used. Only the name in
//! use for the instance's scheme is read: a session issued under the bare
//! name before an instance moved to the prefix is not, and staff log in
//! once more.
//!
//! Form posts are limited per session as API requests are per token
//! (`limits.api_per_token_per_minute`, in a bucket of the session's own):
//! over it, [`StaffForm`] answers the `429` page with `Retry-After`.
//!
//! Every form a session posts carries the session's CSRF token (a field
//! named [`CSRF_FIELD`]); [`StaffForm`] refuses a post without the right
//! one, and one whose `Origin` is another site. The login form, which has
//! no session yet, carries a token from a short-lived cookie of its own
//! ([`LOGIN_CSRF_COOKIE`], checked by [`login_csrf_ok`]), so another site
//! cannot log a visitor in as someone else.

use crate::{
    error::ApiError,
    pages::{
        ctx::Ctx,
        errors::{self, Problem},
    },
    ratelimit::retry_after_secs,
    state::AppState,
};
use actix_web::{
    FromRequest, HttpRequest, HttpResponse, ResponseError,
    cookie::{Cookie, SameSite, time::Duration as CookieDuration},
    dev::Payload,
    http::{StatusCode, header},
    web,
};
use deling_domain::auth::{NewToken, same_secret, token_hash};
use deling_store::{
    queries::session::NewSession,
    records::{Staff, WebSession},
};
use std::{future::Future, pin::Pin};

/// The session cookie's name before [`auth_cookie_name`] prefixes it.
pub const SESSION_COOKIE: &str = "deling_session";
/// The login form's own CSRF cookie's name before [`auth_cookie_name`]
/// prefixes it.
pub const LOGIN_CSRF_COOKIE: &str = "deling_login";
/// The prefix browsers accept only on a Secure cookie with `Path=/` and
/// no `Domain`, set over https by the host itself.
pub const HOST_PREFIX: &str = "__Host-";
/// The form field every staff form carries its CSRF token in.
pub const CSRF_FIELD: &str = "csrf";
/// How long the login form's CSRF cookie lasts.
const LOGIN_CSRF_MINUTES: i64 = 60;

/// How a staff member logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Username and password.
    Password,
    /// OpenID Connect single sign-on.
    Oidc,
}

impl Via {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Oidc => "oidc",
        }
    }
}

/// Whether the instance's public address is https: the configured base
/// URL decides, not the request, so the name never changes with a
/// proxy's headers.
fn secure_base(base: &url::Url) -> bool {
    base.scheme() == "https"
}

/// The name the authentication cookie `name` goes by on an instance at
/// `base`: `__Host-NAME` over https, `NAME` over plain http.
pub fn auth_cookie_name(base: &url::Url, name: &str) -> String {
    if secure_base(base) {
        format!("{HOST_PREFIX}{name}")
    } else {
        name.to_owned()
    }
}

/// The authentication cookie `name` with `value`, lasting `age`, on an
/// instance at `base`: named by [`auth_cookie_name`], HttpOnly,
/// SameSite=Lax, `Path=/`, no `Domain`, and Secure over https (which the
/// `__Host-` prefix requires; a browser drops a prefixed cookie without
/// all three). An empty value with a zero age removes it.
pub fn auth_cookie(
    base: &url::Url,
    name: &str,
    value: String,
    age: CookieDuration,
) -> Cookie<'static> {
    Cookie::build(auth_cookie_name(base, name), value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure_base(base))
        .max_age(age)
        .finish()
}

/// The value of the authentication cookie `name` that `req` carries,
/// under the name in use for the instance's scheme only.
pub fn auth_cookie_value(state: &AppState, req: &HttpRequest, name: &str) -> Option<String> {
    req.cookie(&auth_cookie_name(state.urls.base(), name))
        .map(|c| c.value().to_owned())
}

fn cookie(
    state: &AppState,
    name: &'static str,
    value: String,
    age: CookieDuration,
) -> Cookie<'static> {
    auth_cookie(state.urls.base(), name, value, age)
}

/// Starts a session for `staff`: stores it and returns the cookie the
/// answer must set.
pub async fn start(state: &AppState, staff: &Staff, via: Via) -> Result<Cookie<'static>, ApiError> {
    let secret = NewToken::generate();
    let csrf = NewToken::generate().secret;
    let lifetime = state.settings.session_lifetime;
    state
        .store
        .put_session(NewSession {
            staff_id: staff.id,
            secret_hash: secret.hash,
            csrf_token: csrf,
            via: via.as_str().into(),
            expires_at: chrono::Utc::now() + lifetime,
        })
        .await?;
    // Logins are rare and the expiry is indexed: each one clears out the
    // sessions that have ended since.
    if let Err(e) = state
        .store
        .delete_expired_sessions(chrono::Utc::now())
        .await
    {
        tracing::warn!(error = %e, "cannot remove ended sessions");
    }
    let age = CookieDuration::seconds(lifetime.num_seconds());
    Ok(cookie(state, SESSION_COOKIE, secret.secret, age))
}

/// The cookie that removes the session cookie from the browser.
pub fn ended_cookie(state: &AppState) -> Cookie<'static> {
    cookie(state, SESSION_COOKIE, String::new(), CookieDuration::ZERO)
}

/// The login form's CSRF token: the one in the visitor's cookie, or a new
/// one with the cookie to set.
pub fn login_csrf(state: &AppState, req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    match auth_cookie_value(state, req, LOGIN_CSRF_COOKIE) {
        Some(v) if v.starts_with("dlg_") => (v, None),
        _ => {
            let token = NewToken::generate().secret;
            let age = CookieDuration::minutes(LOGIN_CSRF_MINUTES);
            let c = cookie(state, LOGIN_CSRF_COOKIE, token.clone(), age);
            (token, Some(c))
        }
    }
}

/// Whether a login form's token matches the visitor's login cookie.
pub fn login_csrf_ok(state: &AppState, req: &HttpRequest, sent: &str) -> bool {
    auth_cookie_value(state, req, LOGIN_CSRF_COOKIE)
        .is_some_and(|v| !sent.is_empty() && same_secret(&v, sent))
}

/// The cookie that removes the login form's CSRF cookie (once logged in
/// it has done its work).
pub fn login_csrf_ended(state: &AppState) -> Cookie<'static> {
    cookie(
        state,
        LOGIN_CSRF_COOKIE,
        String::new(),
        CookieDuration::ZERO,
    )
}

/// Whether a post comes from this site: browsers send `Origin` with every
/// POST; one naming another site is refused even with a valid token. This
/// site is the configured public address, or the host the browser sent
/// the request to (a browser cannot forge `Host`; behind a proxy the two
/// differ).
pub fn same_origin(state: &AppState, req: &HttpRequest) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str().map(url::Url::parse) else {
        return false;
    };
    let Ok(origin) = origin else {
        return false;
    };
    let origin = origin.origin();
    if origin == state.public_base(req).origin() {
        return true;
    }
    let info = req.connection_info();
    url::Url::parse(&format!("{}://{}/", info.scheme(), info.host()))
        .is_ok_and(|here| here.origin() == origin)
}

/// A logged-in staff member, from the session cookie.
#[derive(Debug, Clone)]
pub struct StaffSession {
    /// The account.
    pub staff: Staff,
    /// The session.
    pub session: WebSession,
}

impl StaffSession {
    /// The token this session's forms carry.
    pub fn csrf(&self) -> &str {
        &self.session.csrf_token
    }

    /// Ends this session.
    pub async fn end(&self, state: &AppState) -> Result<(), ApiError> {
        state
            .store
            .delete_session(&self.session.secret_hash)
            .await?;
        Ok(())
    }
}

/// Why a staff page could not be served before its handler ran.
#[derive(Debug)]
pub enum Rejection {
    /// No valid session: to the login page, then back to `next`.
    LoginRequired {
        /// The path (and query) to return to.
        next: String,
    },
    /// An error page, rendered in the visitor's language (a form without
    /// the right CSRF token or from another site; a failure of ours).
    Page {
        /// Its status.
        status: StatusCode,
        /// The page.
        html: String,
    },
    /// Over the session's rate limit: the `429` page, and when to try
    /// again.
    TooMany {
        /// The page.
        html: String,
        /// Seconds to wait, for `Retry-After`.
        retry_after: u64,
    },
}

impl Rejection {
    fn page(req: &HttpRequest, state: web::Data<AppState>, problem: Problem) -> Self {
        let ctx = Ctx::new(state, req);
        let (status, html) = errors::render(&ctx, problem);
        Self::Page { status, html }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::LoginRequired { .. } => f.write_str("login required"),
            Self::Page { status, .. } => write!(f, "staff page refused: {status}"),
            Self::TooMany { retry_after, .. } => {
                write!(f, "too many staff forms; retry after {retry_after} s")
            }
        }
    }
}

impl ResponseError for Rejection {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::LoginRequired { .. } => StatusCode::SEE_OTHER,
            Self::Page { status, .. } => *status,
            Self::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::LoginRequired { next } => {
                let q = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", next)
                    .finish();
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, format!("/login?{q}")))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish()
            }
            Self::Page { status, html } => HttpResponse::build(*status)
                .content_type("text/html; charset=utf-8")
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body(html.clone()),
            Self::TooMany { html, retry_after } => HttpResponse::TooManyRequests()
                .content_type("text/html; charset=utf-8")
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((header::RETRY_AFTER, retry_after.to_string()))
                .body(html.clone()),
        }
    }
}

/// The session of `req`, if its cookie names a live one.
pub async fn current(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Option<StaffSession>, ApiError> {
    let Some(secret) = auth_cookie_value(state, req, SESSION_COOKIE) else {
        return Ok(None);
    };
    if !secret.starts_with("dlg_") {
        return Ok(None);
    }
    Ok(state
        .store
        .get_session_owner(&token_hash(&secret))
        .await?
        .map(|(session, staff)| StaffSession { staff, session }))
}

fn path_and_query(req: &HttpRequest) -> String {
    match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    }
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, Rejection> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| Rejection::Page {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            html: String::new(),
        })
}

async fn session_of(
    req: &HttpRequest,
    state: &web::Data<AppState>,
) -> Result<StaffSession, Rejection> {
    match current(state, req).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(Rejection::LoginRequired {
            // After a failed form post, go back to the page, not the post.
            next: if req.method() == actix_web::http::Method::GET {
                path_and_query(req)
            } else {
                "/staff".into()
            },
        }),
        Err(e) => {
            tracing::error!(error = %e, "cannot read a session");
            Err(Rejection::page(req, state.clone(), Problem::Internal))
        }
    }
}

impl FromRequest for StaffSession {
    type Error = Rejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Rejection>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            session_of(&req, &state).await
        })
    }
}

/// The fields of a posted form, in order; a name may repeat (a dataset's
/// distributions).
#[derive(Debug, Clone, Default)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// Parses an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or empty.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` was sent (a checkbox that is ticked, the button
    /// that was pressed).
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// A form posted by a logged-in staff member, its CSRF token checked and
/// its origin this site.
#[derive(Debug)]
pub struct StaffForm {
    /// Who posted it.
    pub session: StaffSession,
    /// What it holds (the CSRF token included).
    pub fields: FormFields,
}

impl FromRequest for StaffForm {
    type Error = Rejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Rejection>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let state = state_of(&req)?;
            let session = session_of(&req, &state).await?;
            // Before the body is read: a flood costs no more than the
            // session lookup. By the session's row, which one login makes;
            // its secret never serves as a key.
            if let Err(wait) = state
                .limiters
                .staff_per_session
                .check(&session.session.id.to_string())
            {
                let ctx = Ctx::new(state, &req);
                let (_, html) = errors::render(&ctx, Problem::TooMany);
                return Err(Rejection::TooMany {
                    html,
                    retry_after: retry_after_secs(wait),
                });
            }
            let body = match body.await {
                Ok(b) => b,
                Err(e) => {
                    tracing::info!(error = %e, "a staff form's body was refused");
                    return Err(Rejection::page(&req, state, Problem::BadRequest));
                }
            };
            let fields = FormFields::parse(&body);
            let token_ok = fields
                .get(CSRF_FIELD)
                .is_some_and(|t| same_secret(t, session.csrf()));
            if !token_ok || !same_origin(&state, &req) {
                return Err(Rejection::page(&req, state, Problem::FormExpired));
            }
            Ok(Self { session, fields })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    /// What a browser demands of a `__Host-` cookie, checked on the
    /// `Set-Cookie` value itself as well as on the cookie.
    fn assert_host_cookie(c: &Cookie<'_>, name: &str) {
        assert_eq!(c.name(), format!("__Host-{name}"));
        assert_eq!(c.secure(), Some(true), "{c}");
        assert_eq!(c.path(), Some("/"), "{c}");
        assert_eq!(c.domain(), None, "{c}");
        assert_eq!(c.http_only(), Some(true), "{c}");
        assert_eq!(c.same_site(), Some(SameSite::Lax), "{c}");
        let header = c.to_string();
        let attrs: Vec<&str> = header.split(';').map(str::trim).collect();
        assert!(attrs[0].starts_with(&format!("__Host-{name}=")), "{header}");
        for want in ["Secure", "Path=/", "HttpOnly", "SameSite=Lax"] {
            assert!(attrs.contains(&want), "{want} missing: {header}");
        }
        assert!(
            !attrs
                .iter()
                .any(|a| a.to_ascii_lowercase().starts_with("domain")),
            "{header}"
        );
    }

    #[test]
    fn https_instances_name_authentication_cookies_with_the_host_prefix() {
        let base = url("https://deling.oslo.kommune.no/");
        for name in [SESSION_COOKIE, LOGIN_CSRF_COOKIE, "deling_oidc"] {
            assert_eq!(auth_cookie_name(&base, name), format!("__Host-{name}"));
            let set = auth_cookie(&base, name, "dlg_x".into(), CookieDuration::hours(1));
            assert_host_cookie(&set, name);
            // Removing it takes the same attributes, or the browser keeps it.
            let gone = auth_cookie(&base, name, String::new(), CookieDuration::ZERO);
            assert_host_cookie(&gone, name);
            assert_eq!(gone.max_age(), Some(CookieDuration::ZERO));
        }
        // A port does not change the scheme's rule.
        assert_eq!(
            auth_cookie_name(&url("https://deling.example:8443/"), SESSION_COOKIE),
            "__Host-deling_session"
        );
    }

    #[test]
    fn plain_http_instances_keep_the_bare_names_without_secure() {
        let base = url("http://localhost:8080/");
        for name in [SESSION_COOKIE, LOGIN_CSRF_COOKIE, "deling_oidc"] {
            assert_eq!(auth_cookie_name(&base, name), name);
            let c = auth_cookie(&base, name, "dlg_x".into(), CookieDuration::hours(1));
            assert_eq!(c.name(), name);
            assert_ne!(c.secure(), Some(true), "{c}");
            assert_eq!(c.path(), Some("/"), "{c}");
            assert_eq!(c.domain(), None, "{c}");
            assert!(!c.to_string().contains("Secure"), "{c}");
        }
    }
}
