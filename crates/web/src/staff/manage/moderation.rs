//! `GET /staff/moderation`: the newest comments on the items of the
//! agencies the staff member moderates (every agency for an instance
//! admin), hidden ones too, each with its buttons and a link to its
//! thread; the accounts those agencies have blocked, each with a button
//! to lift the block; for instance administrators also the reports
//! (`Flag`s) other servers sent, to resolve, and a form to block a whole
//! domain. Rights and effects are the API's (`routes::api::{comments,
//! blocks, admin::reports, admin::domain_blocks}`).

use super::{DoneQuery, done_notice, see_other, thread::ModComment, when, with_done};
use crate::{
    auth::require_instance_admin,
    error::ApiError,
    pages::{
        ctx::{Chrome, Ctx},
        views::web_href,
    },
    routes::api::{
        admin::{domain_blocks::put_domain, reports::resolve_report},
        blocks::unblock_for_agency,
    },
    session::{StaffForm, StaffSession},
};
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use deling_domain::policy::Domain;
use deling_store::records::Agency;

/// Comments listed (the newest).
const NEWEST_COMMENTS: u64 = 50;
/// Open reports listed (the newest).
const NEWEST_REPORTS: usize = 100;

/// A report received from another server.
struct ReportLine {
    id: i64,
    reporter: String,
    reporter_href: Option<String>,
    content: String,
    objects: Vec<(String, Option<String>)>,
    date: String,
    datetime: String,
}

/// An account one of the agencies has blocked.
struct BlockLine {
    actor: String,
    actor_href: Option<String>,
    agency_slug: String,
    agency_name: String,
    reason: Option<String>,
    date: String,
    datetime: String,
}

/// The domain block form, as typed and with what was wrong.
#[derive(Default)]
struct DomainForm {
    domain: String,
    severity: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/manage/moderation.html")]
struct ModerationPage {
    c: Chrome,
    csrf: String,
    back: String,
    notice: Option<String>,
    comments: Vec<ModComment>,
    blocks: Vec<BlockLine>,
    instance_admin: bool,
    reports: Vec<ReportLine>,
    domain: DomainForm,
}

async fn render(
    ctx: &Ctx,
    session: &StaffSession,
    notice: Option<String>,
    domain: DomainForm,
) -> Result<HttpResponse, ApiError> {
    let (state, staff) = (&ctx.state, &session.staff);
    let mut agencies: Vec<Agency> = if staff.instance_admin {
        state.store.list_agencies().await?
    } else {
        state
            .store
            .list_memberships(staff.id)
            .await?
            .into_iter()
            .map(|(a, _)| a)
            .collect()
    };
    // A withdrawn agency hears nothing more: nothing of it to moderate.
    agencies.retain(|a| a.deleted_at.is_none());
    let agency_ids: Vec<i64> = agencies.iter().map(|a| a.id).collect();
    let blocks = state
        .store
        .list_agency_blocks(&agency_ids)
        .await?
        .into_iter()
        .filter_map(|b| {
            let agency = agencies.iter().find(|a| a.id == b.agency_id)?;
            let (date, datetime) = when(b.created_at);
            Some(BlockLine {
                actor_href: web_href(&b.actor),
                actor: b.actor,
                agency_slug: agency.slug.to_string(),
                agency_name: agency.name.clone(),
                reason: b.reason,
                date,
                datetime,
            })
        })
        .collect();
    let rows = state
        .store
        .list_agency_comments(&agency_ids, None, true, NEWEST_COMMENTS)
        .await?;
    let comments = rows
        .iter()
        .map(|r| ModComment::new(ctx, &r.comment, r.hidden, &r.item_title))
        .collect();
    let reports = if staff.instance_admin {
        state
            .store
            .list_reports(true, None, NEWEST_REPORTS as u64)
            .await?
            .into_iter()
            .map(|r| {
                let (date, datetime) = when(r.created_at);
                let objects = r
                    .objects
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|o| o.as_str())
                            .map(|o| (o.to_owned(), web_href(o)))
                            .collect()
                    })
                    .unwrap_or_default();
                ReportLine {
                    id: r.id,
                    reporter_href: web_href(&r.reporter),
                    reporter: r.reporter,
                    content: r.content,
                    objects,
                    date,
                    datetime,
                }
            })
            .collect()
    } else {
        vec![]
    };
    let status = if domain.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ModerationPage {
        c: ctx.staff_chrome(ctx.t.msg("mod-title"), session, "moderation"),
        csrf: session.csrf().to_owned(),
        back: "/staff/moderation".into(),
        notice,
        comments,
        blocks,
        instance_admin: staff.instance_admin,
        reports,
        domain,
    };
    let mut res = ctx.staff_ok(&page);
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /staff/moderation`.
pub async fn page(ctx: Ctx, session: StaffSession, q: web::Query<DoneQuery>) -> HttpResponse {
    ctx.staff_page(async {
        let notice = done_notice(&ctx, q.done.as_deref());
        render(&ctx, &session, notice, DomainForm::default()).await
    })
    .await
}

/// `POST /staff/moderation/reports/{id}/resolve` (instance admins).
pub async fn resolve(ctx: Ctx, id: web::Path<i64>, form: StaffForm) -> HttpResponse {
    ctx.staff_page(async {
        resolve_report(&ctx.state, &form.session.staff, *id).await?;
        Ok(see_other(&with_done(
            "/staff/moderation#reports-h",
            "resolved",
        )))
    })
    .await
}

/// `POST /staff/moderation/blocks/remove`: lifts the block of `actor` by
/// agency `agency` (a slug), for its editors and instance admins, as the
/// API does (`routes::api::blocks::unblock_for_agency`).
pub async fn unblock(ctx: Ctx, form: StaffForm) -> HttpResponse {
    ctx.staff_page(async {
        let agency = crate::lookup::agency(&ctx.state, form.fields.text("agency")).await?;
        unblock_for_agency(
            &ctx.state,
            &form.session.staff,
            &agency,
            form.fields.text("actor"),
        )
        .await?;
        Ok(see_other(&with_done(
            "/staff/moderation#blocks-h",
            "unblocked",
        )))
    })
    .await
}

/// `POST /staff/moderation/domain-blocks` (instance admins): suspends or
/// silences a whole domain, through the same function as the API and the
/// administration pages (`routes::api::admin::domain_blocks::put_domain`).
pub async fn block_domain(ctx: Ctx, form: StaffForm) -> HttpResponse {
    ctx.staff_page(async {
        let session = &form.session;
        require_instance_admin(&session.staff)?;
        let typed = DomainForm {
            domain: form.fields.text("domain").trim().to_owned(),
            severity: form.fields.text("severity").to_owned(),
            error: None,
        };
        if !matches!(typed.severity.as_str(), "suspend" | "silence") {
            return Err(ApiError::BadRequest("no such severity".into()));
        }
        let key = if typed.domain.is_empty() {
            "mod-domain-error-empty"
        } else {
            match put_domain(
                &ctx.state,
                &session.staff,
                &typed.domain,
                &typed.severity,
                None,
                None,
            )
            .await
            {
                Ok(_) => {
                    return Ok(see_other(&with_done(
                        "/staff/moderation#domain-h",
                        "domain-blocked",
                    )));
                }
                // A well-formed domain refused is this server's own.
                Err(ApiError::Invalid(_)) if Domain::parse(&typed.domain).is_ok() => {
                    "mod-domain-error-own"
                }
                Err(ApiError::Invalid(_)) => "mod-domain-error-malformed",
                Err(e) => return Err(e),
            }
        };
        let typed = DomainForm {
            error: Some(ctx.t.msg(key)),
            ..typed
        };
        render(&ctx, session, None, typed).await
    })
    .await
}
