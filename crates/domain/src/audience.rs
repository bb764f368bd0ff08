//! Who a post was addressed to, in the four degrees fediverse software
//! uses, and the content warning that may come with it.

use crate::Invalid;

/// How widely a post was addressed. Only [`Visibility::Public`] and
/// [`Visibility::Unlisted`] posts may ever be shown to anyone but the
/// agency's own staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Addressed to the public (shown in public timelines).
    Public,
    /// The public only in copy (not in public timelines, but not secret).
    Unlisted,
    /// The author's followers (and whoever is mentioned).
    Followers,
    /// Only the actors named.
    Direct,
}

impl Visibility {
    /// The stored and API form: `public`, `unlisted`, `followers`, `direct`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Unlisted => "unlisted",
            Self::Followers => "followers",
            Self::Direct => "direct",
        }
    }

    /// Whether a post so addressed may be shown to the public and to peers.
    pub fn is_public(self) -> bool {
        matches!(self, Self::Public | Self::Unlisted)
    }

    /// The more private of two: what an edit may narrow a post to, never
    /// widen.
    pub fn narrower(self, other: Self) -> Self {
        let rank = |v: Self| match v {
            Self::Public => 0,
            Self::Unlisted => 1,
            Self::Followers => 2,
            Self::Direct => 3,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

impl std::str::FromStr for Visibility {
    type Err = Invalid;

    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s {
            "public" => Ok(Self::Public),
            "unlisted" => Ok(Self::Unlisted),
            "followers" => Ok(Self::Followers),
            "direct" => Ok(Self::Direct),
            other => Err(Invalid::new(format!(
                "unknown visibility {other:?} (public, unlisted, followers or direct)"
            ))),
        }
    }
}

impl std::fmt::Display for Visibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A content warning: the text a reader sees before choosing to read on
/// (Mastodon's "spoiler text", the `summary` of a `Note`). Plain text on
/// one line of at most [`ContentWarning::MAX_CHARS`] characters; longer
/// ones are cut rather than dropped, since dropping it would show the
/// text the author meant to hide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentWarning(String);

impl ContentWarning {
    /// Longest warning kept.
    pub const MAX_CHARS: usize = 500;

    /// A warning from plain text: control characters become spaces,
    /// white space is collapsed, the length capped. `None` if nothing
    /// visible is left.
    pub fn from_plain(text: &str) -> Option<Self> {
        let cleaned: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let capped: String = cleaned.chars().take(Self::MAX_CHARS).collect();
        (!capped.is_empty()).then_some(Self(capped))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned text.
    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_and_unlisted_are_public() {
        assert!(Visibility::Public.is_public());
        assert!(Visibility::Unlisted.is_public());
        assert!(!Visibility::Followers.is_public());
        assert!(!Visibility::Direct.is_public());
    }

    #[test]
    fn an_edit_narrows_never_widens() {
        use Visibility::*;
        assert_eq!(Public.narrower(Direct), Direct);
        assert_eq!(Direct.narrower(Public), Direct);
        assert_eq!(Unlisted.narrower(Followers), Followers);
        assert_eq!(Followers.narrower(Unlisted), Followers);
        assert_eq!(Public.narrower(Unlisted), Unlisted);
        assert_eq!(Followers.narrower(Followers), Followers);
    }

    #[test]
    fn visibility_round_trips_and_refuses_others() {
        for v in [
            Visibility::Public,
            Visibility::Unlisted,
            Visibility::Followers,
            Visibility::Direct,
        ] {
            assert_eq!(v.as_str().parse::<Visibility>(), Ok(v));
        }
        assert!("private".parse::<Visibility>().is_err());
    }

    #[test]
    fn content_warning_is_one_line_capped_and_never_empty() {
        assert_eq!(ContentWarning::from_plain("  \n\t "), None);
        assert_eq!(
            ContentWarning::from_plain("Personal\ninformation\u{0}inside")
                .map(ContentWarning::into_inner),
            Some("Personal information inside".into())
        );
        let long = ContentWarning::from_plain(&"æ".repeat(900)).unwrap();
        assert_eq!(long.as_str().chars().count(), ContentWarning::MAX_CHARS);
    }
}
