//! Agency slugs: the user part of `acct:slug@domain`.

use crate::Invalid;
use std::{fmt, str::FromStr};

/// An agency's slug, `[a-z0-9_]{1,30}`; it names the actor and never changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    /// Longest slug accepted.
    pub const MAX_LEN: usize = 30;

    /// Parses a slug; upper case is refused rather than folded so that one
    /// agency has exactly one spelling.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        if s.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(Invalid::new(format!(
                "must be at most {} characters",
                Self::MAX_LEN
            )));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
        {
            return Err(Invalid::new(format!(
                "may contain only a-z, 0-9 and _ (found {c:?})"
            )));
        }
        Ok(Self(s.to_owned()))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Slug {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_slugs() {
        for s in [
            "oslo",
            "nav",
            "bergen_kommune",
            "a",
            "k0301",
            &"x".repeat(30),
        ] {
            assert_eq!(Slug::parse(s).map(|s| s.to_string()), Ok(s.to_string()));
        }
    }

    #[test]
    fn refuses_invalid_slugs() {
        for s in [
            "",
            "Oslo",
            "oslo-kommune",
            "tromsø",
            "a b",
            &"x".repeat(31),
            "@oslo",
        ] {
            assert!(Slug::parse(s).is_err(), "{s:?} should be refused");
        }
    }
}
