//! Agencies: profile changes, what the API shows of one, and whom it
//! follows.

use super::{ActorRef, double_option};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use deling_domain::{FieldError, agency::RawAgencyProfile};
use deling_store::records::Agency;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Changes to an agency's profile (`PATCH /api/v1/agencies/{slug}`): any
/// subset; `null` clears `summary`, `website`, `icon_url` and `org_number`
/// and is refused for `name`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyBody {
    /// Display name, 1 to 100 characters.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Description in Markdown, at most 2,000 characters; shown as the bio.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    /// The agency's web site (http or https).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    /// Logo or avatar: the URL of an image (http or https).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub icon_url: Option<Option<String>>,
    /// Norwegian organisation number (nine digits).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub org_number: Option<Option<String>>,
    /// Whether other servers may find its posts by full-text search
    /// (Mastodon's `indexable`); `true` unless set otherwise.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub indexable: Option<Option<bool>>,
}

impl TryFrom<AgencyBody> for RawAgencyProfile {
    type Error = Vec<FieldError>;

    fn try_from(b: AgencyBody) -> Result<Self, Vec<FieldError>> {
        if matches!(b.name, Some(None)) {
            return Err(vec![FieldError::new("name", "cannot be null")]);
        }
        if matches!(b.indexable, Some(None)) {
            return Err(vec![FieldError::new("indexable", "must be true or false")]);
        }
        Ok(RawAgencyProfile {
            name: b.name.flatten(),
            summary: b.summary.map(Option::unwrap_or_default),
            website: b.website,
            icon_url: b.icon_url,
            org_number: b.org_number,
            indexable: b.indexable.flatten(),
        })
    }
}

/// An agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyView {
    /// Slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// `@slug@domain`, to follow from Mastodon.
    pub handle: String,
    /// ActivityPub actor id and profile page.
    pub url: String,
    /// Description (Markdown).
    pub summary: String,
    /// Description as HTML.
    pub summary_html: String,
    /// Organisation number.
    pub org_number: Option<String>,
    /// Web site.
    pub website: Option<String>,
    /// Logo.
    pub icon_url: Option<String>,
    /// Whether other servers may find its posts by full-text search.
    pub indexable: bool,
    /// Created.
    pub created: DateTime<Utc>,
}

impl AgencyView {
    /// Shapes a stored agency.
    pub fn new(state: &AppState, a: Agency) -> Self {
        Self {
            handle: state.handle(&a.slug),
            url: state.urls.agency(&a.slug).to_string(),
            slug: a.slug,
            name: a.name,
            summary: a.summary,
            summary_html: a.summary_html,
            org_number: a.org_number,
            website: a.website,
            icon_url: a.icon_url,
            indexable: a.indexable,
            created: a.created_at,
        }
    }
}

/// Body of `POST /api/v1/agencies/{slug}/following`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowBody {
    /// `@user@host` or an actor URL.
    pub target: String,
}

/// An actor an agency follows.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowingView {
    /// The actor.
    pub actor: ActorRef,
    /// `pending`, `accepted` or `rejected`.
    pub state: String,
}
