//! An item's kind-specific metadata laid out for people: label and value
//! rows (links where the value is an address), and a dataset's
//! distributions as a table.

use super::{i18n::Tr, views::web_href};
use deling_domain::{
    kind::ItemKind,
    metadata::{AccessRights, DevelopmentStatus, ItemMetadata, QuestionStatus},
};

/// One fact about an item.
#[derive(Debug, Clone)]
pub struct MetaRow {
    /// What it is.
    pub label: String,
    /// Its value.
    pub value: String,
    /// A link, when the value is an address.
    pub href: Option<String>,
}

/// One way to get a dataset.
#[derive(Debug, Clone)]
pub struct DistributionRow {
    /// Its name (or its address).
    pub title: String,
    /// Its format.
    pub format: String,
    /// Where it is.
    pub href: String,
}

/// The metadata as rows and distributions; nothing for metadata that does
/// not parse as its kind's (an odd peer's).
pub fn layout(
    t: Tr,
    kind: &str,
    value: &serde_json::Value,
) -> (Vec<MetaRow>, Vec<DistributionRow>) {
    let Ok(kind) = kind.parse::<ItemKind>() else {
        return (vec![], vec![]);
    };
    let Ok(meta) = ItemMetadata::parse(kind, value.clone()) else {
        return (vec![], vec![]);
    };
    let mut rows = vec![];
    let text = |rows: &mut Vec<MetaRow>, key: &str, value: String| {
        rows.push(MetaRow {
            label: t.msg(key),
            value,
            href: None,
        });
    };
    let link = |rows: &mut Vec<MetaRow>, key: &str, url: &str| {
        rows.push(MetaRow {
            label: t.msg(key),
            value: url.to_owned(),
            href: web_href(url),
        });
    };
    let mut distributions = vec![];
    match meta {
        ItemMetadata::Guide(m) => {
            if let Some(a) = m.audience {
                text(&mut rows, "meta-audience", a);
            }
        }
        ItemMetadata::Dataset(m) => {
            if let Some(r) = m.access_rights {
                let key = match r {
                    AccessRights::Public => "access-public",
                    AccessRights::Restricted => "access-restricted",
                    AccessRights::NonPublic => "access-non-public",
                };
                text(&mut rows, "meta-access-rights", t.msg(key));
            }
            if let Some(p) = &m.landing_page {
                link(&mut rows, "meta-landing-page", p.as_str());
            }
            for theme in &m.themes {
                link(&mut rows, "meta-theme", theme.as_str());
            }
            distributions = m
                .distributions
                .iter()
                .map(|d| DistributionRow {
                    title: d
                        .title
                        .clone()
                        .unwrap_or_else(|| d.access_url.as_str().to_owned()),
                    format: d.format.clone().unwrap_or_default(),
                    href: d.access_url.as_str().to_owned(),
                })
                .collect();
        }
        ItemMetadata::Software(m) => {
            link(&mut rows, "meta-repository", m.repository_url.as_str());
            if let Some(s) = m.development_status {
                let key = match s {
                    DevelopmentStatus::Concept => "status-concept",
                    DevelopmentStatus::Development => "status-development",
                    DevelopmentStatus::Beta => "status-beta",
                    DevelopmentStatus::Stable => "status-stable",
                    DevelopmentStatus::Obsolete => "status-obsolete",
                };
                text(&mut rows, "meta-development-status", t.msg(key));
            }
            if let Some(v) = m.software_version {
                text(&mut rows, "meta-version", v);
            }
            if !m.platforms.is_empty() {
                text(&mut rows, "meta-platforms", m.platforms.join(", "));
            }
            if let Some(p) = &m.publiccode_url {
                link(&mut rows, "meta-publiccode", p.as_str());
            }
        }
        ItemMetadata::Service(m) => {
            if let Some(u) = &m.service_url {
                link(&mut rows, "meta-service-url", u.as_str());
            }
            if let Some(a) = m.audience {
                text(&mut rows, "meta-audience", a);
            }
        }
        ItemMetadata::Question(m) => {
            let key = match m.status {
                QuestionStatus::Open => "question-open",
                QuestionStatus::Answered => "question-answered",
            };
            text(&mut rows, "meta-question-status", t.msg(key));
        }
        ItemMetadata::Event(m) => {
            let when =
                |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d %H:%M UTC").to_string();
            text(&mut rows, "meta-starts", when(m.starts_at));
            if let Some(e) = m.ends_at {
                text(&mut rows, "meta-ends", when(e));
            }
            if let Some(l) = m.location {
                text(&mut rows, "meta-location", l);
            }
            if let Some(u) = &m.online_url {
                link(&mut rows, "meta-online", u.as_str());
            }
        }
    }
    (rows, distributions)
}
