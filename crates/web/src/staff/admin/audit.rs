//! `GET /staff/admin/audit`: the audit log, newest first, a page at a
//! time, for instance administrators. Read through the API's
//! `audit_page`, so it pages the same way.

use super::AREA;
use crate::{
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    routes::api::admin::audit::audit_page,
    session::StaffSession,
};
use actix_web::{HttpResponse, web};
use askama::Template;
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
    entries: Vec<EntryRow>,
    newer: Option<u64>,
    older: Option<u64>,
    page_label: String,
}

/// `GET /staff/admin/audit?page=N`.
pub async fn page(ctx: Ctx, session: StaffSession, q: web::Query<PageQuery>) -> HttpResponse {
    ctx.staff_page(async {
        let page = q.page.unwrap_or(1).max(1);
        // One more than shown, to know whether there is an older page.
        let mut rows = audit_page(&ctx.state, &session.staff, Some(page), PER_PAGE).await?;
        let older = ctx
            .state
            .store
            .list_audit(1, page.saturating_mul(PER_PAGE))
            .await
            .map_err(ApiError::from)?
            .first()
            .map(|_| page + 1);
        rows.truncate(PER_PAGE as usize);
        let entries = rows
            .into_iter()
            .map(|r| EntryRow {
                at: r.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                at_iso: r.created_at.to_rfc3339(),
                actor: r.actor,
                action: r.action,
                target: r.target,
                details: match &r.details {
                    serde_json::Value::Object(m) if m.is_empty() => String::new(),
                    d => d.to_string(),
                },
            })
            .collect();
        let title = ctx.t.msg("admin-audit-title");
        let view = AuditPage {
            c: ctx.staff_chrome(title, &session, AREA),
            entries,
            newer: (page > 1).then(|| page - 1),
            older,
            page_label: ctx.t.msg_n("admin-audit-page", page),
        };
        Ok(ctx.staff_ok(&view))
    })
    .await
}
