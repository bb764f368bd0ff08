//! `GET /staff/admin/audit`: the audit log, newest first, a page at a
//! time, for instance administrators; `GET
//! /staff/admin/agencies/{slug}/audit`: one agency's entries, for its
//! admins. Read through the API's `audit_page` and `agency_audit_page`,
//! so they page the same way.

use super::AREA;
use crate::{
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    routes::api::{admin::audit::audit_page, agency_audit::agency_audit_page},
    session::StaffSession,
};
use actix_web::{HttpResponse, web};
use askama::Template;
use deling_store::queries::audit::AuditEntry;
use serde::Deserialize;

/// Entries on one page.
const PER_PAGE: u64 = 50;

/// The query: which page (from 1).
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<u64>,
}

struct EntryRow {
    at: String,
    at_iso: String,
    actor: String,
    action: String,
    target: String,
    details: String,
}

#[derive(Template)]
#[template(path = "staff/admin/audit.html")]
struct AuditPage {
    c: Chrome,
    intro: String,
    /// This page's path, which the page links add `?page=N` to.
    base: String,
    entries: Vec<EntryRow>,
    newer: Option<u64>,
    older: Option<u64>,
    page_label: String,
}

impl EntryRow {
    fn new(r: AuditEntry) -> Self {
        Self {
            at: r.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            at_iso: r.created_at.to_rfc3339(),
            actor: r.actor,
            action: r.action,
            target: r.target,
            details: match &r.details {
                serde_json::Value::Object(m) if m.is_empty() => String::new(),
                d => d.to_string(),
            },
        }
    }
}

/// Renders page `page` of `rows` (read one longer than shown, to know
/// whether there is an older page).
fn render(
    ctx: &Ctx,
    session: &StaffSession,
    title: String,
    intro: String,
    base: String,
    page: u64,
    mut rows: Vec<AuditEntry>,
) -> HttpResponse {
    let older = (rows.len() > PER_PAGE as usize).then_some(page + 1);
    rows.truncate(PER_PAGE as usize);
    let view = AuditPage {
        c: ctx.staff_chrome(title, session, AREA),
        intro,
        base,
        entries: rows.into_iter().map(EntryRow::new).collect(),
        newer: (page > 1).then(|| page - 1),
        older,
        page_label: ctx.t.msg_n("admin-audit-page", page),
    };
    ctx.staff_ok(&view)
}

/// `GET /staff/admin/audit?page=N`.
pub async fn page(ctx: Ctx, session: StaffSession, q: web::Query<PageQuery>) -> HttpResponse {
    ctx.staff_page(async {
        let page = q.page.unwrap_or(1).max(1);
        let rows = audit_page(&ctx.state, &session.staff, Some(page), PER_PAGE).await?;
        let older = ctx
            .state
            .store
            .list_audit(1, page.saturating_mul(PER_PAGE))
            .await
            .map_err(ApiError::from)?;
        let rows = rows.into_iter().chain(older).collect();
        Ok(render(
            &ctx,
            &session,
            ctx.t.msg("admin-audit-title"),
            ctx.t.msg("admin-audit-intro"),
            "/staff/admin/audit".into(),
            page,
            rows,
        ))
    })
    .await
}

/// `GET /staff/admin/agencies/{slug}/audit?page=N`.
pub async fn agency_page(
    ctx: Ctx,
    session: StaffSession,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> HttpResponse {
    ctx.staff_page(async {
        let agency = crate::lookup::agency(&ctx.state, &slug).await?;
        let page = q.page.unwrap_or(1).max(1);
        let rows =
            agency_audit_page(&ctx.state, &session.staff, &agency, Some(page), PER_PAGE).await?;
        let older = ctx
            .state
            .store
            .list_agency_audit(agency.id, 1, page.saturating_mul(PER_PAGE))
            .await
            .map_err(ApiError::from)?;
        let rows = rows.into_iter().chain(older).collect();
        let with = [("agency", agency.name.as_str())];
        Ok(render(
            &ctx,
            &session,
            ctx.t.msg_with("admin-agency-audit-title", &with),
            ctx.t.msg("admin-agency-audit-intro"),
            format!("/staff/admin/agencies/{}/audit", agency.slug),
            page,
            rows,
        ))
    })
    .await
}
