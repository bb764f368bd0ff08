//! `GET /staff/agencies/{slug}/following`: whom an agency follows (with
//! each Follow's state and an unfollow button) and who follows it, and a
//! form to follow an account elsewhere by handle (`@name@host`) or URL.
//! Following and unfollowing go through the API's own functions
//! (`routes::api::federation::{start_following, stop_following}`); a
//! target that cannot be followed is told next to the field.

use super::{DoneQuery, Person, done_notice, see_other, when, with_done};
use crate::{
    auth::{Access, require_editor},
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    routes::api::federation::{start_following, stop_following},
    session::{StaffForm, StaffSession},
};
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use deling_domain::handle::FollowTarget;
use deling_store::{queries::follow::FOLLOWING_ACCEPTED, records::Agency};

/// Followers listed on the page (the newest; the total is said).
const FOLLOWERS_SHOWN: u64 = 200;

/// An account the agency follows.
struct FollowingLine {
    person: Person,
    target: String,
    state: String,
    unfollow: String,
    date: String,
    datetime: String,
}

/// An account following the agency.
struct FollowerLine {
    person: Person,
    date: String,
    datetime: String,
}

#[derive(Template)]
#[template(path = "staff/manage/following.html")]
struct FollowingPage {
    c: Chrome,
    csrf: String,
    slug: String,
    notice: Option<String>,
    target: String,
    error: Option<String>,
    following: Vec<FollowingLine>,
    followers: Vec<FollowerLine>,
    followers_total: String,
}

/// The agency named in the path, when `session` may edit for it, and
/// what lets them.
async fn editable(
    ctx: &Ctx,
    session: &StaffSession,
    slug: &str,
) -> Result<(Agency, Access), ApiError> {
    let agency = crate::lookup::agency(&ctx.state, slug).await?;
    let access = require_editor(&ctx.state, &session.staff, &agency).await?;
    Ok((agency, access))
}

async fn render(
    ctx: &Ctx,
    session: &StaffSession,
    agency: Agency,
    status: StatusCode,
    notice: Option<String>,
    target: String,
    error: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let (state, t) = (&ctx.state, ctx.t);
    let following = state.store.list_following(agency.id).await?;
    let followers = state
        .store
        .list_recent_followers(agency.id, FOLLOWERS_SHOWN)
        .await?;
    let followers_total = state.store.count_followers(agency.id).await?;
    let title = t.msg_with("follow-title", &[("agency", &agency.name)]);
    let page = FollowingPage {
        c: ctx.staff_chrome(title, session, "dashboard"),
        csrf: session.csrf().to_owned(),
        notice,
        target,
        error,
        following: following
            .iter()
            .map(|f| {
                let (date, datetime) = when(f.created_at);
                let person = Person::remote(&f.actor);
                FollowingLine {
                    unfollow: t.msg_with("follow-unfollow", &[("name", &person.name)]),
                    person,
                    target: f.actor.ap_id.clone(),
                    state: t.msg(if f.state == FOLLOWING_ACCEPTED {
                        "follow-state-accepted"
                    } else if f.state == deling_store::queries::follow::FOLLOWING_REJECTED {
                        "follow-state-rejected"
                    } else {
                        "follow-state-pending"
                    }),
                    date,
                    datetime,
                }
            })
            .collect(),
        followers_total: t.msg_n("follow-followers-total", followers_total),
        followers: followers
            .iter()
            .map(|f| {
                let (date, datetime) = when(f.since);
                FollowerLine {
                    person: Person::remote(&f.actor),
                    date,
                    datetime,
                }
            })
            .collect(),
        slug: agency.slug,
    };
    let mut res = ctx.staff_ok(&page);
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /staff/agencies/{slug}/following`.
pub async fn page(
    ctx: Ctx,
    session: StaffSession,
    slug: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> HttpResponse {
    ctx.staff_page(async {
        let (agency, _) = editable(&ctx, &session, &slug).await?;
        let notice = done_notice(&ctx, q.done.as_deref());
        render(
            &ctx,
            &session,
            agency,
            StatusCode::OK,
            notice,
            String::new(),
            None,
        )
        .await
    })
    .await
}

/// Why a follow could not be made, as the field's error says it; `None`
/// for a failure of ours (the error page).
fn follow_error(e: &ApiError) -> Option<&'static str> {
    Some(match e {
        ApiError::Invalid(_) => "follow-error-not-followable",
        ApiError::NotFound(_) | ApiError::Gone(_) => "follow-error-unknown",
        ApiError::BadGateway(_) | ApiError::BadRequest(_) => "follow-error-unreachable",
        ApiError::Forbidden(_) | ApiError::Unauthorized(_) => "follow-error-refused",
        _ => return None,
    })
}

/// `POST /staff/agencies/{slug}/following`: follows `target`.
pub async fn follow(ctx: Ctx, slug: web::Path<String>, form: StaffForm) -> HttpResponse {
    ctx.staff_page(async {
        let session = &form.session;
        let (agency, access) = editable(&ctx, session, &slug).await?;
        let typed = form.fields.text("target").trim().to_owned();
        let refuse = |key: &str| Some(ctx.t.msg(key));
        let error = if typed.is_empty() {
            refuse("follow-error-empty")
        } else if agency.moved_to.is_some() {
            refuse("follow-error-moved")
        } else {
            match FollowTarget::parse(&typed) {
                Err(_) => refuse("follow-error-malformed"),
                Ok(target) => {
                    match start_following(&ctx.state, &session.staff, &agency, access, &target)
                        .await
                    {
                        Ok(_) => {
                            let to = format!("/staff/agencies/{}/following", agency.slug);
                            return Ok(see_other(&with_done(&to, "followed")));
                        }
                        Err(e) => match follow_error(&e) {
                            Some(key) => {
                                tracing::info!(error = %e, "a follow from the staff pages failed");
                                refuse(key)
                            }
                            None => return Err(e),
                        },
                    }
                }
            }
        };
        render(
            &ctx,
            session,
            agency,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            typed,
            error,
        )
        .await
    })
    .await
}

/// `POST /staff/agencies/{slug}/following/unfollow`: stops following
/// `target` (an actor id from the list).
pub async fn unfollow(ctx: Ctx, slug: web::Path<String>, form: StaffForm) -> HttpResponse {
    ctx.staff_page(async {
        let (agency, access) = editable(&ctx, &form.session, &slug).await?;
        stop_following(
            &ctx.state,
            &form.session.staff,
            &agency,
            access,
            form.fields.text("target"),
        )
        .await?;
        let to = format!("/staff/agencies/{}/following", agency.slug);
        Ok(see_other(&with_done(&to, "unfollowed")))
    })
    .await
}
