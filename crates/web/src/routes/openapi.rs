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
        api::items::list,
        api::items::get,
        api::items::create,
        api::items::update,
        api::items::delete,
        api::items::comments,
        api::items::reactions,
        api::federation::edit_comment,
        api::items::pin,
        api::items::unpin,
        api::shares::create,
        api::shares::delete,
        api::shares::list,
        api::federation::follow,
        api::federation::unfollow,
        api::federation::following,
        api::federation::followers,
        api::federation::comment,
        api::admin::federation,
    ),
    components(schemas(
        dto::ItemBody, dto::AgencyBody, dto::LinkBody, dto::ItemView, dto::CountsView, dto::ReactionView, dto::ShareBody, dto::ShareView, dto::SharedItemView, dto::MemberBody, dto::CommentEditBody, dto::MemberView, dto::MeView, dto::MessageView, dto::MessagePage, dto::MessageReplyBody, dto::MembershipView, dto::LinkView, dto::ItemPage, dto::ActorRef,
        dto::AgencyView, dto::CommentView, dto::LoginBody, dto::TokenView,
        api::tokens::TokenInfo,
        dto::FollowBody, dto::FollowingView, dto::CommentBody,
        api::admin::FederationStatus, api::admin::FailingHost,
        error::Problem, error::ProblemField,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
