//! Whom to follow: a fediverse handle or an actor URL.

use crate::{Invalid, web_url::WebUrl};
use std::fmt;

/// A follow target as a person types it: `@user@host`, `user@host` (the
/// host may carry a port) or the actor's http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowTarget {
    /// `user@host`, without the leading `@`.
    Handle {
        /// The user part.
        user: String,
        /// Host, with `:port` when given.
        host: String,
    },
    /// An actor URL.
    Url(WebUrl),
}

impl FollowTarget {
    /// Parses a handle or URL.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if s.starts_with("http://") || s.starts_with("https://") {
            return WebUrl::parse(s).map(Self::Url);
        }
        let bad = || Invalid::new(format!("{s:?} is neither @user@host nor an actor URL"));
        let handle = s.strip_prefix('@').unwrap_or(s);
        let (user, host) = handle.split_once('@').ok_or_else(bad)?;
        let user_ok = !user.is_empty()
            && user.len() <= 100
            && user
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !user_ok || !crate::host::authority_ok(host) {
            return Err(bad());
        }
        Ok(Self::Handle {
            user: user.to_owned(),
            host: host.to_ascii_lowercase(),
        })
    }
}

impl fmt::Display for FollowTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Handle { user, host } => write!(f, "{user}@{host}"),
            Self::Url(u) => f.write_str(u.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_and_urls() {
        assert_eq!(
            FollowTarget::parse("@oslo@deling.oslo.kommune.no").map(|t| t.to_string()),
            Ok("oslo@deling.oslo.kommune.no".into())
        );
        assert!(FollowTarget::parse("kari@localhost:8080").is_ok());
        assert!(matches!(
            FollowTarget::parse("https://mastodon.social/users/kari"),
            Ok(FollowTarget::Url(_))
        ));
        for bad in [
            "",
            "nohandle",
            "@@host",
            "@u@",
            "@u@host:bad",
            "@u@ho st",
            "ftp://x/y",
            "@u@-x.no",
        ] {
            assert!(FollowTarget::parse(bad).is_err(), "{bad:?}");
        }
    }
}
