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
    /// 404.
    NotFound,
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
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Gone => StatusCode::GONE,
            Self::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::NotFound => "not-found",
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

/// The page for `problem`.
pub fn page(ctx: &Ctx, problem: Problem) -> HttpResponse {
    let heading = ctx.t.msg(&format!("error-{}-title", problem.key()));
    let text = ctx.t.msg(&format!("error-{}-text", problem.key()));
    let page = ErrorPage {
        c: ctx.chrome(heading.clone()),
        status: problem.status().as_u16(),
        heading,
        text,
    };
    ctx.render(problem.status(), &page)
}

/// The page for an error a lookup or the store returned.
pub fn from_api(ctx: &Ctx, e: ApiError) -> HttpResponse {
    let problem = match e {
        ApiError::NotFound(_) => Problem::NotFound,
        ApiError::Gone(_) => Problem::Gone,
        ApiError::BadRequest(_) | ApiError::BadParameters(_) | ApiError::Invalid(_) => {
            Problem::BadRequest
        }
        ApiError::TooManyRequests { .. } => Problem::TooMany,
        other => {
            tracing::error!(error = %other, "a page failed");
            Problem::Internal
        }
    };
    page(ctx, problem)
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
                Problem::NotFound,
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
