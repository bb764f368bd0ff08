//! Staff pages: administration (`/staff/admin`). An agency's admins edit
//! its public profile ([`profile`]) and its staff and their roles
//! ([`staff`]); instance administrators also list and create agencies
//! ([`agencies`]), set the federation policy ([`federation`]) and read the
//! audit log ([`audit`]). Every change goes through the same functions as
//! the API's (`crate::routes::api`), so it is checked, audited and
//! federated the same way.

pub mod agencies;
pub mod audit;
pub mod federation;
mod form;
pub mod profile;
pub mod staff;

use crate::{
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    session::StaffSession,
    state::AppState,
};
use actix_web::{HttpResponse, http::header, web};
use askama::Template;
use deling_domain::auth::Role;
use deling_store::records::{Agency, Staff};

/// The navigation area these pages belong to.
const AREA: &str = "admin";

/// Registers this area's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/staff/admin", web::get().to(home))
        .route("/staff/admin/agencies", web::get().to(agencies::list))
        .route("/staff/admin/agencies", web::post().to(agencies::create))
        .route("/staff/admin/agencies/{slug}", web::get().to(profile::form))
        .route(
            "/staff/admin/agencies/{slug}",
            web::post().to(profile::submit),
        )
        .route(
            "/staff/admin/agencies/{slug}/staff",
            web::get().to(staff::page),
        )
        .route(
            "/staff/admin/agencies/{slug}/staff",
            web::post().to(staff::submit),
        )
        .route("/staff/admin/federation", web::get().to(federation::page))
        .route(
            "/staff/admin/federation",
            web::post().to(federation::submit),
        )
        .route(
            "/staff/admin/federation/domain-blocks.csv",
            web::get().to(federation::export),
        )
        .route("/staff/admin/audit", web::get().to(audit::page))
        .route(
            "/staff/admin/agencies/{slug}/audit",
            web::get().to(audit::agency_page),
        );
}

/// The agencies `staff` manages: every agency for an instance
/// administrator, else those they are an admin of.
pub(crate) async fn managed_agencies(
    state: &AppState,
    staff: &Staff,
) -> Result<Vec<Agency>, ApiError> {
    if staff.instance_admin {
        return Ok(state.store.list_agencies().await?);
    }
    Ok(state
        .store
        .list_memberships(staff.id)
        .await?
        .into_iter()
        .filter(|(a, r)| a.deleted_at.is_none() && *r == Role::Admin)
        .map(|(a, _)| a)
        .collect())
}

/// 303 See Other to `to`, after a form post that worked.
pub(crate) fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The query every page here takes: what a post that led here did.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    /// Which change was made (a word from a fixed list; anything else is
    /// ignored).
    #[serde(default)]
    done: Option<String>,
    /// How many (an import's rows).
    #[serde(default)]
    n: Option<u64>,
}

impl DoneQuery {
    /// The notice for what was done, in the visitor's language.
    pub(crate) fn notice(&self, ctx: &Ctx) -> Option<String> {
        let t = ctx.t;
        let text = match self.done.as_deref()? {
            "profile" => t.msg("admin-done-profile"),
            "created" => t.msg("admin-done-created"),
            "added" => t.msg("admin-done-added"),
            "role" => t.msg("admin-done-role"),
            "removed" => t.msg("admin-done-removed"),
            "mode" => t.msg("admin-done-mode"),
            "domain-added" => t.msg("admin-done-domain-added"),
            "domain-removed" => t.msg("admin-done-domain-removed"),
            "imported" => t.msg_n("admin-done-imported", self.n.unwrap_or(0)),
            "actor-added" => t.msg("admin-done-actor-added"),
            "actor-removed" => t.msg("admin-done-actor-removed"),
            _ => return None,
        };
        Some(text)
    }
}

/// An agency in a list, with its links' words.
pub(crate) struct AgencyRow {
    /// Slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Handle, `@slug@domain`.
    pub handle: String,
    /// The profile link's words (with the agency's name).
    pub profile_label: String,
    /// The staff link's words.
    pub staff_label: String,
    /// The audit log link's words.
    pub audit_label: String,
}

impl AgencyRow {
    pub(crate) fn new(ctx: &Ctx, a: Agency) -> Self {
        let with = [("agency", a.name.as_str())];
        Self {
            profile_label: ctx.t.msg_with("admin-link-profile", &with),
            staff_label: ctx.t.msg_with("admin-link-staff", &with),
            audit_label: ctx.t.msg_with("admin-link-audit", &with),
            handle: ctx.state.handle(&a.slug),
            slug: a.slug,
            name: a.name,
        }
    }
}

#[derive(Template)]
#[template(path = "staff/admin/home.html")]
struct HomePage {
    c: Chrome,
    agencies: Vec<AgencyRow>,
    instance_admin: bool,
}

/// `GET /staff/admin`: the agencies this staff member manages and, for
/// instance administrators, the instance's sections. Anyone who manages
/// nothing gets 403.
pub async fn home(ctx: Ctx, session: StaffSession) -> HttpResponse {
    ctx.staff_page(async {
        let agencies = managed_agencies(&ctx.state, &session.staff).await?;
        if agencies.is_empty() && !session.staff.instance_admin {
            return Err(ApiError::Forbidden(format!(
                "{} administers no agency",
                session.staff.username
            )));
        }
        let page = HomePage {
            c: ctx.staff_chrome(ctx.t.msg("admin-home-title"), &session, AREA),
            agencies: agencies
                .into_iter()
                .map(|a| AgencyRow::new(&ctx, a))
                .collect(),
            instance_admin: session.staff.instance_admin,
        };
        Ok(ctx.staff_ok(&page))
    })
    .await
}
