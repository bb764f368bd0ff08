//! The OpenAPI 3 document, generated from the handlers' annotations.

use crate::{dto, error, routes::api};
use actix_web::HttpResponse;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Deling's REST API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Deling API", description = "Share guides, datasets, software and services between public bodies."),
    paths(
        api::auth::login,
        api::auth::logout,
        api::tokens::list,
        api::tokens::revoke,
        api::agencies::list,
        api::agencies::get,
        api::agencies::update,
        api::agencies::withdraw,
        api::members::list,
        api::members::put,
        api::members::delete,
        api::members::me,
        api::messages::list,
        api::messages::get,
        api::messages::reply,
        api::messages::release,
        api::messages::delete,
        api::items::list,
        api::search::search,
        api::items::get,
        api::items::create,
        api::items::update,
        api::items::delete,
        api::items::comments,
        api::items::reactions,
        api::comments::edit,
        api::comments::delete,
        api::comments::hide,
        api::comments::unhide,
        api::comments::block_author,
        api::comments::report,
        api::items::pin,
        api::items::unpin,
        api::shares::create,
        api::shares::delete,
        api::shares::list,
        api::federation::follow,
        api::federation::unfollow,
        api::federation::following,
        api::federation::followers,
        api::agency_audit::list,
        api::blocks::list,
        api::blocks::put,
        api::blocks::delete,
        api::comments::create,
        api::admin::federation,
        api::admin::domain_blocks::list,
        api::admin::domain_blocks::put,
        api::admin::domain_blocks::delete,
        api::admin::domain_blocks::export,
        api::admin::domain_blocks::import,
        api::admin::domain_blocks::get_mode,
        api::admin::domain_blocks::put_mode,
        api::admin::actor_blocks::list,
        api::admin::actor_blocks::put,
        api::admin::actor_blocks::delete,
        api::admin::reports::list,
        api::admin::reports::resolve,
        api::admin::audit::list,
        document,
    ),
    components(schemas(
        dto::ItemBody, dto::AgencyBody, dto::LinkBody, dto::ItemView, dto::CountsView, dto::ReactionView, dto::ShareBody, dto::ShareView, dto::SharedItemView, dto::MemberBody, dto::CommentEditBody, dto::ReportBody, dto::MemberView, dto::MeView, dto::MessageView, dto::MessagePage, dto::MessageReplyBody, dto::MembershipView, dto::LinkView, dto::ItemPage, dto::ActorRef, api::search::SearchResultsView, api::search::SearchHitView, api::search::HitItem, api::search::FacetsView, api::search_peers::PeerItemView, api::search_peers::PeerReportView,
        dto::AgencyView, dto::CommentView, dto::LoginBody, dto::TokenView,
        api::tokens::TokenInfo,
        dto::FollowBody, dto::FollowingView, dto::CommentBody,
        api::admin::FederationStatus, api::admin::FailingHost,
        api::admin::domain_blocks::DomainBlockView, api::admin::domain_blocks::DomainBlockBody,
        api::admin::domain_blocks::ModeBody, api::admin::actor_blocks::ActorBlockBody,
        api::blocks::AgencyBlockBody,
        error::Problem, error::ProblemField,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3 document")))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
