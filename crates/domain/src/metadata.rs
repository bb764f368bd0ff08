//! Kind-specific metadata of shared items (DCAT-AP-NO for datasets,
//! publiccode.yml for software), parsed strictly so unknown fields are refused.

use crate::{FieldError, Invalid, kind::ItemKind, text::ShortText, web_url::WebUrl};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

impl<'de> Deserialize<'de> for WebUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        WebUrl::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Serialize for WebUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Metadata of a guide or practice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuideMetadata {
    /// Who the guide is written for (caseworkers, developers, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

/// Who may access a dataset, after DCAT-AP-NO's `dct:accessRights`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessRights {
    /// Open to all.
    Public,
    /// Access on conditions.
    Restricted,
    /// Not public.
    NonPublic,
}

/// One way to get a dataset (`dcat:Distribution`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// Where the data is (`dcat:accessURL`).
    pub access_url: WebUrl,
    /// Its format as a media type or file type (`text/csv`, `JSON`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// A name for the distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// Metadata of a dataset or API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetMetadata {
    /// Theme URIs (`dcat:theme`), e.g. from the EU data theme vocabulary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<WebUrl>,
    /// The distributions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distributions: Vec<Distribution>,
    /// Access rights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_rights: Option<AccessRights>,
    /// The dataset's own landing page (`dcat:landingPage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing_page: Option<WebUrl>,
}

/// Development status, as publiccode.yml's `developmentStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DevelopmentStatus {
    /// An idea.
    Concept,
    /// Being built.
    Development,
    /// Usable, not finished.
    Beta,
    /// In production use.
    Stable,
    /// No longer maintained.
    Obsolete,
}

/// Metadata of a software component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoftwareMetadata {
    /// Source repository (publiccode.yml's `url`).
    pub repository_url: WebUrl,
    /// Development status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub development_status: Option<DevelopmentStatus>,
    /// Latest released version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    /// Platforms it runs on (`web`, `linux`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// Where the project's publiccode.yml lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publiccode_url: Option<WebUrl>,
}

/// Metadata of a public service description.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceMetadata {
    /// Where citizens use the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_url: Option<WebUrl>,
    /// Who the service is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

/// Whether a question to peers has been answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionStatus {
    /// Still looking for answers.
    #[default]
    Open,
    /// The asker considers it answered.
    Answered,
}

/// Metadata of a question to peers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionMetadata {
    /// Open or answered.
    #[serde(default)]
    pub status: QuestionStatus,
}

/// Metadata of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventMetadata {
    /// Start time (RFC 3339).
    pub starts_at: DateTime<Utc>,
    /// End time (RFC 3339), not before the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// Where it takes place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Where to join online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_url: Option<WebUrl>,
}

/// The metadata of an item, one shape per kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemMetadata {
    /// For [`ItemKind::Guide`].
    Guide(GuideMetadata),
    /// For [`ItemKind::Dataset`].
    Dataset(DatasetMetadata),
    /// For [`ItemKind::Software`].
    Software(SoftwareMetadata),
    /// For [`ItemKind::Service`].
    Service(ServiceMetadata),
    /// For [`ItemKind::Question`].
    Question(QuestionMetadata),
    /// For [`ItemKind::Event`].
    Event(EventMetadata),
}

const MAX_LIST: usize = 50;

/// Earliest and latest year of an event: dates outside are typing errors
/// (`0026`, `20026`) that would sort and render strangely everywhere.
pub const EVENT_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// A free-text value obeys the rules of [`ShortText`]: one line, at most
/// 500 characters, no control or invisible-only text.
fn check_text(field: &str, s: &Option<String>) -> Result<(), Invalid> {
    match s {
        Some(s) => ShortText::parse(s)
            .map(drop)
            .map_err(|e| Invalid::new(format!("{field} {e}"))),
        None => Ok(()),
    }
}

fn check_year(field: &str, t: Option<DateTime<Utc>>) -> Result<(), Invalid> {
    match t {
        Some(t) if !EVENT_YEARS.contains(&t.year()) => Err(Invalid::new(format!(
            "{field} must be in the years {} to {} (got {})",
            EVENT_YEARS.start(),
            EVENT_YEARS.end(),
            t.year()
        ))),
        _ => Ok(()),
    }
}

fn check_len<T>(field: &str, v: &[T]) -> Result<(), Invalid> {
    if v.len() > MAX_LIST {
        Err(Invalid::new(format!(
            "{field} may have at most {MAX_LIST} entries"
        )))
    } else {
        Ok(())
    }
}

impl ItemMetadata {
    /// Parses `value` (a JSON object; `null` means none given) as the metadata
    /// of `kind`.
    pub fn parse(kind: ItemKind, value: serde_json::Value) -> Result<Self, Invalid> {
        let value = match value {
            serde_json::Value::Null => serde_json::Value::Object(Default::default()),
            v @ serde_json::Value::Object(_) => v,
            _ => return Err(Invalid::new("must be a JSON object")),
        };
        fn de<T: serde::de::DeserializeOwned>(
            kind: ItemKind,
            v: serde_json::Value,
        ) -> Result<T, Invalid> {
            serde_json::from_value(v)
                .map_err(|e| Invalid::new(format!("not valid for a {kind}: {e}")))
        }
        let parsed = match kind {
            ItemKind::Guide => {
                let m: GuideMetadata = de(kind, value)?;
                check_text("audience", &m.audience)?;
                Self::Guide(m)
            }
            ItemKind::Dataset => {
                let m: DatasetMetadata = de(kind, value)?;
                check_len("themes", &m.themes)?;
                check_len("distributions", &m.distributions)?;
                for d in &m.distributions {
                    check_text("distributions[].format", &d.format)?;
                    check_text("distributions[].title", &d.title)?;
                }
                Self::Dataset(m)
            }
            ItemKind::Software => {
                let m: SoftwareMetadata = de(kind, value)?;
                check_text("software_version", &m.software_version)?;
                check_len("platforms", &m.platforms)?;
                for p in &m.platforms {
                    check_text("platforms[]", &Some(p.clone()))?;
                }
                Self::Software(m)
            }
            ItemKind::Service => {
                let m: ServiceMetadata = de(kind, value)?;
                check_text("audience", &m.audience)?;
                Self::Service(m)
            }
            ItemKind::Question => Self::Question(de(kind, value)?),
            ItemKind::Event => {
                let m: EventMetadata = de(kind, value)?;
                if m.ends_at.is_some_and(|end| end < m.starts_at) {
                    return Err(Invalid::new("ends_at must not be before starts_at"));
                }
                check_year("starts_at", Some(m.starts_at))?;
                check_year("ends_at", m.ends_at)?;
                check_text("location", &m.location)?;
                Self::Event(m)
            }
        };
        Ok(parsed)
    }

    /// The metadata as the JSON object that is stored and served.
    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            Self::Guide(m) => serde_json::to_value(m),
            Self::Dataset(m) => serde_json::to_value(m),
            Self::Software(m) => serde_json::to_value(m),
            Self::Service(m) => serde_json::to_value(m),
            Self::Question(m) => serde_json::to_value(m),
            Self::Event(m) => serde_json::to_value(m),
        };
        // Serialising plain structs of strings cannot fail.
        v.unwrap_or(serde_json::Value::Null)
    }
}

/// One metadata field's shape, for [`ItemMetadata::locate`].
struct Field {
    name: &'static str,
    required: bool,
    shape: Shape,
}

/// A leaf value's check: `Err` says what is wrong with it.
type Check = fn(&serde_json::Value) -> Result<(), Invalid>;

enum Shape {
    /// One value.
    One(Check),
    /// A list of values.
    List(Check),
    /// A list of objects with these fields.
    Objects(&'static [Field]),
}

const fn field(name: &'static str, required: bool, shape: Shape) -> Field {
    Field {
        name,
        required,
        shape,
    }
}

fn string(v: &serde_json::Value) -> Result<&str, Invalid> {
    v.as_str().ok_or_else(|| Invalid::new("must be text"))
}

fn url(v: &serde_json::Value) -> Result<(), Invalid> {
    WebUrl::parse(string(v)?).map(drop)
}

fn text(v: &serde_json::Value) -> Result<(), Invalid> {
    ShortText::parse(string(v)?).map(drop)
}

fn time(v: &serde_json::Value) -> Result<(), Invalid> {
    let t: DateTime<Utc> = serde_json::from_value(v.clone())
        .map_err(|_| Invalid::new("must be a time like 2026-12-01T10:00:00Z"))?;
    check_year("the time", Some(t))
}

/// A value of one of the enumerations, checked by serde itself so the
/// names cannot drift from the types'.
fn one_of<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Result<(), Invalid> {
    serde_json::from_value::<T>(v.clone())
        .map(drop)
        .map_err(|e| Invalid::new(e.to_string()))
}

const DISTRIBUTION: &[Field] = &[
    field("access_url", true, Shape::One(url)),
    field("format", false, Shape::One(text)),
    field("title", false, Shape::One(text)),
];

const GUIDE: &[Field] = &[field("audience", false, Shape::One(text))];
const DATASET: &[Field] = &[
    field("themes", false, Shape::List(url)),
    field("distributions", false, Shape::Objects(DISTRIBUTION)),
    field("access_rights", false, Shape::One(one_of::<AccessRights>)),
    field("landing_page", false, Shape::One(url)),
];
const SOFTWARE: &[Field] = &[
    field("repository_url", true, Shape::One(url)),
    field(
        "development_status",
        false,
        Shape::One(one_of::<DevelopmentStatus>),
    ),
    field("software_version", false, Shape::One(text)),
    field("platforms", false, Shape::List(text)),
    field("publiccode_url", false, Shape::One(url)),
];
const SERVICE: &[Field] = &[
    field("service_url", false, Shape::One(url)),
    field("audience", false, Shape::One(text)),
];
const QUESTION: &[Field] = &[field("status", false, Shape::One(one_of::<QuestionStatus>))];
const EVENT: &[Field] = &[
    field("starts_at", true, Shape::One(time)),
    field("ends_at", false, Shape::One(time)),
    field("location", false, Shape::One(text)),
    field("online_url", false, Shape::One(url)),
];

fn schema(kind: ItemKind) -> &'static [Field] {
    match kind {
        ItemKind::Guide => GUIDE,
        ItemKind::Dataset => DATASET,
        ItemKind::Software => SOFTWARE,
        ItemKind::Service => SERVICE,
        ItemKind::Question => QUESTION,
        ItemKind::Event => EVENT,
    }
}

/// Checks the object `obj` against `fields`, recording each bad field
/// under `prefix` + its name.
fn locate_in(
    fields: &[Field],
    obj: &serde_json::Map<String, serde_json::Value>,
    prefix: &str,
    out: &mut Vec<FieldError>,
) {
    for key in obj.keys() {
        if !fields.iter().any(|f| f.name == key) {
            out.push(FieldError::new(
                format!("{prefix}{key}"),
                "is not a field of this kind",
            ));
        }
    }
    for f in fields {
        let path = format!("{prefix}{}", f.name);
        let value = match obj.get(f.name) {
            None | Some(serde_json::Value::Null) => {
                if f.required {
                    out.push(FieldError::new(path, "is required"));
                }
                continue;
            }
            Some(v) => v,
        };
        let list = |out: &mut Vec<FieldError>| -> Option<&Vec<serde_json::Value>> {
            match value.as_array() {
                None => {
                    out.push(FieldError::new(&path, "must be a list"));
                    None
                }
                Some(l) if l.len() > MAX_LIST => {
                    out.push(FieldError::new(
                        &path,
                        format!("may have at most {MAX_LIST} entries"),
                    ));
                    None
                }
                Some(l) => Some(l),
            }
        };
        match &f.shape {
            Shape::One(check) => {
                if let Err(e) = check(value) {
                    out.push(FieldError::new(path, e));
                }
            }
            Shape::List(check) => {
                for (i, v) in list(out).into_iter().flatten().enumerate() {
                    if let Err(e) = check(v) {
                        out.push(FieldError::new(format!("{path}[{i}]"), e));
                    }
                }
            }
            Shape::Objects(inner) => {
                for (i, v) in list(out).into_iter().flatten().enumerate() {
                    match v.as_object() {
                        Some(o) => locate_in(inner, o, &format!("{path}[{i}]."), out),
                        None => {
                            out.push(FieldError::new(format!("{path}[{i}]"), "must be an object"))
                        }
                    }
                }
            }
        }
    }
}

impl ItemMetadata {
    /// Where `value` fails to be the metadata of `kind`: one error per bad
    /// field, its path relative to the metadata (`distributions[1].access_url`,
    /// `starts_at`; the empty path for the value as a whole). Empty when
    /// [`ItemMetadata::parse`] accepts it. `parse` reports one error for
    /// the whole object, as the API always has; a form shows each next to
    /// its own control.
    pub fn locate(kind: ItemKind, value: &serde_json::Value) -> Vec<FieldError> {
        let mut out = vec![];
        match value {
            serde_json::Value::Null => {
                locate_in(schema(kind), &Default::default(), "", &mut out);
            }
            serde_json::Value::Object(obj) => {
                locate_in(schema(kind), obj, "", &mut out);
                if out.is_empty()
                    && let ItemKind::Event = kind
                    && let (Ok(start), Some(Ok(end))) = (
                        serde_json::from_value::<DateTime<Utc>>(obj["starts_at"].clone()),
                        obj.get("ends_at")
                            .filter(|v| !v.is_null())
                            .map(|v| serde_json::from_value::<DateTime<Utc>>(v.clone())),
                    )
                    && end < start
                {
                    out.push(FieldError::new("ends_at", "must not be before starts_at"));
                }
            }
            _ => out.push(FieldError::new("", "must be a JSON object")),
        }
        // Whatever `parse` refuses that the walk above missed still has a
        // place: the metadata as a whole.
        if out.is_empty()
            && let Err(e) = Self::parse(kind, value.clone())
        {
            out.push(FieldError::new("", e));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dataset_metadata_round_trips() {
        let v = json!({"themes": ["http://publications.europa.eu/resource/authority/data-theme/GOVE"],
            "distributions": [{"access_url": "https://data.oslo.kommune.no/x.csv", "format": "text/csv"}],
            "access_rights": "public"});
        let m = ItemMetadata::parse(ItemKind::Dataset, v.clone());
        assert_eq!(m.map(|m| m.to_json()), Ok(v));
    }

    #[test]
    fn software_needs_a_repository() {
        assert!(ItemMetadata::parse(ItemKind::Software, json!({})).is_err());
        assert!(
            ItemMetadata::parse(ItemKind::Software, json!({"repository_url": "ftp://x"})).is_err()
        );
        assert!(
            ItemMetadata::parse(
                ItemKind::Software,
                json!({"repository_url": "https://github.com/x/y", "development_status": "stable"})
            )
            .is_ok()
        );
    }

    #[test]
    fn unknown_fields_and_wrong_shapes_are_refused() {
        assert!(ItemMetadata::parse(ItemKind::Guide, json!({"colour": "red"})).is_err());
        assert!(ItemMetadata::parse(ItemKind::Guide, json!([1, 2])).is_err());
        assert!(
            ItemMetadata::parse(
                ItemKind::Event,
                json!({"starts_at": "2026-12-01T10:00:00Z", "ends_at": "2026-12-01T09:00:00Z"})
            )
            .is_err()
        );
        assert!(ItemMetadata::parse(ItemKind::Guide, serde_json::Value::Null).is_ok());
    }

    #[test]
    fn free_text_and_years_are_bounded() {
        assert!(ItemMetadata::parse(ItemKind::Guide, json!({"audience": "a\u{0}b"})).is_err());
        assert!(ItemMetadata::parse(ItemKind::Guide, json!({"audience": "\u{200b}"})).is_err());
        assert!(
            ItemMetadata::parse(ItemKind::Guide, json!({"audience": "x".repeat(501)})).is_err()
        );
        assert!(
            ItemMetadata::parse(
                ItemKind::Software,
                json!({"repository_url": "https://github.com/x/y", "platforms": ["a\u{202e}b"]})
            )
            .is_err()
        );
        for (start, ok) in [
            ("0001-01-01T00:00:00Z", false),
            ("1899-12-31T23:59:59Z", false),
            ("1900-01-01T00:00:00Z", true),
            ("2026-12-01T10:00:00Z", true),
            ("2201-01-01T00:00:00Z", false),
            ("+20026-01-01T00:00:00Z", false),
        ] {
            assert_eq!(
                ItemMetadata::parse(ItemKind::Event, json!({"starts_at": start})).is_ok(),
                ok,
                "{start}"
            );
        }
    }
    #[test]
    fn locate_names_each_bad_field() {
        let paths = |kind, v: serde_json::Value| -> Vec<String> {
            ItemMetadata::locate(kind, &v)
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(
            paths(
                ItemKind::Dataset,
                json!({"distributions": [
                    {"access_url": "https://x.no/a.csv"},
                    {"access_url": "not a url", "format": "a\u{0}b"},
                    {"format": "CSV"}
                ], "themes": ["https://ok.example/", "ftp://x"], "colour": 1})
            ),
            [
                "colour",
                "themes[1]",
                "distributions[1].access_url",
                "distributions[1].format",
                "distributions[2].access_url"
            ]
        );
        assert_eq!(
            paths(ItemKind::Software, json!({"development_status": "done"})),
            ["repository_url", "development_status"]
        );
        assert_eq!(
            paths(
                ItemKind::Event,
                json!({"starts_at": "2026-12-01T10:00:00Z", "ends_at": "2026-12-01T09:00:00Z"})
            ),
            ["ends_at"]
        );
        assert_eq!(
            paths(ItemKind::Event, json!({"starts_at": "soon"})),
            ["starts_at"]
        );
        assert_eq!(paths(ItemKind::Guide, json!([1])), [""]);
    }

    /// `locate` finds nothing exactly when `parse` accepts.
    #[test]
    fn locate_agrees_with_parse() {
        let samples = [
            (ItemKind::Guide, json!(null)),
            (ItemKind::Guide, json!({"audience": "saksbehandlere"})),
            (ItemKind::Guide, json!({"audience": ""})),
            (ItemKind::Dataset, json!({"access_rights": "non_public"})),
            (ItemKind::Dataset, json!({"access_rights": "secret"})),
            (
                ItemKind::Dataset,
                json!({"distributions": [{"access_url": "https://x.no/"}]}),
            ),
            (
                ItemKind::Dataset,
                json!({"distributions": {"access_url": "https://x.no/"}}),
            ),
            (
                ItemKind::Software,
                json!({"repository_url": "https://g.no/x", "platforms": ["web"]}),
            ),
            (
                ItemKind::Software,
                json!({"repository_url": "https://g.no/x", "platforms": "web"}),
            ),
            (ItemKind::Service, json!({"service_url": "https://x.no/"})),
            (ItemKind::Question, json!({"status": "answered"})),
            (ItemKind::Question, json!({"status": "closed"})),
            (
                ItemKind::Event,
                json!({"starts_at": "2026-12-01T10:00:00Z", "location": "Oslo"}),
            ),
            (
                ItemKind::Event,
                json!({"starts_at": "0026-12-01T10:00:00Z"}),
            ),
            (ItemKind::Event, json!({})),
        ];
        for (kind, v) in samples {
            assert_eq!(
                ItemMetadata::locate(kind, &v).is_empty(),
                ItemMetadata::parse(kind, v.clone()).is_ok(),
                "{kind} {v}"
            );
        }
    }
}
