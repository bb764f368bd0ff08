//! Licenses of shared items: SPDX expressions or a license URI.

use crate::{Invalid, web_url::WebUrl};
use std::fmt;

/// The license an item is shared under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum License {
    /// An SPDX license expression (`CC-BY-4.0`, `NLOD-2.0`, `MIT OR Apache-2.0`).
    Spdx(String),
    /// A license named by its http(s) URI, for licenses SPDX does not list.
    Uri(WebUrl),
}

impl License {
    /// Longest license accepted, in characters. Real SPDX expressions are a
    /// few dozen characters; a long one only costs every peer that stores it.
    pub const MAX_CHARS: usize = 300;

    /// Parses an SPDX expression (strict: ids are case-sensitive, as SPDX
    /// says), or failing that an http(s) URI.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        // Counted before parsing: the SPDX parser's work grows with the input.
        let n = s.chars().count();
        if n > Self::MAX_CHARS {
            return Err(Invalid::new(format!(
                "a license must be at most {} characters (got {n})",
                Self::MAX_CHARS
            )));
        }
        if s.starts_with("http://") || s.starts_with("https://") {
            return WebUrl::parse(s).map(Self::Uri);
        }
        match spdx::Expression::parse(s) {
            Ok(_) => Ok(Self::Spdx(s.to_owned())),
            Err(_) => Err(Invalid::new(format!(
                "{s:?} is neither an SPDX license identifier (e.g. CC-BY-4.0, NLOD-2.0, MIT) nor an http(s) URI"
            ))),
        }
    }

    /// The license as stored and shown.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Spdx(s) => s,
            Self::Uri(u) => u.as_str(),
        }
    }
}

impl fmt::Display for License {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_and_uris() {
        for s in [
            "CC-BY-4.0",
            "NLOD-2.0",
            "MIT",
            "MIT OR Apache-2.0",
            "CC0-1.0",
        ] {
            assert_eq!(License::parse(s), Ok(License::Spdx(s.into())));
        }
        assert!(matches!(
            License::parse("https://data.norge.no/nlod/no/2.0"),
            Ok(License::Uri(_))
        ));
    }

    #[test]
    fn refuses_unknown() {
        for s in ["", "cc by", "Free for all", "ftp://x.example/l", "MIT OR"] {
            assert!(License::parse(s).is_err(), "{s:?} should be refused");
        }
        let long = vec!["MIT"; 200_000].join(" OR ");
        assert!(License::parse(&long).is_err());
        assert!(License::parse("javascript:alert(1)").is_err());
    }
}
