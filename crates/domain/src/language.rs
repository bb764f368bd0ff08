//! Content languages as BCP 47 tags.

use crate::Invalid;
use language_tags::LanguageTag;
use std::fmt;

/// A well-formed BCP 47 language tag whose subtags are in the IANA registry
/// (`nb`, `nn`, `se`, `sma`, `smj`, `en`, `en-GB`, ...), kept in canonical
/// form so that `NB` and `nb` are one language.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language(String);

impl Language {
    /// Parses, validates against the registry and canonicalises a tag.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let bad = || {
            Invalid::new(format!(
                "{s:?} is not a valid BCP 47 language tag (e.g. nb, nn, se, en)"
            ))
        };
        let tag = LanguageTag::parse(s.trim()).map_err(|_| bad())?;
        tag.validate().map_err(|_| bad())?;
        let tag = tag.canonicalize().map_err(|_| bad())?;
        // The registry's canonical case: lower-case language, Title-case
        // script, upper-case region. language-tags keeps the input's case.
        let mut out = Vec::new();
        for (i, part) in tag.as_str().split('-').enumerate() {
            let p = if i == 0 {
                part.to_ascii_lowercase()
            } else if part.len() == 2 && part.chars().all(|c| c.is_ascii_alphabetic()) {
                part.to_ascii_uppercase()
            } else if part.len() == 4 && part.chars().all(|c| c.is_ascii_alphabetic()) {
                let lower = part.to_ascii_lowercase();
                let mut c = lower.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            } else {
                part.to_ascii_lowercase()
            };
            out.push(p);
        }
        Ok(Self(out.join("-")))
    }

    /// The canonical tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_norwegian_and_sami_languages() {
        for (input, canonical) in [
            ("nb", "nb"),
            ("nn", "nn"),
            ("se", "se"),
            ("sma", "sma"),
            ("smj", "smj"),
            ("en", "en"),
            ("NB", "nb"),
            ("en-gb", "en-GB"),
            ("no-NO", "no-NO"),
        ] {
            assert_eq!(
                Language::parse(input).map(|l| l.to_string()),
                Ok(canonical.to_string())
            );
        }
    }

    #[test]
    fn refuses_garbage() {
        for s in ["", "norsk", "n b", "xx-yy-zz-!!", "qqq-1", "en--gb", "zz"] {
            assert!(Language::parse(s).is_err(), "{s:?} should be refused");
        }
    }
}
