//! Federation policy and moderation over the API: domain blocks (and the
//! allow-list mode), blocked actors, reports, comment moderation and the
//! audit log. Every change is written to the audit log.

use crate::{auth::Authenticated, error::ApiError, state::AppState};
use actix_web::{HttpResponse, http::header, web};
use deling_domain::{
    FieldError,
    policy::{Domain, FederationMode, Severity, parse_mastodon_csv, to_mastodon_csv},
};
use deling_federation::policy::{ChangedBy, PolicyError, PolicyService, block_reason};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Full paths, registered before the API's `/api/v1` scope: a scope
    // answers 404 for what it does not hold, so a second one would never
    // be reached.
    cfg.route(
        "/api/v1/admin/domain-blocks",
        web::get().to(list_domain_blocks),
    )
    .route(
        "/api/v1/admin/domain-blocks",
        web::post().to(put_domain_block),
    )
    .route(
        "/api/v1/admin/domain-blocks/export",
        web::get().to(export_domain_blocks),
    )
    .route(
        "/api/v1/admin/domain-blocks/import",
        web::post().to(import_domain_blocks),
    )
    .route(
        "/api/v1/admin/domain-blocks/{domain}",
        web::delete().to(delete_domain_block),
    )
    .route("/api/v1/admin/federation-mode", web::get().to(get_mode))
    .route("/api/v1/admin/federation-mode", web::put().to(put_mode))
    .route(
        "/api/v1/admin/actor-blocks",
        web::get().to(list_actor_blocks),
    )
    .route(
        "/api/v1/admin/actor-blocks",
        web::post().to(put_actor_block),
    )
    .route(
        "/api/v1/admin/actor-blocks",
        web::delete().to(delete_actor_block),
    )
    .route("/api/v1/admin/reports", web::get().to(list_reports))
    .route(
        "/api/v1/admin/reports/{id}/resolve",
        web::post().to(resolve_report),
    )
    .route("/api/v1/admin/audit", web::get().to(list_audit))
    .route("/api/v1/comments/{id}/hide", web::post().to(hide_comment))
    .route(
        "/api/v1/comments/{id}/unhide",
        web::post().to(unhide_comment),
    )
    .route("/api/v1/comments/{id}", web::delete().to(delete_comment))
    .route(
        "/api/v1/comments/{id}",
        web::patch().to(crate::routes::api::federation::edit_comment),
    )
    .route(
        "/api/v1/comments/{id}/block-author",
        web::post().to(block_comment_author),
    );
}

fn invalid(field: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::Invalid(vec![FieldError::new(field, e)])
}

fn require_instance_admin(auth: &Authenticated) -> Result<(), ApiError> {
    if auth.staff.instance_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only instance administrators may do this".into(),
        ))
    }
}

/// The policy service for the instance, as changed by the caller.
fn policy<'a>(state: &'a AppState, auth: &'a Authenticated) -> (PolicyService<'a>, ChangedBy<'a>) {
    (
        PolicyService::new(&state.store, &state.settings.domain),
        ChangedBy {
            staff_id: Some(auth.staff.id),
            name: &auth.staff.username,
        },
    )
}

async fn audit(
    state: &AppState,
    auth: &Authenticated,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    state
        .store
        .put_audit(
            Some(auth.staff.id),
            &auth.staff.username,
            action,
            target,
            details,
        )
        .await?;
    Ok(())
}

/// A domain policy.
#[derive(Debug, Serialize)]
pub struct DomainBlockView {
    domain: String,
    severity: String,
    public_comment: Option<String>,
    private_comment: Option<String>,
    created: chrono::DateTime<chrono::Utc>,
}

async fn list_domain_blocks(
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainBlockBody {
    domain: String,
    severity: String,
    #[serde(default)]
    public_comment: Option<String>,
    #[serde(default)]
    private_comment: Option<String>,
}

async fn put_domain_block(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::input::JsonBody<DomainBlockBody>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let body = body.into_inner();
    let mut errors = Vec::new();
    let domain = Domain::parse(&body.domain)
        .map_err(|e| errors.push(FieldError::new("domain", e)))
        .ok();
    let severity = body
        .severity
        .parse::<Severity>()
        .map_err(|e| errors.push(FieldError::new("severity", e)))
        .ok();
    let (Some(domain), Some(severity)) = (domain, severity) else {
        return Err(ApiError::Invalid(errors));
    };
    let (policy, by) = policy(&state, &auth);
    let row = policy
        .put_domain(
            by,
            &domain,
            severity,
            body.public_comment.as_deref(),
            body.private_comment.as_deref(),
        )
        .await
        .map_err(|e| match e {
            PolicyError::OwnDomain(_) => invalid("domain", "that is this server"),
            other => other.into(),
        })?;
    Ok(HttpResponse::Created().json(DomainBlockView {
        domain: row.domain,
        severity: row.severity,
        public_comment: row.public_comment,
        private_comment: row.private_comment,
        created: row.created_at,
    }))
}

async fn delete_domain_block(
    state: web::Data<AppState>,
    auth: Authenticated,
    domain: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let domain = Domain::parse(&domain).map_err(|e| invalid("domain", e))?;
    let (policy, by) = policy(&state, &auth);
    policy
        .delete_domain(by, &domain)
        .await
        .map_err(|e| match e {
            PolicyError::NoPolicy(_) => ApiError::NotFound(format!("no policy for {domain}")),
            other => other.into(),
        })?;
    Ok(HttpResponse::NoContent().finish())
}

async fn export_domain_blocks(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let (policy, _) = policy(&state, &auth);
    let blocks = policy.domain_blocks().await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"domain_blocks.csv\"",
        ))
        .body(to_mastodon_csv(&blocks)))
}

async fn import_domain_blocks(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the CSV is not UTF-8".into()))?;
    let blocks = parse_mastodon_csv(text).map_err(|e| invalid("csv", e))?;
    let (policy, by) = policy(&state, &auth);
    let n = policy
        .import_domains(by, &blocks, "csv")
        .await
        .map_err(|e| match e {
            own @ PolicyError::OwnDomain(_) => invalid("csv", own),
            other => other.into(),
        })?;
    Ok(HttpResponse::Ok().json(json!({"imported": n})))
}

async fn get_mode(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let mode = state.store.get_federation_mode().await?;
    Ok(HttpResponse::Ok().json(json!({"mode": mode.as_str()})))
}

/// Body of `PUT /api/v1/admin/federation-mode`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModeBody {
    mode: String,
}

async fn put_mode(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::input::JsonBody<ModeBody>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let mode: FederationMode = body
        .into_inner()
        .mode
        .parse()
        .map_err(|e| invalid("mode", e))?;
    let (policy, by) = policy(&state, &auth);
    policy.set_mode(by, mode).await?;
    Ok(HttpResponse::Ok().json(json!({"mode": mode.as_str()})))
}

async fn list_actor_blocks(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let rows = state.store.list_actor_blocks().await?;
    let views: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| json!({"actor": r.actor, "reason": r.reason, "created": r.created_at}))
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Body of `POST /api/v1/admin/actor-blocks`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorBlockBody {
    actor: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn put_actor_block(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: crate::input::JsonBody<ActorBlockBody>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let body = body.into_inner();
    let actor =
        deling_domain::web_url::WebUrl::parse(&body.actor).map_err(|e| invalid("actor", e))?;
    let (policy, by) = policy(&state, &auth);
    let reason = body.reason.as_deref();
    let row = policy
        .block_actor(by, actor.as_str(), reason, block_reason(reason))
        .await?;
    Ok(HttpResponse::Created()
        .json(json!({"actor": row.actor, "reason": row.reason, "created": row.created_at})))
}

/// Query of `DELETE /api/v1/admin/actor-blocks`.
#[derive(Debug, Deserialize)]
pub struct ActorQuery {
    actor: String,
}

async fn delete_actor_block(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<ActorQuery>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let (policy, by) = policy(&state, &auth);
    policy
        .unblock_actor(by, &q.actor)
        .await
        .map_err(|e| match e {
            PolicyError::NotBlocked(_) => ApiError::NotFound(format!("{} is not blocked", q.actor)),
            other => other.into(),
        })?;
    Ok(HttpResponse::NoContent().finish())
}

/// Query of `GET /api/v1/admin/reports`.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    status: Option<String>,
}

async fn list_reports(
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
    let rows = state.store.list_reports(only_open).await?;
    let views: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| {
            json!({"id": r.id, "ap_id": r.ap_id, "reporter": r.reporter, "content": r.content,
                   "objects": r.objects, "status": r.status, "created": r.created_at, "resolved": r.resolved_at})
        })
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

async fn resolve_report(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    if !state.store.resolve_report(*id).await? {
        return Err(ApiError::NotFound(format!("no report {id}")));
    }
    audit(&state, &auth, "report.resolve", &id.to_string(), json!({})).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Query of `GET /api/v1/admin/audit`.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    page: Option<u64>,
    #[serde(default)]
    per_page: Option<u64>,
}

async fn list_audit(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    require_instance_admin(&auth)?;
    let per_page = q.per_page.unwrap_or(50);
    if !(1..=200).contains(&per_page) {
        return Err(ApiError::BadRequest(
            "query parameter per_page: must be 1 to 200".into(),
        ));
    }
    let page = q.page.unwrap_or(1).max(1);
    let offset = (page - 1)
        .checked_mul(per_page)
        .filter(|o| *o <= i64::MAX as u64)
        .ok_or_else(|| {
            ApiError::BadRequest("query parameter page: is past the last possible page".into())
        })?;
    let rows = state.store.list_audit(per_page, offset).await?;
    let views: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| {
            json!({"id": r.id, "actor": r.actor, "action": r.action, "target": r.target,
                        "details": r.details, "at": r.created_at})
        })
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Finds a comment the caller may moderate: an editor of the agency that
/// owns the item it is on, or an instance admin.
async fn moderated(
    state: &AppState,
    auth: &Authenticated,
    id: i64,
) -> Result<deling_store::queries::comment::ModeratedComment, ApiError> {
    let c = state
        .store
        .get_comment_for_moderation(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    if auth.staff.instance_admin {
        return Ok(c);
    }
    let item = state
        .store
        .get_item(c.item_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    let agency_id = item.agency_id().ok_or_else(|| {
        ApiError::Forbidden("comments on other servers' items are moderated there".into())
    })?;
    let agency = state
        .store
        .get_agency(agency_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("agency not found".into()))?;
    auth.require_editor(state, &agency).await?;
    Ok(c)
}

async fn hide_comment(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    moderated(&state, &auth, *id).await?;
    state.store.set_comment_hidden(*id, true).await?;
    audit(&state, &auth, "comment.hide", &id.to_string(), json!({})).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn unhide_comment(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    moderated(&state, &auth, *id).await?;
    state.store.set_comment_hidden(*id, false).await?;
    audit(&state, &auth, "comment.unhide", &id.to_string(), json!({})).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes a comment. A remote author's comment is removed here (its
/// item's moderators); an agency's own comment is deleted by its staff and
/// the deletion is sent to everyone who received it.
async fn delete_comment(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let found = state.store.get_comment_for_moderation(*id).await?;
    let c = found.ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    if let deling_store::records::CommentAuthor::Agency { slug, .. } = &c.comment.author {
        let agency = crate::lookup::agency(&state, slug).await?;
        auth.require_editor(&state, &agency).await?;
        let audit = deling_store::queries::audit::Audit::new(
            Some(auth.staff.id),
            &auth.staff.username,
            "comment.delete",
            &id.to_string(),
        )
        .with("author", state.urls.agency(slug).as_str());
        if !state
            .store
            .delete_own_comment(*id, agency.id, Some(&audit))
            .await?
        {
            return Err(ApiError::NotFound(format!("no comment {id}")));
        }
        state.wake_federation();
        return Ok(HttpResponse::NoContent().finish());
    }
    let c = moderated(&state, &auth, *id).await?;
    state.store.delete_comment(*id).await?;
    audit(
        &state,
        &auth,
        "comment.delete",
        &id.to_string(),
        json!({"author": c.remote_author}),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn block_comment_author(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let c = moderated(&state, &auth, *id).await?;
    let Some(author) = c.remote_author else {
        return Err(ApiError::Conflict(
            "the author is an agency on this server".into(),
        ));
    };
    let (policy, by) = policy(&state, &auth);
    policy
        .block_actor(
            by,
            &author,
            Some(&format!("author of comment {id}")),
            json!({"comment": *id}),
        )
        .await?;
    state.store.set_comment_hidden(*id, true).await?;
    Ok(HttpResponse::Created().json(json!({"actor": author})))
}
