//! Absolute http(s) URLs.

use crate::Invalid;
use std::fmt;
use url::Url;

/// An absolute `http` or `https` URL with a host, at most 2,000 characters.
/// Anything else (`javascript:`, `file:`, relative paths) cannot be a link
/// that a reader can follow safely.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebUrl(Url);

impl WebUrl {
    /// Longest URL accepted.
    pub const MAX_LEN: usize = 2000;

    /// Parses and checks scheme, host and length.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        // Checked before parsing too, so a huge string is not parsed.
        check_len(s)?;
        let url = Url::parse(s).map_err(|e| Invalid::new(format!("{s:?} is not a URL: {e}")))?;
        Self::try_from(url)
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL.
    pub fn as_url(&self) -> &Url {
        &self.0
    }
}

/// A URL's text is at most [`WebUrl::MAX_LEN`] long.
fn check_len(s: &str) -> Result<(), Invalid> {
    if s.len() > WebUrl::MAX_LEN {
        return Err(Invalid::new(format!(
            "URL must be at most {} characters",
            WebUrl::MAX_LEN
        )));
    }
    Ok(())
}

/// Checks scheme, host and length, as [`WebUrl::parse`] does: a URL parsed
/// elsewhere (a peer's JSON) is held to the same length, since it ends up
/// in every page and feed that links to it.
impl TryFrom<Url> for WebUrl {
    type Error = Invalid;
    fn try_from(url: Url) -> Result<Self, Invalid> {
        // Parsing escapes what it must, so the length is checked after.
        check_len(url.as_str())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Invalid::new(format!(
                "URL must use http or https, not {:?}",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Invalid::new("URL must have a host"));
        }
        Ok(Self(url))
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls() {
        assert!(WebUrl::parse("https://www.oslo.kommune.no/byggesak").is_ok());
        assert!(WebUrl::parse("http://127.0.0.1:8080/x").is_ok());
        for s in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "/relative",
            "",
            "https://",
            "mailto:a@b.no",
        ] {
            assert!(WebUrl::parse(s).is_err(), "{s:?} should be refused");
        }
    }

    #[test]
    fn a_parsed_url_is_held_to_the_same_length() {
        let long = format!("https://peer.example/{}", "a".repeat(WebUrl::MAX_LEN));
        assert!(WebUrl::parse(&long).is_err());
        let url = Url::parse(&long).expect("url");
        assert!(WebUrl::try_from(url).is_err());
        let short = Url::parse("https://peer.example/page").expect("url");
        assert!(WebUrl::try_from(short).is_ok());
    }
}
