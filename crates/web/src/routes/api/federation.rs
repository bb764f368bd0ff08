//! Following peers and listing followers: the API side of federation
//! that is not about one item.

use crate::{
    auth::{Access, Authenticated},
    dto::{ActorRef, FollowBody, FollowingView},
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_domain::handle::FollowTarget;
use deling_federation::{activities::following, objects::actors::DbRemoteActor};
use deling_store::records::{Agency, RemoteActor, Staff, handle_of};
use serde::Deserialize;
use utoipa::IntoParams;

/// A remote actor as the API shows it.
pub(crate) fn actor_ref(a: &RemoteActor) -> ActorRef {
    ActorRef {
        origin: "remote",
        slug: None,
        handle: handle_of(a),
        name: a.name.clone(),
        actor_id: a.ap_id.clone(),
    }
}

/// Makes an agency follow a remote actor, by handle or actor URL.
#[utoipa::path(post, operation_id = "follow", path = "/api/v1/agencies/{slug}/following", tag = "federation", request_body = FollowBody,
    params(("slug" = String, Path, description = "The agency's slug")), security(("bearer" = [])),
    responses((status = 202, body = FollowingView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "The target is empty, neither a handle nor an actor URL, or an actor on this server"),
        (status = 502, body = Problem)))]
pub async fn follow(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
    body: crate::input::JsonBody<FollowBody>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::speaking_agency(&state, &slug).await?;
    let access = auth.require_editor(&state, &agency).await?;
    let raw = body.into_inner().target;
    let target = deling_domain::handle::FollowTarget::parse(&raw)
        .map_err(|e| ApiError::Invalid(vec![deling_domain::FieldError::new("target", e)]))?;
    let actor = start_following(&state, &auth.staff, &agency, access, &target).await?;
    Ok(HttpResponse::Accepted().json(FollowingView {
        actor: actor_ref(&actor.row),
        state: "pending".into(),
    }))
}

/// Query of `DELETE .../following`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetQuery {
    /// Handle or actor URL.
    pub target: String,
}

/// Stops following; sends Undo(Follow).
#[utoipa::path(delete, operation_id = "unfollow", path = "/api/v1/agencies/{slug}/following", tag = "federation", params(
    ("slug" = String, Path, description = "The agency's slug"), TargetQuery), security(("bearer" = [])),
    responses((status = 204), (status = 400, body = Problem, description = "No `target`"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "No editor of the agency, or a target that is neither a handle nor an actor URL"),
        (status = 404, body = Problem, description = "No such agency, or it does not follow the target")))]
pub async fn unfollow(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
    q: web::Query<TargetQuery>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    let access = auth.require_editor(&state, &agency).await?;
    stop_following(&state, &auth.staff, &agency, access, &q.target).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How the audit log names `agency`'s following of the actor `actor_id`.
fn following_target(agency: &Agency, actor_id: &str) -> String {
    format!("{}/following/{actor_id}", agency.slug)
}

/// Makes `agency` follow `target` as `staff`, whose right to (`access`)
/// the caller checked: records the Follow as pending and queues it, with
/// a `follow.create` audit entry in the same transaction when an
/// instance admin from outside the agency asks. A well-formed target we
/// will not follow (an actor on this server) is `422` on `target`; an
/// unknown account `404`; a server that cannot be reached `502`. The API
/// and the staff pages' following page both follow through this.
pub(crate) async fn start_following(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
    access: Access,
    target: &FollowTarget,
) -> Result<DbRemoteActor, ApiError> {
    let data = state.fed_data();
    let audit = |actor: &str| {
        access
            .audit(
                staff,
                agency,
                "follow.create",
                &following_target(agency, actor),
            )
            .map(|a| a.with("actor", actor))
    };
    following::follow(agency, target, &data, audit)
        .await
        .map_err(|e| {
            use activitypub_federation::error::Error as P;
            use deling_federation::error::FedError as F;
            match e {
                // A well-formed target we will not follow (ourselves, say).
                F::Refused(why) => {
                    ApiError::Invalid(vec![deling_domain::FieldError::new("target", why)])
                }
                // The handle's server answered its WebFinger lookup with
                // something that is not a JRD (its 404 page): no such
                // account, rather than a document we cannot use.
                F::Protocol(P::FetchInvalidContentType(url) | P::ParseFetchedObject(_, url, _))
                    if url.path() == "/.well-known/webfinger" =>
                {
                    ApiError::NotFound(format!("{target} names no account"))
                }
                other => other.into(),
            }
        })
}

/// Makes `agency` stop following `raw` (a handle or actor URL) as `staff`,
/// whose right to (`access`) the caller checked, and sends the Undo, with
/// a `follow.undo` audit entry in the same transaction when an instance
/// admin from outside the agency asks; `404` if it did not follow it. A
/// malformed target is refused (403) as it was before it was parsed here,
/// not reported as a bad field.
pub(crate) async fn stop_following(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
    access: Access,
    raw: &str,
) -> Result<(), ApiError> {
    let target = following::parse_target(raw)?;
    let audit = |actor: &str| {
        access
            .audit(
                staff,
                agency,
                "follow.undo",
                &following_target(agency, actor),
            )
            .map(|a| a.with("actor", actor))
    };
    if following::unfollow(agency, &target, &state.fed_data(), audit).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "{} does not follow {raw}",
            agency.slug
        )))
    }
}

/// Lists whom an agency follows, with the state of each Follow.
#[utoipa::path(get, operation_id = "listFollowing", path = "/api/v1/agencies/{slug}/following", tag = "federation",
    params(("slug" = String, Path, description = "The agency's slug")),
    responses((status = 200, body = Vec<FollowingView>), (status = 404, body = Problem)))]
pub async fn following(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    let rows = state.store.list_following(agency.id).await?;
    let views: Vec<FollowingView> = rows
        .iter()
        .map(|f| FollowingView {
            actor: actor_ref(&f.actor),
            state: f.state.clone(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Lists an agency's followers.
#[utoipa::path(get, operation_id = "listFollowers", path = "/api/v1/agencies/{slug}/followers", tag = "federation",
    params(("slug" = String, Path, description = "The agency's slug")),
    responses((status = 200, body = Vec<ActorRef>), (status = 404, body = Problem)))]
pub async fn followers(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::agency(&state, &slug).await?;
    let page = state.store.list_follower_ids(agency.id, 1, 1000).await?;
    let mut views = Vec::with_capacity(page.items.len());
    for id in &page.items {
        if let Some(a) = state.store.get_remote_actor_by_ap_id(id).await? {
            views.push(actor_ref(&a));
        }
    }
    Ok(HttpResponse::Ok().json(views))
}
