//! The JSON-LD `@context` of every document we serve.

use serde_json::{Value, json};

/// Our own namespace, for terms no existing vocabulary has.
pub const DELING_NS: &str = "https://w3id.org/deling/ns#";

/// The ActivityStreams and security contexts, plus the terms we use from
/// Mastodon (`toot:`), schema.org, DCAT and Dublin Core, and our own few.
/// Peers that do not process JSON-LD read the compact names directly.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "toot": "http://joinmastodon.org/ns#",
            "schema": "http://schema.org/",
            "dcat": "http://www.w3.org/ns/dcat#",
            "dcterms": "http://purl.org/dc/terms/",
            "deling": DELING_NS,
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
            "movedTo": {"@id": "as:movedTo", "@type": "@id"},
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "license": {"@id": "schema:license", "@type": "@id"},
            "isBasedOn": {"@id": "schema:isBasedOn", "@type": "@id"},
            "identifier": "schema:identifier",
            "theme": {"@id": "dcat:theme", "@type": "@id"},
            "distribution": "dcat:distribution",
            "Distribution": "dcat:Distribution",
            "title": "dcterms:title",
            "codeRepository": {"@id": "schema:codeRepository", "@type": "@id"},
            "accessURL": {"@id": "dcat:accessURL", "@type": "@id"},
            "format": "dcterms:format",
            "itemKind": "deling:itemKind",
            "itemMetadata": {"@id": "deling:itemMetadata", "@type": "@json"}
        }
    ])
}

/// `inner` as a JSON-LD document: its fields plus our `@context`.
pub fn with_context<T: serde::Serialize>(inner: &T) -> Value {
    let mut value = serde_json::to_value(inner).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("@context".into(), context());
    }
    value
}

/// What is left of a withdrawn object: named by the `Delete` that withdraws
/// it (without `deleted`), served at its id (with).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    /// `Tombstone`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The withdrawn object's id.
    pub id: url::Url,
    /// What it was: `Page`, `Note`, `Announce`, ...
    pub former_type: String,
    /// When it was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<chrono::DateTime<chrono::Utc>>,
}

impl Tombstone {
    /// The tombstone of `id`, which was a `former_type`.
    pub fn new(id: url::Url, former_type: &str) -> Self {
        Self {
            kind: "Tombstone".into(),
            id,
            former_type: former_type.into(),
            deleted: None,
        }
    }
}

/// A `Tombstone` for a withdrawn object of `former_type`, as served at its
/// id.
pub fn tombstone(
    id: &url::Url,
    former_type: &str,
    deleted: Option<chrono::DateTime<chrono::Utc>>,
) -> Value {
    with_context(&Tombstone {
        deleted,
        ..Tombstone::new(id.clone(), former_type)
    })
}
