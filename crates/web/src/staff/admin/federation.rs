//! `GET/POST /staff/admin/federation`: the federation policy, for
//! instance administrators: the mode (block list or allow list), domain
//! policies with their reasons, Mastodon's domain-block CSV out (a
//! download) and in (pasted), and blocked actors. Every change goes
//! through the API's functions (`routes::api::admin`), which use the
//! policy service and write the same audit entries.

use super::{AREA, DoneQuery, form::Problems, see_other};
use crate::{
    auth::require_instance_admin,
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    routes::api::admin::{actor_blocks, domain_blocks},
    session::{StaffForm, StaffSession},
};
use actix_web::{HttpResponse, http::StatusCode, http::header, web};
use askama::Template;
use deling_domain::policy::FederationMode;

/// What the forms held, as typed (only the posted one is filled in).
#[derive(Debug, Clone, Default)]
struct Typed {
    domain: String,
    severity: String,
    public_comment: String,
    private_comment: String,
    csv: String,
    actor: String,
    reason: String,
}

struct DomainRow {
    domain: String,
    severity: String,
    public_comment: String,
    private_comment: String,
    created: String,
    remove_label: String,
}

struct ActorRow {
    actor: String,
    reason: String,
    created: String,
    remove_label: String,
}

/// A severity a domain may be given, for the select.
struct SeverityOption {
    value: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "staff/admin/federation.html")]
struct FederationPage {
    c: Chrome,
    csrf: String,
    allowlist: bool,
    domains: Vec<DomainRow>,
    actors: Vec<ActorRow>,
    severities: Vec<SeverityOption>,
    form: Typed,
    problems: Problems,
    general: Option<String>,
    notice: Option<String>,
}

fn severity_label(ctx: &Ctx, s: &str) -> String {
    match s {
        "suspend" => ctx.t.msg("admin-severity-suspend"),
        "silence" => ctx.t.msg("admin-severity-silence"),
        "reject_media" => ctx.t.msg("admin-severity-reject-media"),
        "allow" => ctx.t.msg("admin-severity-allow"),
        other => other.to_owned(),
    }
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

async fn render(
    ctx: &Ctx,
    session: &StaffSession,
    status: StatusCode,
    form: Typed,
    problems: Problems,
    notice: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let store = &ctx.state.store;
    let allowlist = store.get_federation_mode().await? == FederationMode::Allowlist;
    let domains = store
        .list_domain_policies()
        .await?
        .into_iter()
        .map(|r| DomainRow {
            severity: severity_label(ctx, &r.severity),
            public_comment: r.public_comment.unwrap_or_default(),
            private_comment: r.private_comment.unwrap_or_default(),
            created: when(r.created_at),
            remove_label: ctx
                .t
                .msg_with("admin-domain-remove", &[("domain", &r.domain)]),
            domain: r.domain,
        })
        .collect();
    let actors = store
        .list_actor_blocks()
        .await?
        .into_iter()
        .map(|r| ActorRow {
            reason: r.reason.unwrap_or_default(),
            created: when(r.created_at),
            remove_label: ctx.t.msg_with("admin-actor-remove", &[("actor", &r.actor)]),
            actor: r.actor,
        })
        .collect();
    let severities = ["suspend", "silence", "reject_media", "allow"]
        .into_iter()
        .map(|value| SeverityOption {
            value,
            label: severity_label(ctx, value),
        })
        .collect();
    let page = FederationPage {
        c: ctx.staff_chrome(ctx.t.msg("admin-federation-title"), session, AREA),
        csrf: session.csrf().to_owned(),
        allowlist,
        domains,
        actors,
        severities,
        form,
        problems,
        general: None,
        notice,
    };
    let mut res = ctx.staff_ok(&page);
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /staff/admin/federation`.
pub async fn page(ctx: Ctx, session: StaffSession, q: web::Query<DoneQuery>) -> HttpResponse {
    ctx.staff_page(async {
        require_instance_admin(&session.staff)?;
        let notice = q.notice(&ctx);
        render(
            &ctx,
            &session,
            StatusCode::OK,
            Typed::default(),
            Problems::default(),
            notice,
        )
        .await
    })
    .await
}

/// `GET /staff/admin/federation/domain-blocks.csv`: the domain policies
/// as Mastodon's CSV, as a download.
pub async fn export(ctx: Ctx, session: StaffSession) -> HttpResponse {
    ctx.staff_page(async {
        let csv = domain_blocks::export_csv(&ctx.state, &session.staff).await?;
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"domain_blocks.csv\"",
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(csv))
    })
    .await
}

fn opt(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// `POST /staff/admin/federation`: `action` names the form: `mode`,
/// `domain-add`, `domain-remove`, `import`, `actor-add` or
/// `actor-remove`. A mistake shows the page again (422) with the problem
/// next to its field and what was typed kept.
pub async fn submit(ctx: Ctx, form: StaffForm) -> HttpResponse {
    let session = &form.session;
    ctx.staff_page(async {
        require_instance_admin(&session.staff)?;
        let (state, staff, f) = (&ctx.state, &session.staff, &form.fields);
        let typed = Typed {
            domain: f.text("domain").to_owned(),
            severity: f.text("severity").to_owned(),
            public_comment: f.text("public_comment").to_owned(),
            private_comment: f.text("private_comment").to_owned(),
            csv: f.text("csv").to_owned(),
            actor: f.text("actor").to_owned(),
            reason: f.text("reason").to_owned(),
        };
        let mut problems = Problems::default();
        let done = match f.text("action") {
            "mode" => {
                domain_blocks::set_mode(state, staff, f.text("mode")).await?;
                "done=mode".to_owned()
            }
            "domain-add" => {
                let put = domain_blocks::put_domain(
                    state,
                    staff,
                    &typed.domain,
                    &typed.severity,
                    opt(&typed.public_comment),
                    opt(&typed.private_comment),
                )
                .await;
                match put {
                    Ok(_) => "done=domain-added".to_owned(),
                    Err(ApiError::Invalid(errors)) => {
                        problems =
                            Problems::from_fields(&errors, &["domain", "severity"], |f| match f {
                                "domain" => {
                                    (ctx.t.msg("admin-error-domain"), "admin-domain".into())
                                }
                                _ => (ctx.t.msg("admin-error-severity"), "admin-severity".into()),
                            });
                        String::new()
                    }
                    Err(e) => return Err(e),
                }
            }
            "domain-remove" => {
                domain_blocks::delete_domain(state, staff, f.text("domain")).await?;
                "done=domain-removed".to_owned()
            }
            "import" => {
                if typed.csv.trim().is_empty() {
                    problems.push("csv", "admin-csv", ctx.t.msg("admin-error-csv-empty"));
                    String::new()
                } else {
                    match domain_blocks::import_csv(state, staff, &typed.csv).await {
                        Ok(n) => format!("done=imported&n={n}"),
                        Err(ApiError::Invalid(errors)) => {
                            let detail = errors
                                .iter()
                                .map(|e| e.problem.clone())
                                .collect::<Vec<_>>()
                                .join("; ");
                            problems.push_detailed(
                                "csv",
                                "admin-csv",
                                ctx.t.msg("admin-error-csv"),
                                detail,
                            );
                            String::new()
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            "actor-add" => {
                let reason = opt(&typed.reason);
                match actor_blocks::block_actor(state, staff, &typed.actor, reason).await {
                    Ok(_) => "done=actor-added".to_owned(),
                    Err(ApiError::Invalid(_)) => {
                        problems.push("actor", "admin-actor", ctx.t.msg("admin-error-actor"));
                        String::new()
                    }
                    Err(e) => return Err(e),
                }
            }
            "actor-remove" => {
                actor_blocks::unblock_actor(state, staff, f.text("actor")).await?;
                "done=actor-removed".to_owned()
            }
            _ => return Err(ApiError::BadRequest("no such action".into())),
        };
        if problems.is_empty() {
            return Ok(see_other(&format!("/staff/admin/federation?{done}")));
        }
        render(
            &ctx,
            session,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            problems,
            None,
        )
        .await
    })
    .await
}
