//! Who published an item, wrote a comment or a message, or shares.

use crate::state::AppState;
use deling_store::records::Agency;
use serde::Serialize;
use utoipa::ToSchema;

/// Who published an item or wrote a comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorRef {
    /// `local` (an agency here) or `remote`.
    pub origin: &'static str,
    /// Slug, for a local agency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// `@slug@domain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ActivityPub actor id.
    pub actor_id: String,
}

impl ActorRef {
    /// A local agency.
    pub fn local(state: &AppState, a: &Agency) -> Self {
        Self::agency(state, a.slug.clone(), a.name.clone())
    }

    /// The local agency `slug`, named `name`.
    pub fn agency(state: &AppState, slug: String, name: String) -> Self {
        Self {
            origin: "local",
            handle: Some(state.handle(&slug)),
            actor_id: state.urls.agency(&slug).to_string(),
            slug: Some(slug),
            name: Some(name),
        }
    }

    /// An actor on another server.
    pub fn remote(actor_id: String, handle: Option<String>, name: Option<String>) -> Self {
        Self {
            origin: "remote",
            slug: None,
            handle,
            name,
            actor_id,
        }
    }
}
