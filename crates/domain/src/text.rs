//! Bounded plain-text fields: titles, summaries, display names, Markdown
//! sources; and the character rules every text input obeys.

use crate::Invalid;

/// The first control character in `s` that input may not carry: every C0
/// and C1 control and DEL, except that multi-line text may hold line
/// breaks and tabs. A NUL in particular is refused: PostgreSQL cannot store
/// it in a text column, and SQLite would store it silently.
pub fn find_control(s: &str, multiline: bool) -> Option<char> {
    s.chars()
        .find(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// Explicit direction controls (embeddings, overrides and isolates) and the
/// Unicode line and paragraph separators. In a one-line field they only
/// serve to spoof (`abc\u{202E}txt.exe` shows as `abcexe.txt`) or to break
/// a line where none may be.
fn is_single_line_forbidden(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Characters that occupy no visible space: zero-width spaces and joiners,
/// direction marks, invisible operators, the byte order mark, variation
/// selectors, soft hyphens and fillers. Text made only of these (and white
/// space) looks empty to a reader but not to a length check.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// Checks the character rules of a text field: no control characters (line
/// breaks and tabs only where `multiline`), no direction overrides or
/// line separators in one-line text, and, unless empty, at least one
/// visible character.
pub fn check_chars(s: &str, multiline: bool) -> Result<(), Invalid> {
    if let Some(c) = find_control(s, multiline) {
        return Err(Invalid::new(format!(
            "must not contain the control character U+{:04X}",
            c as u32
        )));
    }
    if !multiline && let Some(c) = s.chars().find(|c| is_single_line_forbidden(*c)) {
        return Err(Invalid::new(format!(
            "must not contain U+{:04X} (a direction override or line separator) on one line",
            c as u32
        )));
    }
    if !s.is_empty() && s.chars().all(is_invisible) {
        return Err(Invalid::new(
            "must contain visible characters, not only invisible ones",
        ));
    }
    Ok(())
}

/// Counts characters (not bytes) and applies [`check_chars`].
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
    check_chars(trimmed, multiline)?;
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
impl Summary {
    /// No summary.
    pub fn empty() -> Self {
        Self(String::new())
    }
}

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
    /// The title of a link or attachment: 1 to 200 characters on one line.
    LinkTitle, 1, 200, false
);
text_type!(
    /// A short free-text value of item metadata (an audience, a location, a
    /// format, a version): up to 500 characters on one line.
    ShortText, 1, 500, false
);
text_type!(
    /// A Markdown source text (item body, agency description, comment), up
    /// to 100,000 characters.
    MarkdownSource, 0, 100_000, true
);

impl MarkdownSource {
    /// No text.
    pub fn empty() -> Self {
        Self(String::new())
    }
}

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
        assert!(Summary::parse("nul\u{0}").is_err());
        assert!(Summary::parse("c1\u{85}end").is_err());
    }

    #[test]
    fn invisible_only_text_is_refused() {
        for s in [
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}",
            "\u{FEFF}\u{2060}",
            "\u{3164}",
        ] {
            assert!(Title::parse(s).is_err(), "{s:?}");
            assert!(DisplayName::parse(s).is_err(), "{s:?}");
            assert!(Summary::parse(s).is_err(), "{s:?}");
        }
        // Joiners inside real text are part of it (emoji sequences, Indic scripts).
        assert!(Title::parse("Familie \u{1F468}\u{200D}\u{1F469}").is_ok());
    }

    #[test]
    fn direction_overrides_stay_off_single_lines() {
        for c in [
            '\u{202E}', '\u{202A}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{2028}',
            '\u{2029}',
        ] {
            let s = format!("abc{c}txt.exe");
            assert!(Title::parse(&s).is_err(), "{s:?}");
            assert!(DisplayName::parse(&s).is_err(), "{s:?}");
            assert!(LinkTitle::parse(&s).is_err(), "{s:?}");
        }
        // Right-to-left text itself is welcome.
        assert!(Title::parse("\u{627}\u{644}\u{639}\u{631}\u{628}\u{64A}\u{629}").is_ok());
    }

    #[test]
    fn find_control_allows_line_breaks_only_when_multiline() {
        assert_eq!(find_control("a\nb", true), None);
        assert_eq!(find_control("a\nb", false), Some('\n'));
        assert_eq!(find_control("a\u{0}b", true), Some('\u{0}'));
        assert_eq!(find_control("a\u{7F}", true), Some('\u{7F}'));
    }
}
