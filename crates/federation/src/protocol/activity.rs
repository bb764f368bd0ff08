//! Activities as they appear in outboxes.

use serde::{Deserialize, Serialize};
use url::Url;

/// A `Create` (or `Update`) wrapping an object.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectActivity<T> {
    /// `Create`, `Update`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Activity id.
    pub id: Url,
    /// Who acts.
    pub actor: Url,
    /// The object.
    pub object: T,
    /// Audience.
    #[serde(default)]
    pub to: Vec<Url>,
    /// Secondary audience.
    #[serde(default)]
    pub cc: Vec<Url>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<chrono::DateTime<chrono::Utc>>,
}
