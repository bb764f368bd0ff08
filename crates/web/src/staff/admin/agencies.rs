//! `GET/POST /staff/admin/agencies`: every agency on the instance, and a
//! form to create one, for instance administrators. An agency is created
//! by `deling_federation::agencies::create_agency`, as on the command line,
//! and written to the audit log.

use super::{AREA, AgencyRow, DoneQuery, form::Problems, see_other};
use crate::{
    auth::require_instance_admin,
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    session::{StaffForm, StaffSession},
};
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use deling_federation::{
    agencies::{AgencyInput, CreateAgencyError, create_agency},
    policy::ChangedBy,
};

/// The create form, as typed.
#[derive(Debug, Clone, Default)]
struct NewFields {
    slug: String,
    name: String,
    org_number: String,
}

#[derive(Template)]
#[template(path = "staff/admin/agencies.html")]
struct AgenciesPage {
    c: Chrome,
    csrf: String,
    agencies: Vec<AgencyRow>,
    form: NewFields,
    problems: Problems,
    general: Option<String>,
    notice: Option<String>,
}

async fn render(
    ctx: &Ctx,
    session: &StaffSession,
    status: StatusCode,
    form: NewFields,
    problems: Problems,
    notice: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let agencies = ctx
        .state
        .store
        .list_agencies()
        .await?
        .into_iter()
        .map(|a| AgencyRow::new(ctx, a))
        .collect();
    let page = AgenciesPage {
        c: ctx.staff_chrome(ctx.t.msg("admin-agencies-title"), session, AREA),
        csrf: session.csrf().to_owned(),
        agencies,
        form,
        problems,
        general: None,
        notice,
    };
    let mut res = ctx.staff_ok(&page);
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /staff/admin/agencies`.
pub async fn list(ctx: Ctx, session: StaffSession, q: web::Query<DoneQuery>) -> HttpResponse {
    ctx.staff_page(async {
        require_instance_admin(&session.staff)?;
        let notice = q.notice(&ctx);
        render(
            &ctx,
            &session,
            StatusCode::OK,
            NewFields::default(),
            Problems::default(),
            notice,
        )
        .await
    })
    .await
}

/// `POST /staff/admin/agencies`: creates an agency and goes on to its
/// staff page (it has no staff yet), or shows the form again (422).
pub async fn create(ctx: Ctx, form: StaffForm) -> HttpResponse {
    let session = &form.session;
    ctx.staff_page(async {
        require_instance_admin(&session.staff)?;
        let f = &form.fields;
        let typed = NewFields {
            slug: f.text("slug").to_owned(),
            name: f.text("name").to_owned(),
            org_number: f.text("org_number").to_owned(),
        };
        let input = AgencyInput {
            slug: &typed.slug,
            name: &typed.name,
            org_number: Some(typed.org_number.as_str()),
        };
        let by = ChangedBy {
            staff_id: Some(session.staff.id),
            name: &session.staff.username,
        };
        let problems = match create_agency(&ctx.state.store, input, by).await {
            Ok(a) => {
                return Ok(see_other(&format!(
                    "/staff/admin/agencies/{}/staff?done=created",
                    a.slug
                )));
            }
            Err(CreateAgencyError::Invalid(errors)) => Problems::from_fields(
                &errors,
                &["slug", "name", "org_number"],
                |field| match field {
                    "slug" => (ctx.t.msg("admin-error-slug"), "admin-new-slug".into()),
                    "name" => (ctx.t.msg("admin-error-name"), "admin-new-name".into()),
                    _ => (
                        ctx.t.msg("admin-error-org-number"),
                        "admin-new-org-number".into(),
                    ),
                },
            ),
            Err(CreateAgencyError::Taken(_)) => {
                let mut p = Problems::default();
                p.push(
                    "slug",
                    "admin-new-slug",
                    ctx.t.msg("admin-error-slug-taken"),
                );
                p
            }
            Err(CreateAgencyError::Store(e)) => return Err(e.into()),
            Err(e) => return Err(ApiError::Internal(e.to_string())),
        };
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
