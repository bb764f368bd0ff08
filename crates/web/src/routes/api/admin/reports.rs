//! `/api/v1/admin/reports`: reports (`Flag`s) received from peers.

use super::{audit, require_instance_admin};
use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

/// Query of `GET /api/v1/admin/reports`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `open` (the default) or `all`.
    // No `#[serde(default)]`: an `Option` is absent by default anyway, and
    // with it utoipa declares the parameter nullable, which no query is.
    #[param(value_type = Option<crate::dto::ReportStatusName>)]
    status: Option<String>,
    /// Only reports older than this report id (the `next` link).
    before: Option<i64>,
    /// How many (1 to 500, 100 by default).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
}

/// Most reports on one page.
const MAX_LIMIT: u64 = 500;

/// Reports, open ones unless `status=all`, newest first, a page at a time.
#[utoipa::path(get, operation_id = "listReports", path = "/api/v1/admin/reports", tag = "admin", params(ReportQuery), security(("bearer" = [])),
    responses((status = 200, description = "The reports"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let only_open = match q.status.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "status {other:?} is not open or all"
            )));
        }
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::Invalid(vec![deling_domain::FieldError::new(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )]));
    }
    let rows = state.store.list_reports(only_open, q.before, limit).await?;
    // The next page, as a `Link` header: the body stays an array.
    let next = (rows.len() as u64 == limit)
        .then(|| rows.last().map(|r| r.id))
        .flatten()
        .map(|id| {
            let status = if only_open { "open" } else { "all" };
            format!(
                "</api/v1/admin/reports?status={status}&before={id}&limit={limit}>; rel=\"next\""
            )
        });
    let views: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| {
            json!({"id": r.id, "ap_id": r.ap_id, "reporter": r.reporter, "content": r.content,
                   "objects": r.objects, "status": r.status, "created": r.created_at, "resolved": r.resolved_at})
        })
        .collect();
    let mut response = HttpResponse::Ok();
    if let Some(next) = next {
        response.insert_header((actix_web::http::header::LINK, next));
    }
    Ok(response.json(views))
}

/// Marks a report resolved.
#[utoipa::path(post, operation_id = "resolveReport", path = "/api/v1/admin/reports/{id}/resolve", tag = "admin", params(("id" = i64, Path, description = "Report id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn resolve(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    resolve_report(&state, &auth.staff, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marks report `id` resolved as `staff` (an instance administrator),
/// with an audit entry; `404` for no such report. The API and the staff
/// pages' moderation page both resolve through this.
pub(crate) async fn resolve_report(
    state: &AppState,
    staff: &deling_store::records::Staff,
    id: i64,
) -> Result<(), ApiError> {
    crate::auth::require_instance_admin(staff)?;
    if !state.store.resolve_report(id).await? {
        return Err(ApiError::NotFound(format!("no report {id}")));
    }
    audit(state, staff, "report.resolve", &id.to_string(), json!({})).await
}
