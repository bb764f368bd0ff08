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

fn lenient_url<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    Ok(first_url(&Value::deserialize(d)?))
}

/// The activities we act on; any other type is acknowledged and ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type")]
pub enum Incoming {
    /// Follow an agency.
    Follow(Activity),
    /// Undo a Follow, Like or Announce.
    Undo(Activity),
    /// Accept our Follow.
    Accept(Activity),
    /// Reject our Follow.
    Reject(Activity),
    /// Create a Note (comment) or Page (item).
    Create(Activity),
    /// Update a Note, Page or the actor itself.
    Update(Activity),
    /// Delete a Note, Page or the actor itself.
    Delete(Activity),
    /// Like an item.
    Like(Activity),
    /// Boost an item.
    Announce(Activity),
    /// Report content (kept for the moderation queue).
    Flag(Activity),
    /// An account moved: `object` (the actor) to `target`.
    Move(Activity),
    /// Anything else.
    #[serde(other)]
    Other,
}

/// The field the inbox sets on an activity it took from a relay rather
/// than from its actor's own server.
pub const FORWARDED: &str = "delingForwarded";

/// The common shape: who did what to which object.
#[derive(Debug, Clone, Deserialize)]
pub struct Activity {
    /// Activity id.
    pub id: Url,
    /// Who.
    #[serde(deserialize_with = "id_or_embedded")]
    pub actor: Url,
    /// What to.
    pub object: ObjectRef,
    /// Primary audience, read where the object names none (as Mastodon
    /// does).
    #[serde(default)]
    pub to: Value,
    /// Secondary audience, likewise.
    #[serde(default)]
    pub cc: Value,
    /// Taken from a relay (see [`FORWARDED`]): to be checked at the origin.
    #[serde(default, rename = "delingForwarded")]
    pub forwarded: bool,
    /// Where to (a Move's new account), by id or embedded. Read
    /// leniently: a `target` that names no URL reads as none, so it never
    /// makes an activity that does not need one unreadable.
    #[serde(default, deserialize_with = "lenient_url")]
    pub target: Option<Url>,
}
