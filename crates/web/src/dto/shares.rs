//! Shares (boosts) of items by local agencies.

use super::{ActorRef, ItemView};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use deling_store::records::Agency;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Body of `POST /api/v1/items/{id}/shares`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareBody {
    /// Slug of the agency that shares.
    pub agency: String,
}

/// Which agency's share `DELETE /api/v1/items/{id}/shares` takes back.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ShareQuery {
    /// The agency's slug.
    pub agency: String,
}

/// A local agency's share (boost) of an item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareView {
    /// Local id.
    pub id: i64,
    /// The `Announce` id followers receive.
    pub ap_id: String,
    /// The item shared.
    pub item_id: i64,
    /// The agency sharing it.
    pub agency: ActorRef,
    /// When.
    pub created: DateTime<Utc>,
}

/// One of an agency's shares with the item shared, as
/// `GET /api/v1/agencies/{slug}/shares` lists them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharedItemView {
    /// The share.
    pub share: ShareView,
    /// The item shared.
    pub item: ItemView,
}

impl ShareView {
    /// Shapes a share by `agency`.
    pub fn new(state: &AppState, s: &deling_store::queries::share::Share, agency: &Agency) -> Self {
        Self {
            id: s.id,
            ap_id: state.urls.share(s.id).to_string(),
            item_id: s.item_id,
            agency: ActorRef::local(state, agency),
            created: s.created_at,
        }
    }
}
