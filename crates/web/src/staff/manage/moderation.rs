//! `GET /staff/moderation`: the newest comments on the items of the
//! agencies the staff member moderates (every agency for an instance
//! admin), hidden ones too, each with its buttons and a link to its
//! thread; for instance administrators also the reports (`Flag`s) other
//! servers sent, to resolve, and a form to block a whole domain. Rights
//! and effects are the API's (`routes::api::{comments, admin::reports,
//! admin::domain_blocks}`).

use super::{DoneQuery, done_notice, see_other, thread::ModComment, when, with_done};
use crate::{
    auth::require_instance_admin,
    error::ApiError,
    pages::{
        ctx::{Chrome, Ctx},
        views::web_href,
    },
    routes::api::admin::{domain_blocks::put_domain, reports::resolve_report},
    session::{StaffForm, StaffSession},
};
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use deling_domain::policy::Domain;

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
    let agency_ids: Vec<i64> = if staff.instance_admin {
        state
            .store
            .list_agencies()
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect()
    } else {
        state
            .store
            .list_memberships(staff.id)
            .await?
            .into_iter()
            .map(|(a, _)| a.id)
            .collect()
    };
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
