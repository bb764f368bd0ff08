//! `GET/POST /staff/admin/agencies/{slug}`: an agency's public profile
//! (name, description, logo, web site, organisation number, whether other
//! servers may index it), for the agency's admins and instance
//! administrators. A change goes through the API's `update_profile`, so it
//! is parsed by the same domain types, audited, and sent to followers as
//! an `Update` of the agency's actor.

use super::{AREA, DoneQuery, form::Problems, see_other};
use crate::{
    auth::require_agency_admin,
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    routes::api::agencies::update_profile,
    session::{StaffForm, StaffSession},
};
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use deling_domain::agency::RawAgencyProfile;
use deling_store::records::Agency;

/// What the form holds, as typed.
#[derive(Debug, Clone, Default)]
pub struct ProfileFields {
    /// Display name.
    pub name: String,
    /// Markdown description.
    pub summary: String,
    /// Logo URL.
    pub icon_url: String,
    /// Web site.
    pub website: String,
    /// Organisation number.
    pub org_number: String,
    /// Searchable on other servers.
    pub indexable: bool,
}

impl ProfileFields {
    fn of(a: &Agency) -> Self {
        Self {
            name: a.name.clone(),
            summary: a.summary.clone(),
            icon_url: a.icon_url.clone().unwrap_or_default(),
            website: a.website.clone().unwrap_or_default(),
            org_number: a.org_number.clone().unwrap_or_default(),
            indexable: a.indexable,
        }
    }

    /// The whole profile as the form sends it: an empty optional field
    /// clears it.
    fn to_raw(&self) -> RawAgencyProfile {
        let clearable = |s: &str| Some(Some(s.to_owned()).filter(|s| !s.trim().is_empty()));
        RawAgencyProfile {
            name: Some(self.name.clone()),
            summary: Some(self.summary.clone()),
            website: clearable(&self.website),
            icon_url: clearable(&self.icon_url),
            org_number: clearable(&self.org_number),
            indexable: Some(self.indexable),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/admin/profile.html")]
struct ProfilePage {
    c: Chrome,
    csrf: String,
    agency: Agency,
    public_url: String,
    form: ProfileFields,
    problems: Problems,
    general: Option<String>,
    notice: Option<String>,
}

/// The form fields in the order the form shows them.
const ORDER: [&str; 5] = ["name", "summary", "icon_url", "website", "org_number"];

fn problem_text(ctx: &Ctx, field: &str) -> (String, String) {
    let key = match field {
        "name" => "admin-error-name",
        "summary" => "admin-error-summary",
        "icon_url" | "website" => "admin-error-url",
        _ => "admin-error-org-number",
    };
    (ctx.t.msg(key), format!("admin-{}", field.replace('_', "-")))
}

#[allow(clippy::too_many_arguments)]
fn render(
    ctx: &Ctx,
    session: &StaffSession,
    status: StatusCode,
    agency: Agency,
    form: ProfileFields,
    problems: Problems,
    general: Option<String>,
    notice: Option<String>,
) -> HttpResponse {
    let title = ctx
        .t
        .msg_with("admin-profile-title", &[("agency", &agency.name)]);
    let page = ProfilePage {
        c: ctx.staff_chrome(title, session, AREA),
        csrf: session.csrf().to_owned(),
        public_url: ctx.state.urls.agency(&agency.slug).to_string(),
        agency,
        form,
        problems,
        general,
        notice,
    };
    let mut res = ctx.staff_ok(&page);
    *res.status_mut() = status;
    res
}

/// `GET /staff/admin/agencies/{slug}`: the profile form.
pub async fn form(
    ctx: Ctx,
    session: StaffSession,
    slug: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> HttpResponse {
    ctx.staff_page(async {
        let agency = crate::lookup::agency(&ctx.state, &slug).await?;
        require_agency_admin(&ctx.state, &session.staff, &agency).await?;
        let form = ProfileFields::of(&agency);
        Ok(render(
            &ctx,
            &session,
            StatusCode::OK,
            agency,
            form,
            Problems::default(),
            None,
            q.notice(&ctx),
        ))
    })
    .await
}

/// `POST /staff/admin/agencies/{slug}`: saves the profile, or shows the
/// form again (422) with each problem next to its field and what was
/// typed kept.
pub async fn submit(ctx: Ctx, form: StaffForm, slug: web::Path<String>) -> HttpResponse {
    let session = &form.session;
    ctx.staff_page(async {
        let agency = crate::lookup::agency(&ctx.state, &slug).await?;
        require_agency_admin(&ctx.state, &session.staff, &agency).await?;
        let f = &form.fields;
        let typed = ProfileFields {
            name: f.text("name").to_owned(),
            summary: f.text("summary").to_owned(),
            icon_url: f.text("icon_url").to_owned(),
            website: f.text("website").to_owned(),
            org_number: f.text("org_number").to_owned(),
            indexable: f.has("indexable"),
        };
        let raw = typed.to_raw();
        match update_profile(&ctx.state, &session.staff, agency.clone(), raw).await {
            Ok(a) => Ok(see_other(&format!(
                "/staff/admin/agencies/{}?done=profile",
                a.slug
            ))),
            Err(ApiError::Invalid(errors)) => {
                let problems = Problems::from_fields(&errors, &ORDER, |f| problem_text(&ctx, f));
                let general = problems
                    .is_empty()
                    .then(|| ctx.t.msg("admin-error-general"));
                Ok(render(
                    &ctx,
                    session,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    agency,
                    typed,
                    problems,
                    general,
                    None,
                ))
            }
            // Someone saved the profile meanwhile: show theirs is kept,
            // with what this person typed still in the form.
            Err(ApiError::Conflict(_)) => Ok(render(
                &ctx,
                session,
                StatusCode::CONFLICT,
                agency,
                typed,
                Problems::default(),
                Some(ctx.t.msg("admin-error-conflict")),
                None,
            )),
            Err(e) => Err(e),
        }
    })
    .await
}
