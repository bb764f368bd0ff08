//! Bounded plain-text fields: titles, summaries, display names, Markdown sources.

use crate::Invalid;

/// Counts characters (not bytes) and refuses control characters other than
/// line breaks and tabs, which have no place in a title and break feeds.
fn bounded(s: &str, min: usize, max: usize, multiline: bool) -> Result<String, Invalid> {
    let trimmed = s.trim();
    let n = trimmed.chars().count();
    if n < min {
        return Err(if min == 1 {
            Invalid::new("must not be empty")
        } else {
            Invalid::new(format!("must be at least {min} characters"))
        });
    }
    if n > max {
        return Err(Invalid::new(format!(
            "must be at most {max} characters (got {n})"
        )));
    }
    if let Some(c) = trimmed
        .chars()
        .find(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(Invalid::new(format!(
            "must not contain the control character U+{:04X}",
            c as u32
        )));
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr, $multiline:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Fewest characters accepted.
            pub const MIN_CHARS: usize = $min;
            /// Most characters accepted.
            pub const MAX_CHARS: usize = $max;

            /// Trims surrounding white space and checks the bounds.
            pub fn parse(s: &str) -> Result<Self, Invalid> {
                bounded(s, $min, $max, $multiline).map(Self)
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

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// An item's title: 1 to 200 characters on one line.
    Title, 1, 200, false
);
text_type!(
    /// An item's summary: plain text up to 500 characters. Mastodon shows
    /// this (not the body) for a `Page`, so it must stand on its own.
    Summary, 0, 500, true
);
text_type!(
    /// A display name of an agency: 1 to 100 characters on one line.
    DisplayName, 1, 100, false
);
text_type!(
    /// An agency's description in Markdown: up to 2,000 characters, shown
    /// as the bio on its profile (Mastodon cuts longer ones).
    AgencySummary, 0, 2_000, true
);
text_type!(
    /// A Markdown source text (item body, agency description, comment), up
    /// to 100,000 characters.
    MarkdownSource, 0, 100_000, true
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_bounds_count_characters() {
        assert!(Title::parse("").is_err());
        assert!(Title::parse("   ").is_err());
        assert!(Title::parse(&"ø".repeat(200)).is_ok());
        assert!(Title::parse(&"ø".repeat(201)).is_err());
        assert_eq!(
            Title::parse("  Byggesak  ").map(|t| t.into_inner()),
            Ok("Byggesak".into())
        );
        assert!(Title::parse("a\nb").is_err());
    }

    #[test]
    fn summary_allows_empty_and_line_breaks() {
        assert!(Summary::parse("").is_ok());
        assert!(Summary::parse("line one\nline two").is_ok());
        assert!(Summary::parse(&"x".repeat(501)).is_err());
        assert!(Summary::parse("bell\u{7}").is_err());
    }
}
