//! The item form as typed: every field of an item and of its kind's
//! metadata as text, read from a posted form or from a stored item, turned
//! into the API's [`RawItem`] for [`ItemContent::parse`], and the domain's
//! field errors (`title`, `links[0].href`, `metadata.distributions[1].access_url`)
//! put back next to the control they belong to.

use crate::session::FormFields;
use deling_domain::{
    FieldError,
    item::{ItemContent, ItemKind, RawItem, RawLink},
    language::Language,
    metadata::ItemMetadata,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What a control takes, which decides its HTML and what its error says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line of text.
    Text,
    /// Several lines of plain text.
    Area,
    /// Markdown.
    Markdown,
    /// An http(s) address.
    Url,
    /// Addresses, one a line.
    Urls,
    /// A language tag.
    Language,
    /// Tags, separated by commas or spaces.
    Tags,
    /// A licence.
    License,
    /// A media type.
    MediaType,
    /// A date and time (UTC).
    Time,
    /// Words separated by commas.
    Words,
    /// One of a few values.
    Choice(&'static [&'static str]),
}

/// A single-valued field of the form: its name (the HTML `name`, and the
/// key of its message `items-field-NAME`), what it takes, and the error
/// path the domain reports it under.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The HTML name.
    pub name: &'static str,
    /// What it takes.
    pub input: Input,
    /// The domain's path (`title`, `metadata.landing_page`).
    pub path: &'static str,
    /// Must be filled in.
    pub required: bool,
}

const fn spec(name: &'static str, input: Input, path: &'static str, required: bool) -> Spec {
    Spec {
        name,
        input,
        path,
        required,
    }
}

/// The fields every item has, in the order shown.
pub const COMMON: &[Spec] = &[
    spec("title", Input::Text, "title", true),
    spec("summary", Input::Area, "summary", false),
    spec("body", Input::Markdown, "body", false),
    spec("language", Input::Language, "language", true),
    spec("tags", Input::Tags, "tags", false),
    spec("license", Input::License, "license", false),
    spec("based_on", Input::Url, "based_on", false),
];

const ACCESS: &[&str] = &["public", "restricted", "non_public"];
const STATUS: &[&str] = &["concept", "development", "beta", "stable", "obsolete"];
const QUESTION: &[&str] = &["open", "answered"];

const GUIDE: &[Spec] = &[spec(
    "meta_audience",
    Input::Text,
    "metadata.audience",
    false,
)];
const DATASET: &[Spec] = &[
    spec(
        "meta_access_rights",
        Input::Choice(ACCESS),
        "metadata.access_rights",
        false,
    ),
    spec(
        "meta_landing_page",
        Input::Url,
        "metadata.landing_page",
        false,
    ),
    spec("meta_themes", Input::Urls, "metadata.themes", false),
];
const SOFTWARE: &[Spec] = &[
    spec(
        "meta_repository_url",
        Input::Url,
        "metadata.repository_url",
        true,
    ),
    spec(
        "meta_development_status",
        Input::Choice(STATUS),
        "metadata.development_status",
        false,
    ),
    spec(
        "meta_software_version",
        Input::Text,
        "metadata.software_version",
        false,
    ),
    spec("meta_platforms", Input::Words, "metadata.platforms", false),
    spec(
        "meta_publiccode_url",
        Input::Url,
        "metadata.publiccode_url",
        false,
    ),
];
const SERVICE: &[Spec] = &[
    spec(
        "meta_service_url",
        Input::Url,
        "metadata.service_url",
        false,
    ),
    spec("meta_audience", Input::Text, "metadata.audience", false),
];
const QUESTION_SPECS: &[Spec] = &[spec(
    "meta_status",
    Input::Choice(QUESTION),
    "metadata.status",
    false,
)];
const EVENT: &[Spec] = &[
    spec("meta_starts_at", Input::Time, "metadata.starts_at", true),
    spec("meta_ends_at", Input::Time, "metadata.ends_at", false),
    spec("meta_location", Input::Text, "metadata.location", false),
    spec("meta_online_url", Input::Url, "metadata.online_url", false),
];

/// The single-valued metadata fields of `kind` (a dataset's distributions
/// are rows, see [`DISTRIBUTION`]).
pub fn metadata_specs(kind: ItemKind) -> &'static [Spec] {
    match kind {
        ItemKind::Guide => GUIDE,
        ItemKind::Dataset => DATASET,
        ItemKind::Software => SOFTWARE,
        ItemKind::Service => SERVICE,
        ItemKind::Question => QUESTION_SPECS,
        ItemKind::Event => EVENT,
    }
}

/// A repeated group of fields: its HTML name prefix, its columns (HTML
/// name suffix, domain key, what it takes, required in a filled row) and
/// how many rows a new form shows.
#[derive(Debug, Clone, Copy)]
pub struct Rows {
    /// `dist` or `link`: the HTML names are `dist_url`, `link_href`, ...
    pub group: &'static str,
    /// The domain's path of the list (`metadata.distributions`, `links`).
    pub path: &'static str,
    /// (HTML suffix, domain key, input, required).
    pub columns: &'static [(&'static str, &'static str, Input, bool)],
    /// Blank rows a new form has, so several can be filled in without
    /// JavaScript.
    pub min_rows: usize,
}

/// A dataset's distributions.
pub const DISTRIBUTION: Rows = Rows {
    group: "dist",
    path: "metadata.distributions",
    columns: &[
        ("url", "access_url", Input::Url, true),
        ("format", "format", Input::Text, false),
        ("title", "title", Input::Text, false),
    ],
    min_rows: 2,
};

/// Links and attachments.
pub const LINKS: Rows = Rows {
    group: "link",
    path: "links",
    columns: &[
        ("href", "href", Input::Url, true),
        ("title", "title", Input::Text, false),
        ("media_type", "media_type", Input::MediaType, false),
    ],
    min_rows: 1,
};

/// The repeated groups of `kind`.
pub fn row_groups(kind: ItemKind) -> Vec<Rows> {
    match kind {
        ItemKind::Dataset => vec![DISTRIBUTION, LINKS],
        _ => vec![LINKS],
    }
}

/// What went wrong with a control, as the form says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The control's id (`f-title`, `f-dist_url-1`).
    pub id: String,
    /// The message key (`items-error-url`).
    pub key: &'static str,
}

/// The form's values as typed.
#[derive(Debug, Clone)]
pub struct ItemForm {
    /// The item's kind.
    pub kind: ItemKind,
    /// Single-valued fields by HTML name.
    pub values: BTreeMap<&'static str, String>,
    /// Repeated groups by group name: rows of column values.
    pub rows: BTreeMap<&'static str, Vec<Vec<String>>>,
}

/// The id of a single control.
pub fn control_id(name: &str) -> String {
    format!("f-{name}")
}

/// The id of a control in row `row` (from 0) of a group.
pub fn row_control_id(group: &str, column: &str, row: usize) -> String {
    format!("f-{group}_{column}-{row}")
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// A datetime-local value (`2026-12-01T10:00`) read as UTC; anything else
/// as typed, for the domain to judge.
fn time_to_rfc3339(s: &str) -> String {
    let s = s.trim();
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, format) {
            return t
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        }
    }
    s.to_owned()
}

/// An RFC 3339 time as a datetime-local value in UTC.
fn time_from_rfc3339(s: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| s.to_owned())
}

fn split_words(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn metadata_key(spec: &Spec) -> &'static str {
    spec.path.trim_start_matches("metadata.")
}

impl ItemForm {
    /// The form of a stored item or of a new one (`RawItem::default()`,
    /// in `language`).
    pub fn from_raw(kind: ItemKind, raw: &RawItem, language: &str) -> Self {
        let mut values = BTreeMap::new();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        values.insert("title", text(&raw.title));
        values.insert("summary", text(&raw.summary));
        values.insert("body", text(&raw.body));
        values.insert(
            "language",
            raw.language.clone().unwrap_or_else(|| language.to_owned()),
        );
        values.insert("tags", raw.tags.clone().unwrap_or_default().join(", "));
        values.insert("license", raw.license.clone().flatten().unwrap_or_default());
        values.insert(
            "based_on",
            raw.based_on.clone().flatten().unwrap_or_default(),
        );
        let meta = raw
            .metadata
            .as_ref()
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let as_text = |v: Option<&Value>| match v {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let list = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|l| l.iter().map(|x| as_text(Some(x))).collect())
                .unwrap_or_default()
        };
        for spec in metadata_specs(kind) {
            let key = metadata_key(spec);
            let value = match spec.input {
                Input::Urls => list(meta.get(key)).join("\n"),
                Input::Words => list(meta.get(key)).join(", "),
                Input::Time => time_from_rfc3339(&as_text(meta.get(key))),
                _ => as_text(meta.get(key)),
            };
            values.insert(spec.name, value);
        }
        let mut rows = BTreeMap::new();
        for group in row_groups(kind) {
            let filled: Vec<Vec<String>> = if group.group == LINKS.group {
                raw.links
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| {
                        vec![
                            l.href,
                            l.title.unwrap_or_default(),
                            l.media_type.unwrap_or_default(),
                        ]
                    })
                    .collect()
            } else {
                meta.get("distributions")
                    .and_then(Value::as_array)
                    .map(|ds| {
                        ds.iter()
                            .map(|d| {
                                group
                                    .columns
                                    .iter()
                                    .map(|(_, key, _, _)| as_text(d.get(*key)))
                                    .collect()
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            rows.insert(group.group, pad(filled, group));
        }
        Self { kind, values, rows }
    }

    /// The form as posted; missing fields are blank.
    pub fn from_fields(kind: ItemKind, fields: &FormFields) -> Self {
        let mut values = BTreeMap::new();
        for spec in COMMON.iter().chain(metadata_specs(kind)) {
            values.insert(spec.name, fields.text(spec.name).to_owned());
        }
        let mut rows = BTreeMap::new();
        for group in row_groups(kind) {
            let columns: Vec<Vec<&str>> = group
                .columns
                .iter()
                .map(|(col, ..)| {
                    let name = format!("{}_{col}", group.group);
                    fields
                        .0
                        .iter()
                        .filter(|(k, _)| *k == name)
                        .map(|(_, v)| v.as_str())
                        .collect()
                })
                .collect();
            let n = columns.iter().map(Vec::len).max().unwrap_or(0);
            let posted = (0..n)
                .map(|i| {
                    columns
                        .iter()
                        .map(|c| c.get(i).copied().unwrap_or_default().to_owned())
                        .collect()
                })
                .collect();
            rows.insert(group.group, posted);
        }
        let mut form = Self { kind, values, rows };
        for group in row_groups(kind) {
            // A form posted with fewer rows than a new one shows (one
            // built by hand) still gets its blank rows back.
            let r = form.rows.remove(group.group).unwrap_or_default();
            let r = if r.len() < group.min_rows {
                pad(r, group)
            } else {
                r
            };
            form.rows.insert(group.group, r);
        }
        form
    }

    /// One more blank row in `group` ("add another").
    pub fn add_row(&mut self, group: &str) {
        if let Some(g) = row_groups(self.kind).into_iter().find(|g| g.group == group)
            && let Some(rows) = self.rows.get_mut(g.group)
            && rows.len() < MAX_ROWS
        {
            rows.push(vec![String::new(); g.columns.len()]);
        }
    }

    /// A single field's value.
    pub fn value(&self, name: &str) -> &str {
        self.values
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The rows of `group`.
    pub fn rows_of(&self, group: &str) -> &[Vec<String>] {
        self.rows.get(group).map(Vec::as_slice).unwrap_or_default()
    }

    /// The item's language, when what was typed is one.
    pub fn language(&self) -> Option<String> {
        Language::parse(self.value("language"))
            .ok()
            .map(|l| l.as_str().to_owned())
    }

    /// The rows of `group` that have anything in them, with their row
    /// numbers on the form (blank rows are not sent to the domain, so its
    /// `links[1]` is the second filled row, not the second row).
    fn filled(&self, group: &str) -> Vec<(usize, &Vec<String>)> {
        self.rows_of(group)
            .iter()
            .enumerate()
            .filter(|(_, r)| r.iter().any(|v| !blank(v)))
            .collect()
    }

    /// The metadata object the form describes.
    pub fn metadata(&self) -> Value {
        let mut m = Map::new();
        for spec in metadata_specs(self.kind) {
            let v = self.value(spec.name);
            if blank(v) {
                continue;
            }
            let key = metadata_key(spec).to_owned();
            let value = match spec.input {
                Input::Urls => Value::Array(
                    v.lines()
                        .filter(|l| !blank(l))
                        .map(|l| Value::String(l.trim().to_owned()))
                        .collect(),
                ),
                Input::Words => {
                    Value::Array(split_words(v).into_iter().map(Value::String).collect())
                }
                Input::Time => Value::String(time_to_rfc3339(v)),
                _ => Value::String(v.trim().to_owned()),
            };
            m.insert(key, value);
        }
        if self.kind == ItemKind::Dataset {
            let ds: Vec<Value> = self
                .filled(DISTRIBUTION.group)
                .into_iter()
                .map(|(_, row)| {
                    let mut d = Map::new();
                    for ((_, key, ..), v) in DISTRIBUTION.columns.iter().zip(row) {
                        if !blank(v) {
                            d.insert((*key).to_owned(), Value::String(v.trim().to_owned()));
                        }
                    }
                    Value::Object(d)
                })
                .collect();
            if !ds.is_empty() {
                m.insert("distributions".into(), Value::Array(ds));
            }
        }
        Value::Object(m)
    }

    /// The form as the API's raw input: every field given, so on an edit
    /// nothing of the stored item is kept that the form does not show.
    pub fn to_raw(&self) -> RawItem {
        let opt = |name: &str| Some(self.value(name).trim().to_owned()).filter(|s| !s.is_empty());
        RawItem {
            kind: Some(self.kind.as_str().to_owned()),
            title: Some(self.value("title").to_owned()),
            summary: Some(self.value("summary").to_owned()),
            body: Some(self.value("body").to_owned()),
            language: Some(self.value("language").trim().to_owned()),
            tags: Some(split_words(self.value("tags"))),
            license: Some(opt("license")),
            links: Some(
                self.filled(LINKS.group)
                    .into_iter()
                    .map(|(_, r)| {
                        let cell = |i: usize| {
                            r.get(i)
                                .map(|s| s.trim().to_owned())
                                .filter(|s| !s.is_empty())
                        };
                        RawLink {
                            href: cell(0).unwrap_or_default(),
                            title: cell(1),
                            media_type: cell(2),
                        }
                    })
                    .collect(),
            ),
            metadata: Some(self.metadata()),
            based_on: Some(opt("based_on")),
        }
    }

    /// Parses the form as a new item: what the API does with the same
    /// fields, errors placed on the form.
    pub fn parse(&self) -> Result<ItemContent, Vec<Problem>> {
        ItemContent::parse(self.to_raw()).map_err(|e| self.place(e))
    }

    /// Parses the form as an edit of `current`.
    pub fn parse_over(&self, current: RawItem) -> Result<ItemContent, Vec<Problem>> {
        ItemContent::parse(self.to_raw().over(current)).map_err(|e| self.place(e))
    }

    /// Puts each of the domain's errors on its control, once per control.
    /// The metadata's single error is located field by field first.
    pub fn place(&self, errors: Vec<FieldError>) -> Vec<Problem> {
        let mut out: Vec<Problem> = vec![];
        let mut expanded = vec![];
        for e in errors {
            if e.field == "metadata" {
                for m in ItemMetadata::locate(self.kind, &self.metadata()) {
                    let field = if m.field.is_empty() {
                        "metadata".to_owned()
                    } else {
                        format!("metadata.{}", m.field)
                    };
                    expanded.push(FieldError::new(field, m.problem));
                }
            } else {
                expanded.push(e);
            }
        }
        for e in expanded {
            let p = self.problem(&e);
            if !out.iter().any(|o| o.id == p.id) {
                out.push(p);
            }
        }
        out
    }

    fn problem(&self, e: &FieldError) -> Problem {
        let path = e.field.as_str();
        // A list's element (`tags[2]`, `metadata.themes[0]`) belongs to the
        // list's control.
        let (head, index, rest) = match path.find('[') {
            Some(i) => {
                let close = path[i..].find(']').map_or(path.len(), |j| i + j);
                let index = path[i + 1..close].parse::<usize>().ok();
                let rest = path.get(close + 1..).unwrap_or_default();
                (&path[..i], index, rest.trim_start_matches('.'))
            }
            None => (path, None, ""),
        };
        if let Some(spec) = COMMON
            .iter()
            .chain(metadata_specs(self.kind))
            .find(|s| s.path == head)
        {
            let special = (head == "metadata.ends_at" && e.problem.contains("before"))
                .then_some("items-error-ends-before");
            return Problem {
                id: control_id(spec.name),
                key: special.unwrap_or_else(|| {
                    error_key(spec.input, spec.required && blank(self.value(spec.name)))
                }),
            };
        }
        for group in row_groups(self.kind) {
            if head != group.path {
                continue;
            }
            let filled = self.filled(group.group);
            let row = index
                .and_then(|i| filled.get(i).map(|(r, _)| *r))
                .unwrap_or(0);
            let col = group
                .columns
                .iter()
                .position(|(_, key, ..)| *key == rest)
                .unwrap_or(0);
            let (suffix, _, input, required) = group.columns[col];
            let typed = self
                .rows_of(group.group)
                .get(row)
                .and_then(|r| r.get(col))
                .map(String::as_str)
                .unwrap_or_default();
            return Problem {
                id: row_control_id(group.group, suffix, row),
                key: error_key(input, required && blank(typed)),
            };
        }
        // What has no control of its own (`kind`, a metadata field this
        // form does not know) is shown at the top of the form.
        Problem {
            id: "item-form".to_owned(),
            key: "items-error-other",
        }
    }
}

/// Most rows a group grows to with "add another" (the domain allows 50).
const MAX_ROWS: usize = 50;

/// `filled` with blank rows after it: one to add to, and at least the
/// group's minimum.
fn pad(mut filled: Vec<Vec<String>>, group: Rows) -> Vec<Vec<String>> {
    let want = (filled.len() + 1).max(group.min_rows);
    while filled.len() < want {
        filled.push(vec![String::new(); group.columns.len()]);
    }
    filled
}

/// The message for a control of `input` that is wrong, or empty and
/// required.
fn error_key(input: Input, missing: bool) -> &'static str {
    if missing {
        return "items-error-required";
    }
    match input {
        Input::Text | Input::Area | Input::Markdown | Input::Words => "items-error-text",
        Input::Url | Input::Urls => "items-error-url",
        Input::Language => "items-error-language",
        Input::Tags => "items-error-tags",
        Input::License => "items-error-license",
        Input::MediaType => "items-error-media-type",
        Input::Time => "items-error-time",
        Input::Choice(_) => "items-error-choice",
    }
}

/// The message key of each choice's label.
pub fn choice_label(name: &str, value: &str) -> String {
    format!(
        "items-choice-{}-{}",
        name.trim_start_matches("meta_"),
        value
    )
}

/// Every message key the form can show, for the test that they exist.
#[cfg(test)]
fn all_keys() -> Vec<String> {
    let mut keys = vec![];
    for kind in ItemKind::ALL {
        for spec in COMMON.iter().chain(metadata_specs(kind)) {
            keys.push(format!("items-field-{}", spec.name));
            if let Input::Choice(values) = spec.input {
                keys.extend(values.iter().map(|v| choice_label(spec.name, v)));
            }
        }
        for g in row_groups(kind) {
            keys.push(format!("items-group-{}", g.group));
            keys.push(format!("items-add-{}", g.group));
            for (col, ..) in g.columns {
                keys.push(format!("items-field-{}_{col}", g.group));
            }
        }
        keys.push(format!("items-details-{kind}"));
        keys.push(format!("items-new-{kind}"));
        keys.push(format!("items-kind-help-{kind}"));
    }
    for input in [
        Input::Text,
        Input::Url,
        Input::Language,
        Input::Tags,
        Input::License,
        Input::MediaType,
        Input::Time,
        Input::Choice(&[]),
    ] {
        keys.push(error_key(input, false).to_owned());
    }
    keys.push("items-error-required".into());
    keys.push("items-error-ends-before".into());
    keys.push("items-error-other".into());
    keys
}

/// Hints shown under a control, by HTML name; those without one have none.
pub fn hint_key(name: &str) -> Option<String> {
    const WITH_HINT: &[&str] = &[
        "summary",
        "body",
        "language",
        "tags",
        "license",
        "based_on",
        "meta_themes",
        "meta_platforms",
        "meta_starts_at",
        "meta_ends_at",
        "dist_format",
        "link_media_type",
    ];
    WITH_HINT
        .contains(&name)
        .then(|| format!("items-hint-{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::{Lang, Tr};

    fn posted(pairs: &[(&str, &str)]) -> FormFields {
        FormFields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn every_message_of_the_form_exists() {
        for lang in Lang::ALL {
            let t = Tr(lang);
            for key in all_keys().into_iter().chain(
                ["title", "body", "meta_starts_at"]
                    .iter()
                    .filter_map(|n| hint_key(n)),
            ) {
                assert!(t.has(&key), "{}: no message {key}", lang.code());
            }
        }
    }

    #[test]
    fn a_dataset_with_two_distributions_parses() {
        let form = ItemForm::from_fields(
            ItemKind::Dataset,
            &posted(&[
                ("title", "Bysykkel"),
                ("language", "nb"),
                ("tags", "#mobilitet, sykkel"),
                ("meta_access_rights", "public"),
                ("dist_url", "https://data.example.no/a.csv"),
                ("dist_format", "text/csv"),
                ("dist_title", ""),
                ("dist_url", ""),
                ("dist_format", ""),
                ("dist_title", ""),
                ("dist_url", "https://data.example.no/a.json"),
                ("dist_format", "JSON"),
                ("dist_title", "Som JSON"),
            ]),
        );
        let item = form.parse().expect("valid");
        let ItemMetadata::Dataset(m) = item.metadata else {
            panic!("a dataset");
        };
        assert_eq!(m.distributions.len(), 2);
        assert_eq!(m.distributions[1].title.as_deref(), Some("Som JSON"));
        assert_eq!(item.tags.len(), 2);
    }

    #[test]
    fn errors_land_on_their_controls() {
        let form = ItemForm::from_fields(
            ItemKind::Dataset,
            &posted(&[
                ("title", ""),
                ("language", "klingon!"),
                ("dist_url", ""),
                ("dist_format", ""),
                ("dist_title", ""),
                ("dist_url", "https://data.example.no/a.csv"),
                ("dist_format", ""),
                ("dist_title", ""),
                ("dist_url", "not a url"),
                ("dist_format", "CSV"),
                ("dist_title", ""),
                ("link_href", "javascript:alert(1)"),
                ("link_title", ""),
                ("link_media_type", ""),
            ]),
        );
        let problems = form.parse().expect_err("invalid");
        let got: Vec<(&str, &str)> = problems.iter().map(|p| (p.id.as_str(), p.key)).collect();
        assert_eq!(
            got,
            [
                ("f-title", "items-error-required"),
                ("f-language", "items-error-language"),
                ("f-link_href-0", "items-error-url"),
                ("f-dist_url-2", "items-error-url"),
            ]
        );
    }

    #[test]
    fn event_times_are_utc_both_ways() {
        let form = ItemForm::from_fields(
            ItemKind::Event,
            &posted(&[
                ("title", "Fagdag"),
                ("language", "nb"),
                ("meta_starts_at", "2026-12-01T10:00"),
                ("meta_ends_at", "2026-12-01T09:00"),
            ]),
        );
        let problems = form.parse().expect_err("ends before it starts");
        assert_eq!(problems[0].id, "f-meta_ends_at");
        assert_eq!(problems[0].key, "items-error-ends-before");
        assert_eq!(form.metadata()["starts_at"], "2026-12-01T10:00:00Z");
        let back = ItemForm::from_raw(ItemKind::Event, &form.to_raw(), "nb");
        assert_eq!(back.value("meta_starts_at"), "2026-12-01T10:00");
    }

    #[test]
    fn a_stored_item_fills_the_form_with_room_for_more() {
        let form = ItemForm::from_fields(
            ItemKind::Software,
            &posted(&[
                ("title", "Saksbehandler"),
                ("language", "nn"),
                ("meta_repository_url", "https://git.example.no/x"),
                ("meta_platforms", "web, linux"),
                ("link_href", "https://example.no/doc"),
            ]),
        );
        let raw = form.parse().expect("valid").to_raw();
        let again = ItemForm::from_raw(ItemKind::Software, &raw, "nb");
        assert_eq!(again.value("meta_platforms"), "web, linux");
        assert_eq!(again.value("language"), "nn");
        assert_eq!(again.rows_of("link").len(), 2);
        let mut blank = ItemForm::from_raw(ItemKind::Dataset, &RawItem::default(), "nb");
        assert_eq!(blank.rows_of("dist").len(), 2);
        blank.add_row("dist");
        assert_eq!(blank.rows_of("dist").len(), 3);
        assert_eq!(blank.value("language"), "nb");
    }
}
