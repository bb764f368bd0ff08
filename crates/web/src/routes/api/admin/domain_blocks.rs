//! `/api/v1/admin/domain-blocks` and `/api/v1/admin/federation-mode`: the
//! policy per domain (block, limit, allow) and whether unknown domains
//! federate at all.

use super::{instance_admin_only, invalid, policy_by, require_instance_admin};
use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, http::header, mime, web};
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
    #[schema(value_type = crate::dto::SeverityName)]
    severity: String,
    public_comment: Option<String>,
    private_comment: Option<String>,
    created: chrono::DateTime<chrono::Utc>,
}

/// Every domain policy, by domain.
#[utoipa::path(get, operation_id = "listDomainBlocks", path = "/api/v1/admin/domain-blocks", tag = "admin", security(("bearer" = [])),
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
    #[schema(value_type = crate::dto::SeverityName)]
    severity: String,
    #[serde(default)]
    public_comment: Option<String>,
    #[serde(default)]
    private_comment: Option<String>,
}

/// Sets the policy for a domain (not this server's own).
#[utoipa::path(post, operation_id = "setDomainBlock", path = "/api/v1/admin/domain-blocks", tag = "admin", request_body = DomainBlockBody, security(("bearer" = [])),
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
#[utoipa::path(delete, operation_id = "deleteDomainBlock", path = "/api/v1/admin/domain-blocks/{domain}", tag = "admin", params(("domain" = String, Path, description = "The domain")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 422, body = Problem, description = "Not a host name")))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    domain: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    delete_domain(&state, &auth.staff, &domain).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The domain policies as Mastodon's CSV.
#[utoipa::path(get, operation_id = "exportDomainBlocks", path = "/api/v1/admin/domain-blocks/export", tag = "admin", security(("bearer" = [])),
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

/// What a CSV import stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedView {
    /// Rows imported (Mastodon's plain `noop` rows are skipped).
    pub imported: usize,
}

/// Imports Mastodon's CSV, all rows or none. The body must be sent as
/// `text/csv` (a `charset` other than UTF-8 is refused), and must not be
/// empty.
#[utoipa::path(post, operation_id = "importDomainBlocks", path = "/api/v1/admin/domain-blocks/import", tag = "admin",
    request_body(content = String, content_type = "text/csv", description = "Mastodon's domain-block export, in UTF-8"),
    security(("bearer" = [])),
    responses((status = 200, body = ImportedView), (status = 400, body = Problem, description = "The body is not UTF-8"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem, description = "Not sent as `text/csv`"),
        (status = 422, body = Problem, description = "The CSV is empty, or a row is not valid (`errors` names the line)")))]
pub async fn import(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    require_csv(&req)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the CSV is not UTF-8".into()))?;
    let imported = import_csv(&state, &auth.staff, text).await?;
    Ok(HttpResponse::Ok().json(ImportedView { imported }))
}

/// Refuses (`415`) a body not declared as `text/csv` in UTF-8. Without
/// this, any upload (an image, a form) was read as CSV, and a client
/// sending the wrong file learned nothing until rows were stored.
fn require_csv(req: &HttpRequest) -> Result<(), ApiError> {
    let refused =
        || ApiError::UnsupportedMediaType("send the body as text/csv (in UTF-8)".to_owned());
    let mime = req.mime_type().ok().flatten().ok_or_else(refused)?;
    let utf8 = mime
        .get_param(mime::CHARSET)
        .is_none_or(|c| c == mime::UTF_8 || c.as_str().eq_ignore_ascii_case("us-ascii"));
    if mime.type_() == mime::TEXT && mime.subtype() == mime::CSV && utf8 {
        Ok(())
    } else {
        Err(refused())
    }
}

/// The federation mode.
#[utoipa::path(get, operation_id = "getFederationMode", path = "/api/v1/admin/federation-mode", tag = "admin", security(("bearer" = [])),
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
    #[schema(value_type = crate::dto::FederationModeName)]
    mode: String,
}

/// Sets the federation mode.
#[utoipa::path(put, operation_id = "setFederationMode", path = "/api/v1/admin/federation-mode", tag = "admin", request_body = ModeBody, security(("bearer" = [])),
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
/// An empty text (or only white space) is refused the same way: it is a
/// mistake (the wrong file, a lost upload), not a list to import, and
/// must leave no audit entry saying something was imported. Returns how
/// many rows were imported.
pub async fn import_csv(state: &AppState, staff: &Staff, text: &str) -> Result<usize, ApiError> {
    instance_admin_only(staff)?;
    if text.trim().is_empty() {
        return Err(invalid("csv", "the CSV is empty"));
    }
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
