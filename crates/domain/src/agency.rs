//! Agencies: the public bodies that speak on an instance.

use crate::{
    Invalid,
    error::{Errors, FieldError},
    text::{AgencySummary, DisplayName},
    web_url::WebUrl,
};
use std::fmt;

/// A Norwegian organisation number: nine digits whose last is a modulus-11
/// check digit, as the Brønnøysund Register Centre assigns them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgNumber(String);

impl OrgNumber {
    /// Parses nine digits (spaces allowed, as in "974 760 673") and checks the
    /// check digit, which catches most typing errors.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid::new(format!(
                "{s:?} is not an organisation number (nine digits)"
            )));
        }
        const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
        let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = WEIGHTS.iter().zip(&d).map(|(w, x)| w * x).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => {
                return Err(Invalid::new(format!(
                    "{s:?} is not a valid organisation number"
                )));
            }
            c => c,
        };
        if d[8] != check {
            return Err(Invalid::new(format!(
                "{s:?} is not a valid organisation number (check digit mismatch)"
            )));
        }
        Ok(Self(digits))
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An agency's public profile as staff edit it: what its actor document
/// shows to followers (name, bio, web site, logo, organisation number).
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyProfile {
    /// Display name.
    pub name: DisplayName,
    /// Description, Markdown source.
    pub summary: AgencySummary,
    /// The description rendered and sanitised.
    pub summary_html: String,
    /// The agency's own web site.
    pub website: Option<WebUrl>,
    /// Logo or avatar (an image URL).
    pub icon_url: Option<WebUrl>,
    /// Organisation number.
    pub org_number: Option<OrgNumber>,
    /// Whether other servers may find its posts by full-text search.
    pub indexable: bool,
}

/// A profile as it arrives, before parsing. `None` means "not given" (keep
/// the stored value); `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawAgencyProfile {
    /// Display name.
    pub name: Option<String>,
    /// Markdown description.
    pub summary: Option<String>,
    /// Web site.
    pub website: Option<Option<String>>,
    /// Logo URL.
    pub icon_url: Option<Option<String>>,
    /// Organisation number.
    pub org_number: Option<Option<String>>,
    /// Searchable on other servers (true when never given).
    pub indexable: Option<bool>,
}

impl RawAgencyProfile {
    /// Lays this partial input over `cur`: fields given here win.
    pub fn over(self, cur: RawAgencyProfile) -> RawAgencyProfile {
        RawAgencyProfile {
            name: self.name.or(cur.name),
            summary: self.summary.or(cur.summary),
            website: self.website.or(cur.website),
            icon_url: self.icon_url.or(cur.icon_url),
            org_number: self.org_number.or(cur.org_number),
            indexable: self.indexable.or(cur.indexable),
        }
    }

    /// Whether nothing is given.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl AgencyProfile {
    /// Parses a whole profile (`name` required), reporting every bad field
    /// at once.
    pub fn parse(raw: RawAgencyProfile) -> Result<Self, Vec<FieldError>> {
        let mut e = Errors::default();
        let name = match raw.name {
            Some(n) => e.check("name", DisplayName::parse(&n)),
            None => {
                e.push("name", "is required");
                None
            }
        };
        let summary = e.check(
            "summary",
            AgencySummary::parse(raw.summary.as_deref().unwrap_or("")),
        );
        let mut optional = |field: &str, v: Option<Option<String>>| {
            v.flatten()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .and_then(|s| e.check(field, WebUrl::parse(&s)))
        };
        let website = optional("website", raw.website);
        let icon_url = optional("icon_url", raw.icon_url);
        let org_number = raw
            .org_number
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| e.check("org_number", OrgNumber::parse(&s)));
        let (Some(name), Some(summary)) = (name, summary) else {
            return Err(e.into_errors());
        };
        e.finish(|| Self {
            summary_html: crate::markdown::render(summary.as_str()),
            name,
            summary,
            website,
            icon_url,
            org_number,
            indexable: raw.indexable.unwrap_or(true),
        })
    }

    /// The profile as raw input, for applying a partial update.
    pub fn to_raw(&self) -> RawAgencyProfile {
        RawAgencyProfile {
            name: Some(self.name.as_str().to_owned()),
            summary: Some(self.summary.as_str().to_owned()),
            website: Some(self.website.as_ref().map(|u| u.as_str().to_owned())),
            icon_url: Some(self.icon_url.as_ref().map(|u| u.as_str().to_owned())),
            org_number: Some(self.org_number.as_ref().map(|o| o.as_str().to_owned())),
            indexable: Some(self.indexable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawAgencyProfile {
        RawAgencyProfile {
            name: Some("Oslo kommune".into()),
            summary: Some("Vi deler **veiledere**.".into()),
            website: Some(Some("https://www.oslo.kommune.no/".into())),
            icon_url: None,
            org_number: Some(Some("958 935 420".into())),
            indexable: None,
        }
    }

    #[test]
    fn profile_parses_and_renders_the_summary() {
        let p = AgencyProfile::parse(raw()).unwrap();
        assert_eq!(p.name.as_str(), "Oslo kommune");
        assert_eq!(
            p.summary_html,
            "<p>Vi deler <strong>veiledere</strong>.</p>\n"
        );
        assert_eq!(p.org_number.unwrap().as_str(), "958935420");
        assert!(p.icon_url.is_none());
    }

    #[test]
    fn profile_reports_every_bad_field() {
        let errs = AgencyProfile::parse(RawAgencyProfile {
            name: Some(" ".into()),
            summary: Some("x".repeat(2001)),
            website: Some(Some("javascript:alert(1)".into())),
            icon_url: Some(Some("not a url".into())),
            org_number: Some(Some("123".into())),
            indexable: None,
        })
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "summary", "website", "icon_url", "org_number"]
        );
    }

    #[test]
    fn partial_update_keeps_unnamed_fields_and_null_clears() {
        let cur = AgencyProfile::parse(raw()).unwrap();
        let next = AgencyProfile::parse(
            RawAgencyProfile {
                website: Some(None),
                icon_url: Some(Some("https://cdn.oslo.no/logo.png".into())),
                ..Default::default()
            }
            .over(cur.to_raw()),
        )
        .unwrap();
        assert_eq!(next.name, cur.name);
        assert_eq!(next.summary, cur.summary);
        assert!(next.website.is_none());
        assert_eq!(
            next.icon_url.unwrap().as_str(),
            "https://cdn.oslo.no/logo.png"
        );
        assert_eq!(next.org_number, cur.org_number);
        assert!(RawAgencyProfile::default().is_empty());
    }

    #[test]
    fn a_profile_with_scripts_in_the_summary_is_rendered_safe() {
        let p = AgencyProfile::parse(RawAgencyProfile {
            summary: Some(
                "<script>alert(1)</script>\n\n[x](javascript:alert(2)) <b onclick=\"x()\">b</b>"
                    .into(),
            ),
            ..raw()
        })
        .unwrap();
        let html = &p.summary_html;
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(html.contains("<b>b</b>"), "{html}");
    }

    #[test]
    fn real_org_numbers_pass() {
        // Brønnøysundregistrene, Oslo kommune, Digdir
        for n in ["974760673", "958 935 420", "991825827"] {
            assert!(OrgNumber::parse(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn typos_fail() {
        for n in ["974760674", "97476067", "9747606731", "abcdefghi", ""] {
            assert!(OrgNumber::parse(n).is_err(), "{n}");
        }
    }
}
