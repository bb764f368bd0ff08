//! `/api/v1/admin/domain-blocks` and `/api/v1/admin/federation-mode`: the
//! policy per domain (block, limit, allow) and whether unknown domains
//! federate at all.

use super::{instance_admin_only, invalid, policy_by, require_instance_admin};
use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, http::header, web};
use deling_domain::{
    FieldError,
    policy::{Domain, FederationMode, Severity, parse_mastodon_csv, to_mastodon_csv},
};
use deling_federation::policy::PolicyError;
use deling_store::{queries::policy::DomainPolicy, records::Staff};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// A domain policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct DomainBlockView {
    domain: String,
    severity: String,
    public_comment: Option<String>,
    private_comment: Option<String>,
    created: chrono::DateTime<chrono::Utc>,
}

/// Every domain policy, by domain.
#[utoipa::path(get, path = "/api/v1/admin/domain-blocks", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<DomainBlockView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let rows = state.store.list_domain_policies().await?;
    let views: Vec<DomainBlockView> = rows
        .into_iter()
        .map(|r| DomainBlockView {
            domain: r.domain,
            severity: r.severity,
            public_comment: r.public_comment,
            private_comment: r.private_comment,
            created: r.created_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Body of `POST /api/v1/admin/domain-blocks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainBlockBody {
    domain: String,
    severity: String,
    #[serde(default)]
    public_comment: Option<String>,
    #[serde(default)]
    private_comment: Option<String>,
}

/// Sets the policy for a domain (not this server's own).
#[utoipa::path(post, path = "/api/v1/admin/domain-blocks", tag = "admin", request_body = DomainBlockBody, security(("bearer" = [])),
    responses((status = 201, body = DomainBlockView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn put(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::input::JsonBody<DomainBlockBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let row = put_domain(
        &state,
        &auth.staff,
        &body.domain,
        &body.severity,
        body.public_comment.as_deref(),
        body.private_comment.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Created().json(DomainBlockView {
        domain: row.domain,
        severity: row.severity,
        public_comment: row.public_comment,
        private_comment: row.private_comment,
        created: row.created_at,
    }))
}

/// Removes a domain's policy.
#[utoipa::path(delete, path = "/api/v1/admin/domain-blocks/{domain}", tag = "admin", params(("domain" = String, Path, description = "The domain")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    domain: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    delete_domain(&state, &auth.staff, &domain).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The domain policies as Mastodon's CSV.
#[utoipa::path(get, path = "/api/v1/admin/domain-blocks/export", tag = "admin", security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn export(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let csv = export_csv(&state, &auth.staff).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"domain_blocks.csv\"",
        ))
        .body(csv))
}

/// Imports Mastodon's CSV, all rows or none.
#[utoipa::path(post, path = "/api/v1/admin/domain-blocks/import", tag = "admin", request_body(content = String, content_type = "text/csv"), security(("bearer" = [])),
    responses((status = 200, description = "How many were imported"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn import(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the CSV is not UTF-8".into()))?;
    let n = import_csv(&state, &auth.staff, text).await?;
    Ok(HttpResponse::Ok().json(json!({"imported": n})))
}

/// The federation mode.
#[utoipa::path(get, path = "/api/v1/admin/federation-mode", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = ModeBody), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_mode(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let mode = state.store.get_federation_mode().await?;
    Ok(HttpResponse::Ok().json(json!({"mode": mode.as_str()})))
}

/// Body of `PUT /api/v1/admin/federation-mode`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModeBody {
    mode: String,
}

/// Sets the federation mode.
#[utoipa::path(put, path = "/api/v1/admin/federation-mode", tag = "admin", request_body = ModeBody, security(("bearer" = [])),
    responses((status = 200, body = ModeBody), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn put_mode(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::input::JsonBody<ModeBody>,
) -> Result<HttpResponse, ApiError> {
    let mode = set_mode(&state, &auth.staff, &body.into_inner().mode).await?;
    Ok(HttpResponse::Ok().json(json!({"mode": mode.as_str()})))
}

/// Sets the policy for `domain` (not this server's own) as `staff`, an
/// instance administrator, with its audit entry. A bad domain or severity
/// is [`ApiError::Invalid`] naming the field. The API and the staff pages
/// both set domain policies through here.
pub async fn put_domain(
    state: &AppState,
    staff: &Staff,
    domain: &str,
    severity: &str,
    public_comment: Option<&str>,
    private_comment: Option<&str>,
) -> Result<DomainPolicy, ApiError> {
    instance_admin_only(staff)?;
    let mut errors = Vec::new();
    let domain = Domain::parse(domain)
        .map_err(|e| errors.push(FieldError::new("domain", e)))
        .ok();
    let severity = severity
        .parse::<Severity>()
        .map_err(|e| errors.push(FieldError::new("severity", e)))
        .ok();
    let (Some(domain), Some(severity)) = (domain, severity) else {
        return Err(ApiError::Invalid(errors));
    };
    let (policy, by) = policy_by(state, staff);
    policy
        .put_domain(by, &domain, severity, public_comment, private_comment)
        .await
        .map_err(|e| match e {
            PolicyError::OwnDomain(_) => invalid("domain", "that is this server"),
            other => other.into(),
        })
}

/// Removes `domain`'s policy as `staff`, an instance administrator; no
/// such policy is [`ApiError::NotFound`].
pub async fn delete_domain(state: &AppState, staff: &Staff, domain: &str) -> Result<(), ApiError> {
    instance_admin_only(staff)?;
    let domain = Domain::parse(domain).map_err(|e| invalid("domain", e))?;
    let (policy, by) = policy_by(state, staff);
    policy
        .delete_domain(by, &domain)
        .await
        .map_err(|e| match e {
            PolicyError::NoPolicy(_) => ApiError::NotFound(format!("no policy for {domain}")),
            other => other.into(),
        })
}

/// The domain policies as Mastodon's CSV, for `staff`, an instance
/// administrator.
pub async fn export_csv(state: &AppState, staff: &Staff) -> Result<String, ApiError> {
    instance_admin_only(staff)?;
    let (policy, _) = policy_by(state, staff);
    let blocks = policy.domain_blocks().await?;
    Ok(to_mastodon_csv(&blocks))
}

/// Imports Mastodon's CSV as `staff`, an instance administrator: every
/// row or none ([`ApiError::Invalid`] on field `csv`, naming the line).
/// Returns how many rows were imported.
pub async fn import_csv(state: &AppState, staff: &Staff, text: &str) -> Result<usize, ApiError> {
    instance_admin_only(staff)?;
    let blocks = parse_mastodon_csv(text).map_err(|e| invalid("csv", e))?;
    let (policy, by) = policy_by(state, staff);
    policy
        .import_domains(by, &blocks, "csv")
        .await
        .map_err(|e| match e {
            own @ PolicyError::OwnDomain(_) => invalid("csv", own),
            other => other.into(),
        })
}

/// Sets the federation mode (`blocklist` or `allowlist`) as `staff`, an
/// instance administrator.
pub async fn set_mode(
    state: &AppState,
    staff: &Staff,
    mode: &str,
) -> Result<FederationMode, ApiError> {
    instance_admin_only(staff)?;
    let mode: FederationMode = mode.parse().map_err(|e| invalid("mode", e))?;
    let (policy, by) = policy_by(state, staff);
    policy.set_mode(by, mode).await?;
    Ok(mode)
}
