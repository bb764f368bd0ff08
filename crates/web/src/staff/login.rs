//! `GET /login`, `POST /login` and `POST /logout`: the staff pages' login
//! with the existing accounts and the API's lock-out, starting and ending
//! a database-backed session ([`crate::session`]).

use crate::{
    login::{Refused, allowance, check_password},
    pages::{
        ctx::{Chrome, Ctx},
        errors::{self, Problem},
    },
    session::{
        self, StaffForm, Via, ended_cookie, login_csrf, login_csrf_ended, login_csrf_ok,
        same_origin,
    },
    state::AppState,
};
use actix_web::{
    HttpRequest, HttpResponse,
    cookie::Cookie,
    http::{StatusCode, header},
    web,
};
use askama::Template;
use serde::Deserialize;

/// Where a login goes when it was not sent from somewhere.
const HOME: &str = "/staff";

/// `next` when it is a path on this site, else the staff home: a login
/// link must not send anyone to another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => HOME.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    c: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    password_login: bool,
    sso: Option<super::oidc::SsoButton>,
}

/// The query of `GET /login`.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

fn render(
    ctx: &Ctx,
    req: &HttpRequest,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
) -> HttpResponse {
    let (csrf, new_cookie) = login_csrf(&ctx.state, req);
    let mut c = ctx.chrome(ctx.t.msg("login-title"));
    c.site_search = false;
    let sso = super::oidc::button(ctx, &next);
    let page = LoginPage {
        c,
        csrf,
        next,
        username,
        error,
        password_login: ctx.state.settings.password_login,
        sso,
    };
    let mut res = ctx.render(status, &page);
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    if let Some(c) = new_cookie
        && let Err(e) = res.add_cookie(&c)
    {
        tracing::error!(error = %e, "cannot set the login cookie");
    }
    res
}

/// `GET /login`: the form, or straight on when already logged in.
pub async fn form(ctx: Ctx, req: HttpRequest, q: web::Query<LoginQuery>) -> HttpResponse {
    let next = safe_next(q.next.as_deref());
    match session::current(&ctx.state, &req).await {
        Ok(Some(_)) => see_other(&next),
        Ok(None) => render(&ctx, &req, StatusCode::OK, next, String::new(), None),
        Err(e) => errors::from_api(&ctx, e),
    }
}

/// What the login form posts.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// `POST /login`: checks the password under the lock-out and starts a
/// session; a refusal shows the form again with why, keeping the name.
pub async fn submit(ctx: Ctx, req: HttpRequest, form: web::Form<LoginForm>) -> HttpResponse {
    let LoginForm {
        csrf,
        next,
        username,
        password,
    } = form.into_inner();
    let next = safe_next(Some(&next));
    if !login_csrf_ok(&ctx.state, &req, &csrf) || !same_origin(&ctx.state, &req) {
        return errors::page(&ctx, Problem::FormExpired);
    }
    if !ctx.state.settings.password_login {
        return render(
            &ctx,
            &req,
            StatusCode::FORBIDDEN,
            next,
            username,
            Some(ctx.t.msg("login-password-off")),
        );
    }
    let refuse = |status, key: &str, username: String, wait: Option<std::time::Duration>| {
        let text = match wait {
            Some(w) => ctx.t.msg_n(key, w.as_secs().div_ceil(60).max(1)),
            None => ctx.t.msg(key),
        };
        render(&ctx, &req, status, next.clone(), username, Some(text))
    };
    if let Err(e) = allowance(&req) {
        let wait = match e {
            crate::error::ApiError::TooManyRequests { retry_after, .. } => {
                Some(std::time::Duration::from_secs(retry_after))
            }
            _ => None,
        };
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "login-too-many",
            username,
            wait,
        );
    }
    let staff = match check_password(&ctx.state, &username, password).await {
        Ok(Ok(staff)) => staff,
        Ok(Err(Refused::Locked(wait))) => {
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "login-locked",
                username,
                Some(wait),
            );
        }
        Ok(Err(Refused::Wrong)) => {
            return refuse(StatusCode::UNAUTHORIZED, "login-wrong", username, None);
        }
        Err(e) => return errors::from_api(&ctx, e),
    };
    match session::start(&ctx.state, &staff, Via::Password).await {
        Ok(cookie) => logged_in(&ctx.state, cookie, &next),
        Err(e) => errors::from_api(&ctx, e),
    }
}

/// The answer to a successful login: the session cookie set, the login
/// form's cookie gone, on to `next`.
pub fn logged_in(state: &AppState, cookie: Cookie<'static>, next: &str) -> HttpResponse {
    let mut res = see_other(next);
    // Removed with the attributes it was set with: a browser ignores a
    // `__Host-` cookie's removal that lacks Secure.
    let gone = login_csrf_ended(state);
    for c in [cookie, gone] {
        if let Err(e) = res.add_cookie(&c) {
            tracing::error!(error = %e, "cannot set a login cookie");
        }
    }
    res
}

/// `POST /logout`: ends the session here and in the database, so the
/// cookie is worthless even if it was copied.
pub async fn logout(ctx: Ctx, form: StaffForm) -> HttpResponse {
    if let Err(e) = form.session.end(&ctx.state).await {
        return errors::from_api(&ctx, e);
    }
    let mut res = see_other("/");
    if let Err(e) = res.add_cookie(&ended_cookie(&ctx.state)) {
        tracing::error!(error = %e, "cannot clear the session cookie");
    }
    res
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/staff/items/3/edit?x=1")),
            "/staff/items/3/edit?x=1"
        );
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "",
            "staff",
        ] {
            assert_eq!(safe_next(Some(bad)), "/staff", "{bad}");
        }
        assert_eq!(safe_next(None), "/staff");
    }
}
