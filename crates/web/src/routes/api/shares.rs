//! Shares: an agency boosting an item (its own, another agency's, a
//! peer's) to its followers, and taking the boost back.

use crate::{
    auth::Authenticated,
    dto::{ItemView, ShareBody, ShareQuery, ShareView, SharedItemView},
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_store::{
    queries::share::Shared,
    records::{Agency, Staff},
};

/// Shares an item as one of the caller's agencies: its followers get an
/// `Announce` (and a remote item's owner too, who counts the boost).
/// Sharing again changes nothing and answers `200`.
#[utoipa::path(post, operation_id = "shareItem", path = "/api/v1/items/{id}/shares", tag = "items", request_body = ShareBody,
    params(("id" = i64, Path, description = "Item id")), security(("bearer" = [])),
    responses((status = 201, body = ShareView), (status = 200, body = ShareView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 410, body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
    body: crate::input::JsonBody<ShareBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (shared, agency) = share(&state, &auth.staff, *id, &body.agency).await?;
    match shared {
        Shared::New(s) => Ok(HttpResponse::Created().json(ShareView::new(&state, &s, &agency))),
        Shared::Already(s) => Ok(HttpResponse::Ok().json(ShareView::new(&state, &s, &agency))),
    }
}

/// How the audit log names `agency`'s share of item `item_id`.
fn share_target(agency: &Agency, item_id: i64) -> String {
    format!("{}/shares/{item_id}", agency.slug)
}

/// Shares item `id` as the agency `slug`, which `staff` must edit for, and
/// wakes federation when the share is new. A new share by an instance
/// admin from outside the agency is in the audit log (`share.create`).
/// The API and the staff pages share this.
pub async fn share(
    state: &AppState,
    staff: &Staff,
    id: i64,
    slug: &str,
) -> Result<(Shared, Agency), ApiError> {
    let item = crate::lookup::item(state, id).await?;
    let agency = crate::lookup::speaking_agency(state, slug).await?;
    let access = crate::auth::require_editor(state, staff, &agency).await?;
    let audit = access
        .audit(
            staff,
            &agency,
            "share.create",
            &share_target(&agency, item.id),
        )
        .map(|a| a.with("item", item.id));
    let shared = state
        .store
        .put_share_audited(agency.id, item.id, audit.as_ref())
        .await?;
    if let Shared::New(_) = shared {
        state.wake_federation();
    }
    Ok((shared, agency))
}

/// Takes the share of item `id` by agency `slug` (which `staff` must edit
/// for) back and wakes federation to send the `Undo`; `share.undo` in the
/// audit log for an instance admin from outside the agency.
pub async fn unshare(
    state: &AppState,
    staff: &Staff,
    id: i64,
    slug: &str,
) -> Result<Agency, ApiError> {
    let agency = crate::lookup::agency(state, slug).await?;
    let access = crate::auth::require_editor(state, staff, &agency).await?;
    if state.store.get_item(id).await?.is_none() {
        return Err(ApiError::NotFound(format!("no item {id}")));
    }
    let audit = access
        .audit(staff, &agency, "share.undo", &share_target(&agency, id))
        .map(|a| a.with("item", id));
    if !state
        .store
        .undo_share_audited(agency.id, id, audit.as_ref())
        .await?
    {
        return Err(ApiError::NotFound(format!(
            "agency {:?} does not share item {id}",
            agency.slug
        )));
    }
    state.wake_federation();
    Ok(agency)
}

/// Takes an agency's share back: its followers get an `Undo` of the
/// `Announce`.
#[utoipa::path(delete, operation_id = "unshareItem", path = "/api/v1/items/{id}/shares", tag = "items",
    params(("id" = i64, Path, description = "Item id"), ShareQuery), security(("bearer" = [])),
    responses((status = 204), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
    query: web::Query<ShareQuery>,
) -> Result<HttpResponse, ApiError> {
    unshare(&state, &auth.staff, *id, &query.agency).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lists what an agency shares now, newest share first (at most 200), with
/// the items.
#[utoipa::path(get, operation_id = "listAgencyShares", path = "/api/v1/agencies/{slug}/shares", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug")),
    responses((status = 200, body = Vec<SharedItemView>), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    let shares = state.store.list_agency_shares(agency.id, 200).await?;
    let ids: Vec<i64> = shares.iter().map(|(_, i)| i.id).collect();
    let counts = state.store.count_reactions_of(&ids).await?;
    let views: Vec<SharedItemView> = shares
        .into_iter()
        .map(|(s, item)| {
            let c = counts.get(&item.id).copied().unwrap_or_default();
            SharedItemView {
                share: ShareView::new(&state, &s, &agency),
                item: ItemView::new(&state, item, c),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(views))
}
