//! Error pages for people: 404 for what never was, 410 for what was
//! withdrawn, 400 for a bad address, 500 for our own failures; each in the
//! visitor's language, with a way back to the front page.

use super::ctx::{Chrome, Ctx};
use crate::error::ApiError;
use actix_web::{HttpResponse, http::StatusCode};
use askama::Template;

/// What went wrong, as the page tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// 400.
    BadRequest,
    /// 403: a staff page the account has no right to.
    Forbidden,
    /// 403: a form without the right CSRF token, or sent from another
    /// site (usually a page left open past its session).
    FormExpired,
    /// 404.
    NotFound,
    /// 409: the change clashes with what is stored (a limit reached,
    /// someone else's change saved first).
    Conflict,
    /// 410.
    Gone,
    /// 429.
    TooMany,
    /// 500 and 502.
    Internal,
}

impl Problem {
    fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Forbidden | Self::FormExpired => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Gone => StatusCode::GONE,
            Self::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::Forbidden => "forbidden",
            Self::FormExpired => "form-expired",
            Self::NotFound => "not-found",
            Self::Conflict => "conflict",
            Self::Gone => "gone",
            Self::TooMany => "too-many",
            Self::Internal => "internal",
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    heading: String,
    text: String,
}

fn error_page(ctx: &Ctx, problem: Problem) -> ErrorPage {
    let heading = ctx.t.msg(&format!("error-{}-title", problem.key()));
    let text = ctx.t.msg(&format!("error-{}-text", problem.key()));
    ErrorPage {
        c: ctx.chrome(heading.clone()),
        status: problem.status().as_u16(),
        heading,
        text,
    }
}

/// The page for `problem`.
pub fn page(ctx: &Ctx, problem: Problem) -> HttpResponse {
    ctx.render(problem.status(), &error_page(ctx, problem))
}

/// The page for `problem` as its status and HTML, for an answer built
/// outside a handler (an extractor's refusal).
pub fn render(ctx: &Ctx, problem: Problem) -> (StatusCode, String) {
    let html = askama::Template::render(&error_page(ctx, problem)).unwrap_or_else(|e| {
        tracing::error!(error = %e, "an error page failed to render");
        ctx.t.msg("error-internal-title")
    });
    (problem.status(), html)
}

/// The page for an error a lookup or the store returned.
pub fn from_api(ctx: &Ctx, e: ApiError) -> HttpResponse {
    // A page says when to try again too, as the API does.
    let retry_after = match &e {
        ApiError::TooManyRequests { retry_after, .. } => Some(*retry_after),
        _ => None,
    };
    let problem = match e {
        ApiError::NotFound(_) => Problem::NotFound,
        ApiError::Gone(_) => Problem::Gone,
        ApiError::BadRequest(_) | ApiError::BadParameters(_) | ApiError::Invalid(_) => {
            Problem::BadRequest
        }
        ApiError::TooManyRequests { .. } => Problem::TooMany,
        ApiError::Forbidden(_) | ApiError::Unauthorized(_) => Problem::Forbidden,
        ApiError::Conflict(_) => Problem::Conflict,
        other => {
            tracing::error!(error = %other, "a page failed");
            Problem::Internal
        }
    };
    let mut res = page(ctx, problem);
    if let Some(seconds) = retry_after
        && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&seconds.to_string())
    {
        res.headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::{Lang, Tr};

    /// Every problem has its title and text in both languages.
    #[test]
    fn every_problem_is_worded() {
        for lang in Lang::ALL {
            for p in [
                Problem::BadRequest,
                Problem::Forbidden,
                Problem::FormExpired,
                Problem::NotFound,
                Problem::Conflict,
                Problem::Gone,
                Problem::TooMany,
                Problem::Internal,
            ] {
                for part in ["title", "text"] {
                    let key = format!("error-{}-{part}", p.key());
                    assert!(Tr(lang).has(&key), "{key} in {lang:?}");
                }
            }
        }
    }
}
