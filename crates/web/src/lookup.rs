//! The lookups handlers share: an agency or an item by what the request
//! names, answered `404` when unknown and `410` when withdrawn, so every
//! route says the same thing about the same record.

use crate::{error::ApiError, state::AppState};
use deling_store::records::{Agency, Item};

/// An agency by slug: 404 if unknown, 410 if withdrawn.
pub async fn agency(state: &AppState, slug: &str) -> Result<Agency, ApiError> {
    match state.store.get_agency_by_slug(slug).await? {
        None => Err(ApiError::NotFound(format!("no agency {slug:?}"))),
        Some(a) if a.deleted_at.is_some() => Err(ApiError::Gone(format!(
            "agency {slug:?} has been withdrawn"
        ))),
        Some(a) => Ok(a),
    }
}

/// Like [`agency`], for what would publish something new (an item, a
/// comment, a share, an answer, a Follow): an agency that moved to an
/// account elsewhere publishes nothing more, so that is `409`.
pub async fn speaking_agency(state: &AppState, slug: &str) -> Result<Agency, ApiError> {
    let agency = agency(state, slug).await?;
    if let Some(to) = &agency.moved_to {
        return Err(ApiError::Conflict(format!(
            "agency {slug:?} has moved to {to} and publishes nothing new"
        )));
    }
    Ok(agency)
}

/// An item by id, local or from a peer: 404 if unknown, 410 if withdrawn.
pub async fn item(state: &AppState, id: i64) -> Result<Item, ApiError> {
    match state.store.get_item(id).await? {
        None => Err(ApiError::NotFound(format!("no item {id}"))),
        Some(i) if i.deleted_at.is_some() => {
            Err(ApiError::Gone(format!("item {id} has been withdrawn")))
        }
        Some(i) => Ok(i),
    }
}
