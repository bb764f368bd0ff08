//! Agencies.

use crate::{
    dto::AgencyView,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};

/// Lists the agencies on this instance.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies",
    responses((status = 200, body = Vec<AgencyView>)))]
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let agencies = state.store.list_agencies().await?;
    let views: Vec<AgencyView> = agencies
        .into_iter()
        .map(|a| AgencyView::new(&state, a))
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Shows one agency.
#[utoipa::path(get, path = "/api/v1/agencies/{slug}", tag = "agencies",
    params(("slug" = String, Path, description = "The agency's slug")),
    responses((status = 200, body = AgencyView), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let agency = find(&state, &slug).await?;
    Ok(HttpResponse::Ok().json(AgencyView::new(&state, agency)))
}

/// Looks an agency up by slug: 404 if unknown, 410 if withdrawn.
pub async fn find(state: &AppState, slug: &str) -> Result<deling_store::records::Agency, ApiError> {
    match state.store.get_agency_by_slug(slug).await? {
        None => Err(ApiError::NotFound(format!("no agency {slug:?}"))),
        Some(a) if a.deleted_at.is_some() => Err(ApiError::Gone(format!(
            "agency {slug:?} has been withdrawn"
        ))),
        Some(a) => Ok(a),
    }
}
