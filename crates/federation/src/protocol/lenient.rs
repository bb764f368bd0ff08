//! Field readers for documents peers send, which differ in shape from
//! server to server: each reads what it can and never fails, so one odd
//! field cannot make a whole document unreadable. Use them with
//! `#[serde(default, deserialize_with = "...")]`; the checks that decide
//! whether a value is kept come after, in the domain types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use url::Url;

use super::incoming::first_url;

/// A string; anything else reads as none.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

/// The value as sent, `null` included: a property that is there but
/// unusable is told apart from one that is absent (it is reported as
/// dropped rather than passed over).
pub fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// The first URL a property names (see [`first_url`]); none if it names
/// none.
pub fn url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    Ok(first_url(&Value::deserialize(d)?))
}

/// An RFC 3339 time; anything else reads as none.
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => parse_time(&s),
        _ => None,
    })
}

/// Reads an RFC 3339 time, as UTC.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// A time property of an object read as a map.
pub fn time_of(object: &Map<String, Value>, key: &str) -> Option<DateTime<Utc>> {
    object.get(key).and_then(Value::as_str).and_then(parse_time)
}

/// An object of type `T`; anything that is not a JSON object (or does not
/// read as `T`) reads as none.
pub fn object<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        v @ Value::Object(_) => T::deserialize(v).ok(),
        _ => None,
    })
}

/// A `…Map` property (`nameMap`, `contentMap`): its string entries, by
/// language, in the order sent; anything else reads as empty.
pub fn by_language<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(m) => language_entries(&m),
        _ => Vec::new(),
    })
}

fn language_entries(m: &Map<String, Value>) -> Vec<(String, String)> {
    m.iter()
        .filter_map(|(lang, v)| Some((lang.clone(), v.as_str()?.to_owned())))
        .collect()
}

/// A natural-language property (`name`, `content`, `summary`) with its
/// `…Map` by language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LangText {
    /// The plain property, if a string.
    pub text: Option<String>,
    /// The string entries of the map, in the order sent.
    pub by_language: Vec<(String, String)>,
}

impl LangText {
    /// Reads `key` and `keyMap` of an object read as a map.
    pub fn of(object: &Map<String, Value>, key: &str) -> Self {
        Self {
            text: object.get(key).and_then(Value::as_str).map(str::to_owned),
            by_language: object
                .get(&format!("{key}Map"))
                .and_then(Value::as_object)
                .map(language_entries)
                .unwrap_or_default(),
        }
    }

    /// The text and its language: the plain property wins, its language
    /// taken from the map's first entry when there is one; without it, the
    /// map's first entry.
    pub fn text_and_language(self) -> (Option<String>, Option<String>) {
        let first = self.by_language.into_iter().next();
        match (self.text, first) {
            (Some(text), map) => (Some(text), map.map(|(lang, _)| lang)),
            (None, Some((lang, text))) => (Some(text), Some(lang)),
            (None, None) => (None, None),
        }
    }
}
