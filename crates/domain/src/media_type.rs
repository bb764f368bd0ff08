//! Media types (`application/pdf`, `text/csv; charset=utf-8`).

use crate::Invalid;
use std::fmt;

/// A media type as RFC 6838 names them: `type/subtype`, each a restricted
/// name, optionally followed by `; name=value` parameters. Lower-cased,
/// since type and subtype are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaType(String);

/// RFC 6838 `restricted-name`: a letter or digit, then up to 126 of
/// letters, digits and ``!#$&-^_.+``.
fn restricted_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.len() <= 127
        && chars.all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
}

/// RFC 9110 `token` characters.
fn token(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

impl MediaType {
    /// Longest media type accepted, parameters included.
    pub const MAX_LEN: usize = 200;

    /// Parses `type/subtype` with optional token parameters.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        let bad = || {
            Invalid::new(format!(
                "{s:?} is not a media type such as application/pdf or text/csv"
            ))
        };
        if s.len() > Self::MAX_LEN {
            return Err(Invalid::new(format!(
                "a media type must be at most {} characters",
                Self::MAX_LEN
            )));
        }
        let mut parts = s.split(';');
        let essence = parts.next().unwrap_or_default().trim();
        let (ty, sub) = essence.split_once('/').ok_or_else(bad)?;
        if !restricted_name(ty) || !restricted_name(sub) {
            return Err(bad());
        }
        for param in parts {
            let (name, value) = param.trim().split_once('=').ok_or_else(bad)?;
            let quoted = value.len() >= 2
                && value.starts_with('"')
                && value.ends_with('"')
                && value[1..value.len() - 1]
                    .chars()
                    .all(|c| c == ' ' || c.is_ascii_graphic() && c != '"' && c != '\\');
            if !token(name) || !(token(value) || quoted) {
                return Err(bad());
            }
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    /// The media type as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        for ok in [
            "application/pdf",
            "text/csv; charset=utf-8",
            "application/vnd.oasis.opendocument.text",
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
            "IMAGE/PNG",
        ] {
            assert!(MediaType::parse(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "",
            "pdf",
            "application/",
            "/pdf",
            "text/html<script>",
            "a/b; c",
            "a/b\u{0}",
            "javascript:alert(1)",
            "text/ csv",
        ] {
            assert!(MediaType::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            MediaType::parse("Text/CSV").map(|m| m.to_string()),
            Ok("text/csv".into())
        );
    }
}
