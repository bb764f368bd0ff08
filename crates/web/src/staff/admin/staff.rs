//! `GET/POST /staff/admin/agencies/{slug}/staff`: an agency's staff and
//! their roles. Its admins (and instance administrators) add an existing
//! account as editor or admin, change a role, or take it away, through the
//! API's `set_role`: the same audit entry, the same rule that an agency
//! admin cannot remove the agency's last admin, and the same refusal of an
//! instance admin from outside the agency who would give themselves a role
//! in it (and so read its private messages).

use super::{AREA, DoneQuery, form::Problems, see_other};
use crate::{
    auth::require_agency_admin,
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    routes::api::members::set_role,
    session::{StaffForm, StaffSession},
};
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use deling_domain::auth::Role;
use deling_store::records::Agency;

/// One member in the table.
struct MemberRow {
    username: String,
    role: &'static str,
    role_label: String,
    instance_admin: bool,
    /// The role select's label and the remove button's words (with the
    /// username, so each row's controls have their own names).
    role_select_label: String,
    change_label: String,
    remove_label: String,
    /// Whether this is the one looking at the page.
    me: bool,
}

#[derive(Template)]
#[template(path = "staff/admin/staff.html")]
struct StaffPage {
    c: Chrome,
    csrf: String,
    agency: Agency,
    members: Vec<MemberRow>,
    username: String,
    role: String,
    problems: Problems,
    general: Option<String>,
    notice: Option<String>,
}

fn role_label(ctx: &Ctx, role: Role) -> String {
    match role {
        Role::Editor => ctx.t.msg("admin-role-editor"),
        Role::Admin => ctx.t.msg("admin-role-admin"),
    }
}

/// What the add form held, and what went wrong.
#[derive(Default)]
struct Outcome {
    username: String,
    role: String,
    problems: Problems,
    general: Option<String>,
    notice: Option<String>,
}

async fn render(
    ctx: &Ctx,
    session: &StaffSession,
    status: StatusCode,
    agency: Agency,
    o: Outcome,
) -> Result<HttpResponse, ApiError> {
    let members = ctx
        .state
        .store
        .list_agency_members(agency.id)
        .await?
        .into_iter()
        .map(|(s, r)| {
            let with = [("user", s.username.as_str())];
            MemberRow {
                role: r.as_str(),
                role_label: role_label(ctx, r),
                instance_admin: s.instance_admin,
                role_select_label: ctx.t.msg_with("admin-staff-role-of", &with),
                change_label: ctx.t.msg_with("admin-staff-change", &with),
                remove_label: ctx.t.msg_with("admin-staff-remove", &with),
                me: s.id == session.staff.id,
                username: s.username,
            }
        })
        .collect();
    let title = ctx
        .t
        .msg_with("admin-staff-title", &[("agency", &agency.name)]);
    let page = StaffPage {
        c: ctx.staff_chrome(title, session, AREA),
        csrf: session.csrf().to_owned(),
        agency,
        members,
        username: o.username,
        role: if o.role.is_empty() {
            "editor".into()
        } else {
            o.role
        },
        problems: o.problems,
        general: o.general,
        notice: o.notice,
    };
    let mut res = ctx.staff_ok(&page);
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /staff/admin/agencies/{slug}/staff`: the members and the forms.
pub async fn page(
    ctx: Ctx,
    session: StaffSession,
    slug: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> HttpResponse {
    ctx.staff_page(async {
        let agency = crate::lookup::agency(&ctx.state, &slug).await?;
        require_agency_admin(&ctx.state, &session.staff, &agency).await?;
        let o = Outcome {
            notice: q.notice(&ctx),
            ..Outcome::default()
        };
        render(&ctx, &session, StatusCode::OK, agency, o).await
    })
    .await
}

/// `POST /staff/admin/agencies/{slug}/staff`: `action` is `add` (with
/// `username` and `role`), `role` (with `username` and `role`) or `remove`
/// (with `username`).
pub async fn submit(ctx: Ctx, form: StaffForm, slug: web::Path<String>) -> HttpResponse {
    let session = &form.session;
    ctx.staff_page(async {
        let agency = crate::lookup::agency(&ctx.state, &slug).await?;
        require_agency_admin(&ctx.state, &session.staff, &agency).await?;
        let f = &form.fields;
        let action = f.text("action");
        let username = f.text("username").trim().to_owned();
        let typed_role = f.text("role").to_owned();
        let role = match action {
            "add" | "role" => match typed_role.parse::<Role>() {
                Ok(r) => Some(r),
                Err(_) => return Err(ApiError::BadRequest("no such role".into())),
            },
            "remove" => None,
            _ => return Err(ApiError::BadRequest("no such action".into())),
        };
        let refused = |o: Outcome, status| render(&ctx, session, status, agency.clone(), o);
        if action == "add" && username.is_empty() {
            let mut problems = Problems::default();
            problems.push(
                "username",
                "admin-username",
                ctx.t.msg("admin-error-username-empty"),
            );
            let o = Outcome {
                username,
                role: typed_role,
                problems,
                ..Outcome::default()
            };
            return refused(o, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        match set_role(&ctx.state, &session.staff, &agency, &username, role).await {
            Ok((_, before)) => {
                let done = match (action, before) {
                    ("remove", None) => return Err(ApiError::NotFound(username)),
                    ("remove", Some(_)) => "removed",
                    ("add", _) => "added",
                    _ => "role",
                };
                Ok(see_other(&format!(
                    "/staff/admin/agencies/{}/staff?done={done}",
                    agency.slug
                )))
            }
            Err(ApiError::NotFound(_)) if action == "add" => {
                let mut problems = Problems::default();
                let text = ctx
                    .t
                    .msg_with("admin-error-username-unknown", &[("user", &username)]);
                problems.push("username", "admin-username", text);
                let o = Outcome {
                    username,
                    role: typed_role,
                    problems,
                    ..Outcome::default()
                };
                refused(o, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            // The page's own check passed, so this is `set_role`'s refusal
            // of an instance admin from outside giving themselves a role.
            Err(ApiError::Forbidden(_)) => {
                let o = Outcome {
                    username,
                    role: typed_role,
                    general: Some(ctx.t.msg("admin-error-self-grant")),
                    ..Outcome::default()
                };
                refused(o, StatusCode::FORBIDDEN).await
            }
            Err(ApiError::Conflict(_)) => {
                let o = Outcome {
                    general: Some(ctx.t.msg("admin-error-last-admin")),
                    ..Outcome::default()
                };
                refused(o, StatusCode::CONFLICT).await
            }
            Err(e) => Err(e),
        }
    })
    .await
}
