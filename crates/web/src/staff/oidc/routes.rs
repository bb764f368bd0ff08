//! `GET /login/oidc` and `GET /login/oidc/callback`, and the page that
//! says why a single sign-on login was refused.

use super::provider::{Failure, OidcSettings};
use crate::{
    pages::{
        ctx::{Chrome, Ctx},
        errors::{self, Problem},
    },
    session::{self, Via, auth_cookie, auth_cookie_value},
    staff::login::{logged_in, safe_next},
};
use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, time::Duration as CookieDuration},
    http::{StatusCode, header},
    web,
};
use askama::Template;
use deling_domain::auth::{same_secret, token_hash};
use deling_store::queries::oidc_login::NewOidcLogin;
use openidconnect::RedirectUrl;
use serde::Deserialize;

/// The cookie that ties a login to the browser that started it: it holds
/// the `state` sent to the provider. Its name before
/// [`session::auth_cookie_name`] prefixes it with `__Host-` over https.
pub const STATE_COOKIE: &str = "deling_oidc";
/// How long the provider's answer is awaited (a person may need to type a
/// password and confirm on a phone).
const LOGIN_MINUTES: i64 = 10;
/// The callback's path, registered at the provider as
/// `https://DOMAIN/login/oidc/callback`.
pub const CALLBACK_PATH: &str = "/login/oidc/callback";

/// The login page's way to single sign-on: a link that looks like a
/// button. A link, not a form: it goes to another page, and browsers
/// check a form's redirects against the `form-action` policy.
#[derive(Debug, Clone)]
pub struct SsoButton {
    /// "Log in with LABEL".
    pub text: String,
    /// `/login/oidc?next=...`.
    pub href: String,
}

/// The login page's single sign-on button for a login going to `next`,
/// when single sign-on is configured.
pub fn button(ctx: &Ctx, next: &str) -> Option<SsoButton> {
    Some(SsoButton {
        text: button_text(ctx)?,
        href: with_next("/login/oidc", next),
    })
}

/// "Log in with LABEL", when single sign-on is configured.
fn button_text(ctx: &Ctx) -> Option<String> {
    let oidc = ctx.state.settings.oidc.as_ref()?;
    Some(if oidc.label.is_empty() {
        ctx.t.msg("oidc-button-default")
    } else {
        ctx.t.msg_with("oidc-button", &[("label", &oidc.label)])
    })
}

/// The state cookie. SameSite=Lax: the provider sends the browser back
/// with a top-level GET, which carries Lax cookies; nothing else from
/// another site does. `Path=/` rather than `/login/oidc`: the `__Host-`
/// prefix, which keeps sibling sites from planting a `state` of their
/// own, demands it, and one shape over http and https keeps the tests on
/// the production path.
fn state_cookie(ctx: &Ctx, value: String, age: CookieDuration) -> Cookie<'static> {
    auth_cookie(ctx.state.urls.base(), STATE_COOKIE, value, age)
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn redirect_url(ctx: &Ctx) -> Result<RedirectUrl, crate::error::ApiError> {
    ctx.state
        .urls
        .base()
        .join(CALLBACK_PATH)
        .map(RedirectUrl::from_url)
        .map_err(|e| crate::error::ApiError::Internal(format!("callback URL: {e}")))
}

fn settings(ctx: &Ctx) -> Option<&OidcSettings> {
    ctx.state.settings.oidc.as_ref()
}

/// The query of `GET /login/oidc`.
#[derive(Debug, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// `GET /login/oidc?next=`: to the provider, or straight on when already
/// logged in.
pub async fn start(ctx: Ctx, req: HttpRequest, q: web::Query<StartQuery>) -> HttpResponse {
    let Some(oidc) = settings(&ctx) else {
        return errors::page(&ctx, Problem::NotFound);
    };
    let next = safe_next(q.next.as_deref());
    match session::current(&ctx.state, &req).await {
        Ok(Some(_)) => return see_other(&next),
        Ok(None) => {}
        Err(e) => return errors::from_api(&ctx, e),
    }
    // Each start writes a row: under the per-address login limit, as a
    // password login is.
    if let Err(e) = crate::login::allowance(&req) {
        return errors::from_api(&ctx, e);
    }
    let redirect = match redirect_url(&ctx) {
        Ok(r) => r,
        Err(e) => return errors::from_api(&ctx, e),
    };
    let begun = match oidc.begin(&redirect, ctx.t.lang().code()).await {
        Ok(b) => b,
        Err(f) => return refused(&ctx, oidc, f.into(), &next),
    };
    let stored = ctx
        .state
        .store
        .put_oidc_login(NewOidcLogin {
            state_hash: token_hash(&begun.state),
            pkce_verifier: begun.pkce_verifier,
            nonce: begun.nonce,
            next,
            expires_at: chrono::Utc::now() + chrono::Duration::minutes(LOGIN_MINUTES),
        })
        .await;
    if let Err(e) = stored {
        return errors::from_api(&ctx, e.into());
    }
    let mut res = see_other(&begun.url);
    let cookie = state_cookie(&ctx, begun.state, CookieDuration::minutes(LOGIN_MINUTES));
    if let Err(e) = res.add_cookie(&cookie) {
        tracing::error!(error = %e, "cannot set the single sign-on cookie");
    }
    res
}

/// The provider's answer.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    iss: Option<String>,
}

/// Why a login was refused, as the visitor is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No login of this browser waits for this answer: a forged, changed,
    /// replayed or expired `state`, or a missing cookie.
    State,
    /// The provider answered with an error (the person cancelled, or it
    /// refused them).
    Provider,
    /// The provider could not be reached.
    Unreachable,
    /// The provider's answer did not verify.
    Answer,
    /// The provider did not say who logged in.
    NoClaim,
    /// No staff account has this username.
    Unknown(String),
    /// The staff account is disabled.
    Disabled(String),
}

impl From<Failure> for Refusal {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Unreachable(_) => Self::Unreachable,
            Failure::Answer(_) | Failure::Signature(_) => Self::Answer,
            Failure::NoClaim => Self::NoClaim,
            Failure::Unknown(v) => Self::Unknown(v),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/oidc/refused.html")]
struct RefusedPage {
    c: Chrome,
    problem: String,
    advice: String,
    retry: Option<String>,
    retry_href: String,
    login_href: String,
}

fn with_next(path: &str, next: &str) -> String {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    format!("{path}?{q}")
}

/// The page that says why the login was refused, with the way back.
fn refused(ctx: &Ctx, oidc: &OidcSettings, why: Refusal, next: &str) -> HttpResponse {
    let t = &ctx.t;
    let claim = oidc.claim.as_str();
    let (status, problem, advice, retry) = match &why {
        Refusal::State => (
            StatusCode::BAD_REQUEST,
            t.msg("oidc-refused-state"),
            t.msg("oidc-advice-start-again"),
            true,
        ),
        Refusal::Provider => (
            StatusCode::FORBIDDEN,
            t.msg("oidc-refused-provider"),
            t.msg("oidc-advice-start-again"),
            true,
        ),
        Refusal::Unreachable => (
            StatusCode::BAD_GATEWAY,
            t.msg("oidc-refused-unreachable"),
            t.msg("oidc-advice-later"),
            true,
        ),
        Refusal::Answer => (
            StatusCode::BAD_GATEWAY,
            t.msg("oidc-refused-answer"),
            t.msg("oidc-advice-later"),
            true,
        ),
        Refusal::NoClaim => (
            StatusCode::FORBIDDEN,
            t.msg_with("oidc-refused-no-claim", &[("claim", claim)]),
            t.msg("oidc-advice-admin"),
            false,
        ),
        Refusal::Unknown(who) => (
            StatusCode::FORBIDDEN,
            t.msg_with("oidc-refused-unknown", &[("who", who)]),
            t.msg("oidc-advice-account"),
            false,
        ),
        Refusal::Disabled(who) => (
            StatusCode::FORBIDDEN,
            t.msg_with("oidc-refused-disabled", &[("who", who)]),
            t.msg("oidc-advice-account"),
            false,
        ),
    };
    let mut c = ctx.chrome(t.msg("oidc-refused-title"));
    c.site_search = false;
    let page = RefusedPage {
        c,
        problem,
        advice,
        retry: retry.then(|| button_text(ctx)).flatten(),
        retry_href: with_next("/login/oidc", next),
        login_href: with_next("/login", next),
    };
    let mut res = ctx.render(status, &page);
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    if let Err(e) = res.add_cookie(&state_cookie(ctx, String::new(), CookieDuration::ZERO)) {
        tracing::error!(error = %e, "cannot clear the single sign-on cookie");
    }
    res
}

/// `GET /login/oidc/callback`: the provider's answer. Checks that this
/// browser started the login, takes the login from the database (once),
/// exchanges the code, verifies the ID token and starts a session for
/// the staff account the claim names.
pub async fn callback(ctx: Ctx, req: HttpRequest, q: web::Query<CallbackQuery>) -> HttpResponse {
    let Some(oidc) = settings(&ctx) else {
        return errors::page(&ctx, Problem::NotFound);
    };
    let q = q.into_inner();
    let home = safe_next(None);
    let sent = q.state.as_deref().unwrap_or_default();
    let ours = auth_cookie_value(&ctx.state, &req, STATE_COOKIE);
    let same_browser = ours
        .as_deref()
        .is_some_and(|c| !sent.is_empty() && same_secret(c, sent));
    if !same_browser {
        tracing::info!(
            cookie = ours.is_some(),
            "single sign-on answer refused: its state is not this browser's"
        );
        return refused(&ctx, oidc, Refusal::State, &home);
    }
    let pending = match ctx.state.store.take_oidc_login(&token_hash(sent)).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            tracing::info!(
                "single sign-on answer refused: no login waits for its state (used, expired or never started)"
            );
            return refused(&ctx, oidc, Refusal::State, &home);
        }
        Err(e) => return errors::from_api(&ctx, e.into()),
    };
    let next = pending.next;
    if let Some(error) = q.error {
        tracing::info!(
            %error,
            description = q.error_description.as_deref().unwrap_or_default(),
            "the single sign-on provider answered with an error"
        );
        return refused(&ctx, oidc, Refusal::Provider, &next);
    }
    // RFC 9207: a provider that names itself must be ours (an answer from
    // another provider the visitor also uses is not for this login).
    if let Some(iss) = q.iss.as_deref()
        && iss.trim_end_matches('/') != oidc.issuer().trim_end_matches('/')
    {
        tracing::warn!(%iss, expected = oidc.issuer(), "single sign-on answer refused: from another issuer");
        return refused(&ctx, oidc, Refusal::Answer, &next);
    }
    let Some(code) = q.code.filter(|c| !c.is_empty()) else {
        tracing::info!("single sign-on answer refused: no code");
        return refused(&ctx, oidc, Refusal::Answer, &next);
    };
    let redirect = match redirect_url(&ctx) {
        Ok(r) => r,
        Err(e) => return errors::from_api(&ctx, e),
    };
    let username = match oidc
        .finish(&redirect, code, pending.pkce_verifier, pending.nonce)
        .await
    {
        Ok(u) => u,
        Err(f) => {
            match &f {
                Failure::Unreachable(_) | Failure::Answer(_) | Failure::Signature(_) => {
                    tracing::warn!(issuer = oidc.issuer(), error = %f, "single sign-on failed")
                }
                Failure::NoClaim | Failure::Unknown(_) => {
                    tracing::info!(claim = %oidc.claim, error = %f, "single sign-on refused")
                }
            }
            return refused(&ctx, oidc, f.into(), &next);
        }
    };
    let staff = match ctx
        .state
        .store
        .get_staff_by_username(username.as_str())
        .await
    {
        Ok(Some(s)) => s,
        Ok(None) => {
            tracing::info!(
                username = username.as_str(),
                "single sign-on refused: no such staff account"
            );
            return refused(&ctx, oidc, Refusal::Unknown(username.to_string()), &next);
        }
        Err(e) => return errors::from_api(&ctx, e.into()),
    };
    if staff.disabled_at.is_some() {
        tracing::info!(
            username = username.as_str(),
            "single sign-on refused: the account is disabled"
        );
        return refused(&ctx, oidc, Refusal::Disabled(username.to_string()), &next);
    }
    match session::start(&ctx.state, &staff, Via::Oidc).await {
        Ok(cookie) => {
            tracing::info!(
                username = username.as_str(),
                "logged in with single sign-on"
            );
            let mut res = logged_in(&ctx.state, cookie, &next);
            if let Err(e) = res.add_cookie(&state_cookie(&ctx, String::new(), CookieDuration::ZERO))
            {
                tracing::error!(error = %e, "cannot clear the single sign-on cookie");
            }
            res
        }
        Err(e) => errors::from_api(&ctx, e),
    }
}
