//! Federation policy: which peers may federate, and how far.

use crate::Invalid;
use std::{fmt, str::FromStr};

/// A peer's host name (with `:port` when not the default), lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Domain(String);

impl Domain {
    /// Parses a host name as operators write it (a leading `*.` or a
    /// trailing dot is refused rather than guessed at).
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim().to_ascii_lowercase();
        if !crate::host::authority_ok(&s) {
            return Err(Invalid::new(format!(
                "{s:?} is not a host name like social.example.no"
            )));
        }
        Ok(Self(s))
    }

    /// The host.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a domain policy does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Nothing in, nothing out: activities refused, no deliveries, no fetches.
    Suspend,
    /// Federates, but their comments wait hidden for a moderator and their
    /// items are not taken into the catalogue.
    Silence,
    /// Federates, without their images and attachments.
    RejectMedia,
    /// Listed as allowed (what counts in allow-list mode).
    Allow,
}

impl Severity {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Silence => "silence",
            Self::RejectMedia => "reject_media",
            Self::Allow => "allow",
        }
    }
}

impl FromStr for Severity {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s {
            "suspend" => Ok(Self::Suspend),
            "silence" => Ok(Self::Silence),
            "reject_media" => Ok(Self::RejectMedia),
            "allow" => Ok(Self::Allow),
            _ => Err(Invalid::new(format!(
                "{s:?} is not a severity; use suspend, silence, reject_media or allow"
            ))),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether federation is open to all but blocked domains, or closed to all
/// but allowed ones (what many public bodies want).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FederationMode {
    /// Everyone but blocked domains.
    Blocklist,
    /// Only domains with severity `allow`.
    Allowlist,
}

impl FederationMode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Blocklist => "blocklist",
            Self::Allowlist => "allowlist",
        }
    }
}

impl FromStr for FederationMode {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s {
            "blocklist" => Ok(Self::Blocklist),
            "allowlist" => Ok(Self::Allowlist),
            _ => Err(Invalid::new(format!(
                "{s:?} is not a mode; use blocklist or allowlist"
            ))),
        }
    }
}

/// One row of a domain-block list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainBlock {
    /// The domain.
    pub domain: Domain,
    /// What to do.
    pub severity: Severity,
    /// A reason that may be shown publicly.
    pub public_comment: Option<String>,
}

/// Reads Mastodon's domain-block CSV export (`#domain,#severity,
/// #reject_media,#reject_reports,#public_comment,#obfuscate`; the header is
/// optional). Mastodon's `noop` with `reject_media` becomes `reject_media`;
/// a plain `noop` row is skipped. Errors name the line.
pub fn parse_mastodon_csv(text: &str) -> Result<Vec<DomainBlock>, Invalid> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 1;
        let record = record.map_err(|e| Invalid::new(format!("line {line}: {e}")))?;
        // A quoted field may span lines; anything else that is a control
        // character would reach the database (a NUL fails on PostgreSQL).
        if let Some(c) = record
            .iter()
            .find_map(|f| crate::text::find_control(f, true))
        {
            return Err(Invalid::new(format!(
                "line {line}: must not contain the control character U+{:04X}",
                c as u32
            )));
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        if field(0).is_empty() || field(0).starts_with('#') {
            continue;
        }
        let domain =
            Domain::parse(field(0)).map_err(|e| Invalid::new(format!("line {line}: {e}")))?;
        let reject_media = field(2).eq_ignore_ascii_case("true");
        let severity = match field(1) {
            "suspend" | "" => Severity::Suspend,
            "silence" => Severity::Silence,
            "noop" if reject_media => Severity::RejectMedia,
            "noop" => continue,
            other => {
                return Err(Invalid::new(format!(
                    "line {line}: {other:?} is not a severity (suspend, silence or noop)"
                )));
            }
        };
        let comment = field(4);
        out.push(DomainBlock {
            domain,
            severity,
            public_comment: (!comment.is_empty()).then(|| comment.chars().take(1000).collect()),
        });
    }
    Ok(out)
}

/// Writes blocks as Mastodon's domain-block CSV (allow entries are left out:
/// Mastodon's format has no place for them).
pub fn to_mastodon_csv(blocks: &[DomainBlock]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "#domain",
        "#severity",
        "#reject_media",
        "#reject_reports",
        "#public_comment",
        "#obfuscate",
    ]);
    for b in blocks {
        let (severity, reject_media) = match b.severity {
            Severity::Suspend => ("suspend", "true"),
            Severity::Silence => ("silence", "false"),
            Severity::RejectMedia => ("noop", "true"),
            Severity::Allow => continue,
        };
        let _ = w.write_record([
            b.domain.as_str(),
            severity,
            reject_media,
            "false",
            b.public_comment.as_deref().unwrap_or(""),
            "false",
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(
            Domain::parse(" Spam.Example ").map(|d| d.to_string()),
            Ok("spam.example".into())
        );
        assert!(Domain::parse("localhost:8080").is_ok());
        for bad in [
            "",
            "*.spam.example",
            "spam..example",
            "-x.no",
            "x.no:0",
            "a b.no",
            "http://x.no",
        ] {
            assert!(Domain::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn mastodon_csv_round_trip() {
        let csv = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
                   spam.example,suspend,true,true,\"Spam, lots\",false\n\
                   loud.example,silence,false,false,,false\n\
                   pics.example,noop,true,false,,false\n\
                   fine.example,noop,false,false,,false\n";
        let rows = parse_mastodon_csv(csv).expect("parses");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].severity, Severity::Suspend);
        assert_eq!(rows[0].public_comment.as_deref(), Some("Spam, lots"));
        let nul = "evil.example,suspend,false,false,bad\u{0}comment,false\n";
        assert!(parse_mastodon_csv(nul).is_err());
        assert_eq!(rows[2].severity, Severity::RejectMedia);
        let again = parse_mastodon_csv(&to_mastodon_csv(&rows)).expect("parses");
        assert_eq!(again, rows);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let err =
            parse_mastodon_csv("ok.example,suspend\nnot a domain,suspend\n").expect_err("bad");
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(parse_mastodon_csv("x.example,explode\n").is_err());
    }
}
