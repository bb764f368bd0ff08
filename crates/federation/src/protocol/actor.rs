//! Actors: our agencies as `Organization`, and whatever peers send.

use chrono::{DateTime, Utc};
use serde::Deserializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

fn first_image<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Image>, D::Error> {
    let v = Value::deserialize(d)?;
    let first = match v {
        Value::Array(a) => a.into_iter().next(),
        Value::Null => None,
        other => Some(other),
    };
    Ok(first.and_then(|v| serde_json::from_value(v).ok()))
}

fn property_values<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PropertyValue>, D::Error> {
    let v = Value::deserialize(d)?;
    let list = match v {
        Value::Array(a) => a,
        Value::Null => vec![],
        other => vec![other],
    };
    Ok(list
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

fn actor_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Url>, D::Error> {
    let v = Value::deserialize(d)?;
    let list = match v {
        Value::Array(a) => a,
        Value::Null => vec![],
        other => vec![other],
    };
    Ok(list.iter().filter_map(super::incoming::first_url).collect())
}

fn actor_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    Ok(super::incoming::first_url(&Value::deserialize(d)?))
}

/// An actor document. Optional fields are optional because peers differ;
/// ours always fill them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ActorJson {
    /// `Organization` for agencies, `Application` for the instance actor.
    #[serde(rename = "type")]
    pub kind: String,
    /// Actor id.
    pub id: Url,
    /// The JSON-LD context as received (to tell whether the actor speaks
    /// Deling); `null` on our own actors, whose context `with_context`
    /// adds when serving.
    #[serde(
        rename = "@context",
        default,
        skip_serializing_if = "serde_json::Value::is_null"
    )]
    pub context: serde_json::Value,
    /// The user part of the handle. Some servers' actors (application
    /// actors, bovine, …) have none: then it reads as empty.
    #[serde(default)]
    pub preferred_username: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// HTML description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Profile page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    /// Avatar (peers send one image or a list; we keep the first).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "first_image"
    )]
    pub icon: Option<Image>,
    /// Inbox.
    pub inbox: Url,
    /// Outbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<Url>,
    /// Followers collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<Url>,
    /// Following collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<Url>,
    /// Pinned items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured: Option<Url>,
    /// Shared inbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    /// Signing key.
    pub public_key: PublicKeyJson,
    /// Created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// Whether follows need approval.
    #[serde(default)]
    pub manually_approves_followers: bool,
    /// Whether directories may list the actor.
    #[serde(default)]
    pub discoverable: bool,
    /// Whether its public posts may be found by full-text search
    /// (Mastodon 4.2+ leaves out accounts that do not say so).
    #[serde(default)]
    pub indexable: bool,
    /// Profile fields (entries of other shapes are skipped).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "property_values"
    )]
    pub attachment: Vec<PropertyValue>,
    /// Other ids of the same account: an account may only move to an
    /// actor that lists it here (entries that are not URLs are skipped).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "actor_ids"
    )]
    pub also_known_as: Vec<Url>,
    /// Where the account moved to.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "actor_id"
    )]
    pub moved_to: Option<Url>,
}

/// `endpoints`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// Shared inbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_inbox: Option<Url>,
}

/// `publicKey`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyJson {
    /// `ACTOR#main-key`.
    pub id: String,
    /// The actor.
    pub owner: Url,
    /// PEM.
    pub public_key_pem: String,
}

/// An embedded image.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// `Image`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where it is.
    pub url: Url,
    /// Its media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// A profile field (`schema:PropertyValue`), as Mastodon shows them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PropertyValue {
    /// `PropertyValue`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Label.
    pub name: String,
    /// HTML value.
    pub value: String,
}

impl ActorJson {
    /// Whether the document declares Deling's namespace, as every Deling
    /// actor does: such a peer reads items as `Page`s with their metadata.
    pub fn speaks_deling(&self) -> bool {
        fn names_ns(v: &serde_json::Value) -> bool {
            match v {
                serde_json::Value::String(s) => s == super::context::DELING_NS,
                serde_json::Value::Array(a) => a.iter().any(names_ns),
                serde_json::Value::Object(m) => m.values().any(names_ns),
                _ => false,
            }
        }
        names_ns(&self.context)
    }
}
