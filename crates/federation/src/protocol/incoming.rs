//! Activities as peers send them. Parsing is lenient where servers differ
//! (an object may be an id or embedded; `attributedTo` may be a list) and
//! strict where safety depends on it (ids are URLs).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

/// An object given by id or embedded.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ObjectRef {
    /// Just the id.
    Id(Url),
    /// The object itself.
    Object(Map<String, Value>),
    /// Several objects (a Flag names the reported actor and posts).
    Many(Vec<Value>),
}

impl ObjectRef {
    /// The object's id, if it has a valid one.
    pub fn id(&self) -> Option<Url> {
        match self {
            Self::Id(u) => Some(u.clone()),
            Self::Object(m) => m
                .get("id")
                .and_then(Value::as_str)
                .and_then(|s| Url::parse(s).ok()),
            Self::Many(list) => list.iter().find_map(first_url),
        }
    }

    /// The embedded object's `type`, if embedded.
    pub fn kind(&self) -> Option<&str> {
        match self {
            Self::Id(_) | Self::Many(_) => None,
            Self::Object(m) => m.get("type").and_then(Value::as_str),
        }
    }

    /// Every object it names, by id (a Flag may name several); an
    /// embedded object's `id` may itself be embedded or listed.
    pub fn ids(&self) -> Vec<Url> {
        match self {
            Self::Id(u) => vec![u.clone()],
            Self::Object(m) => m.get("id").and_then(first_url).into_iter().collect(),
            Self::Many(list) => list.iter().filter_map(first_url).collect(),
        }
    }

    /// A URL-valued field of the embedded object (`actor`, `object`).
    pub fn url_field(&self, field: &str) -> Option<Url> {
        match self {
            Self::Id(_) | Self::Many(_) => None,
            Self::Object(m) => m.get(field).and_then(first_url),
        }
    }
}

/// The first URL in a value that is a URL string, an object with an `id`,
/// or a list of either (as `attributedTo` often is).
pub fn first_url(v: &Value) -> Option<Url> {
    match v {
        Value::String(s) => Url::parse(s).ok(),
        Value::Object(m) => m.get("id").and_then(first_url),
        Value::Array(a) => a.iter().find_map(first_url),
        _ => None,
    }
}

/// Reads an actor named by its id, or embedded as an object with an `id`
/// (Hubzilla and Streams embed the actor): only the id is kept, and it is
/// what the signature is checked against.
pub fn id_or_embedded<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Url::parse(&s).map_err(serde::de::Error::custom),
        Value::Object(m) => match m.get("id") {
            Some(Value::String(s)) => Url::parse(s).map_err(serde::de::Error::custom),
            _ => Err(serde::de::Error::custom("an embedded actor without an id")),
        },
        _ => Err(serde::de::Error::custom(
            "actor is neither an id nor an object",
        )),
    }
}

/// The field the inbox sets on an activity it took from a relay rather
/// than from its actor's own server.
pub const FORWARDED: &str = "delingForwarded";

/// What every activity we act on names: its id, its actor and its object.
/// The inbox reads this first, the same way for every type (see
/// `inbox::dispatch`); each activity's own struct (in `inbox::activities`)
/// holds it, flattened, with the fields only that type reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Activity {
    /// Activity id.
    pub id: Url,
    /// Who.
    #[serde(deserialize_with = "id_or_embedded")]
    pub actor: Url,
    /// What to.
    pub object: ObjectRef,
    /// Taken from a relay (see [`FORWARDED`]): to be checked at the origin.
    #[serde(default, rename = "delingForwarded")]
    pub forwarded: bool,
}
