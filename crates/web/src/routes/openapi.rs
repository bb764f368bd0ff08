//! The OpenAPI 3 document, generated from the handlers' annotations.

use crate::{dto, error, routes::api};
use actix_web::HttpResponse;
use utoipa::{
    Modify, OpenApi,
    openapi::{
        ContentBuilder, PathItem, Ref, RefOr, ResponseBuilder,
        path::{Operation, ParameterIn},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
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

/// The media type of every error answer ([`error::Problem`], RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Makes the error answers of every operation what the server sends,
/// once here rather than in each of the annotations (where one forgotten
/// is a lie to every client generated from the document):
///
/// - every `4xx`/`5xx` answer with a `Problem` body is declared as
///   `application/problem+json` (the annotations can only say `body =
///   Problem`, which utoipa declares as `application/json`);
/// - an operation with path or query parameters, or a JSON body, can
///   answer `400` (`crate::input` refuses control characters in the path
///   and query before routing; a path id that is no `i64`, a missing or
///   unknown query parameter and a body that does not fit are `400`s);
/// - an operation with a JSON body can answer `413` (too large), `415`
///   (not sent as `application/json`) and `422` (`crate::input::JsonBody`
///   refuses control characters in any string, before the handler).
///
/// What an annotation says of such a status (a description) is kept.
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in operations_mut(item) {
                let parameters = op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query))
                });
                let json_body = op
                    .request_body
                    .as_ref()
                    .is_some_and(|b| b.content.contains_key("application/json"));
                if parameters || json_body {
                    add_problem(op, "400", "The path, query or body is malformed");
                }
                if json_body {
                    add_problem(op, "413", "The body is too large");
                    add_problem(op, "415", "The body was not sent as `application/json`");
                    add_problem(
                        op,
                        "422",
                        "A field is invalid (`errors` names each), or a string in the body holds a control character",
                    );
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    // A generator names its types and docs after this.
                    if response.description.is_empty() {
                        response.description = reason(status).to_owned();
                    }
                    if !(status.starts_with('4') || status.starts_with('5')) {
                        continue;
                    }
                    if let Some(content) = response.content.shift_remove("application/json") {
                        response.content.insert(PROBLEM_JSON.to_owned(), content);
                    }
                }
            }
        }
    }
}

/// The reason phrase of a status code such as `"404"`.
fn reason(status: &str) -> &'static str {
    status
        .parse::<u16>()
        .ok()
        .and_then(|s| actix_web::http::StatusCode::from_u16(s).ok())
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Response")
}

/// The operations of a path, whatever their methods.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// Declares `status` with a `Problem` body on `op`, unless declared.
fn add_problem(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        });
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
        api::admin::FederationStatus, api::admin::FailingHost, api::admin::RefusedSigner,
        api::admin::domain_blocks::DomainBlockView, api::admin::domain_blocks::DomainBlockBody,
        api::admin::domain_blocks::ModeBody, api::admin::actor_blocks::ActorBlockBody,
        api::blocks::AgencyBlockBody,
        api::admin::domain_blocks::ImportedView, dto::NewItemBody,
        dto::ItemKindName, dto::RoleName, dto::SeverityName, dto::FederationModeName,
        dto::OriginName, dto::ReportStatusName,
        error::Problem, error::ProblemField,
    )),
    modifiers(&BearerAuth, &ProblemResponses),
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, operation_id = "getOpenApiDocument", path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3 document")))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    //! The document against what the server does: these fail when an
    //! annotation or the modifiers above stop telling the truth.

    use super::*;
    use serde_json::Value;
    use std::collections::BTreeMap;

    fn doc() -> Value {
        serde_json::to_value(ApiDoc::openapi()).unwrap()
    }

    /// Every operation, as `("METHOD /path", operation)`.
    fn operations(doc: &Value) -> Vec<(String, Value)> {
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                ops.push((format!("{} {path}", method.to_uppercase()), op.clone()));
            }
        }
        ops
    }

    fn operation(doc: &Value, method: &str, path: &str) -> Value {
        doc["paths"][path][method].clone()
    }

    fn statuses(op: &Value) -> Vec<String> {
        op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn operation_ids_are_unique_and_named() {
        let doc = doc();
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, op) in operations(&doc) {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} has no operationId"));
            seen.entry(id.to_owned()).or_default().push(name);
        }
        let twice: Vec<_> = seen.iter().filter(|(_, ops)| ops.len() > 1).collect();
        assert!(twice.is_empty(), "operationIds used twice: {twice:?}");
        // Published ids are part of the API: a few, held in place.
        for (method, path, id) in [
            ("get", "/api/v1/items", "listItems"),
            ("post", "/api/v1/agencies/{slug}/items", "createItem"),
            ("delete", "/api/v1/items/{id}", "withdrawItem"),
            ("get", "/api/v1/agencies/{slug}/members", "listMembers"),
            (
                "post",
                "/api/v1/admin/domain-blocks/import",
                "importDomainBlocks",
            ),
            ("put", "/api/v1/admin/federation-mode", "setFederationMode"),
        ] {
            assert_eq!(
                operation(&doc, method, path)["operationId"],
                id,
                "{method} {path}"
            );
        }
    }

    #[test]
    fn every_error_answer_is_a_problem() {
        let doc = doc();
        for (name, op) in operations(&doc) {
            for (status, response) in op["responses"].as_object().unwrap() {
                assert!(
                    !response["description"].as_str().unwrap().is_empty(),
                    "{name} {status} has no description"
                );
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                let Some(content) = response.get("content") else {
                    continue;
                };
                let types: Vec<&String> = content.as_object().unwrap().keys().collect();
                assert_eq!(types, [PROBLEM_JSON], "{name} {status}");
                assert_eq!(
                    content[PROBLEM_JSON]["schema"]["$ref"], "#/components/schemas/Problem",
                    "{name} {status}"
                );
            }
        }
    }

    #[test]
    fn refusals_of_paths_queries_and_bodies_are_declared() {
        let doc = doc();
        let mut json_bodies = 0;
        for (name, op) in operations(&doc) {
            let has = statuses(&op);
            let declares = |s: &str| has.iter().any(|h| h == s);
            let parameters = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "path" || p["in"] == "query"));
            if parameters {
                assert!(declares("400"), "{name} has parameters but no 400: {has:?}");
            }
            if op["requestBody"]["content"]
                .get("application/json")
                .is_some()
            {
                json_bodies += 1;
                for s in ["400", "413", "415", "422"] {
                    assert!(
                        declares(s),
                        "{name} reads a JSON body but has no {s}: {has:?}"
                    );
                }
            }
        }
        assert!(json_bodies >= 15, "only {json_bodies} JSON bodies found");
        // A target that is no handle or URL, or one on this server.
        let follow = operation(&doc, "post", "/api/v1/agencies/{slug}/following");
        assert!(statuses(&follow).contains(&"422".to_owned()));
    }

    #[test]
    fn the_csv_import_declares_its_refusals_and_answer() {
        let doc = doc();
        let import = operation(&doc, "post", "/api/v1/admin/domain-blocks/import");
        assert!(import["requestBody"]["content"].get("text/csv").is_some());
        for s in ["400", "401", "403", "415", "422"] {
            assert!(statuses(&import).contains(&s.to_owned()), "no {s}");
        }
        assert_eq!(
            import["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ImportedView"
        );
        assert_eq!(
            doc["components"]["schemas"]["ImportedView"]["required"],
            serde_json::json!(["imported"])
        );
    }

    /// The `enum` of a component schema.
    fn component_enum(doc: &Value, name: &str) -> Vec<String> {
        doc["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is no enum"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn closed_sets_of_values_are_enums() {
        let doc = doc();
        assert_eq!(
            component_enum(&doc, "ItemKind"),
            [
                "guide", "dataset", "software", "service", "question", "event"
            ]
        );
        assert_eq!(component_enum(&doc, "Role"), ["editor", "admin"]);
        assert_eq!(
            component_enum(&doc, "Severity"),
            ["suspend", "silence", "reject_media", "allow"]
        );
        assert_eq!(
            component_enum(&doc, "FederationMode"),
            ["blocklist", "allowlist"]
        );
        assert_eq!(
            component_enum(&doc, "ItemOrigin"),
            ["local", "remote", "all"]
        );
        assert_eq!(component_enum(&doc, "ReportStatusFilter"), ["open", "all"]);

        let refers = |schema: &Value, to: &str| {
            assert_eq!(
                schema["$ref"],
                format!("#/components/schemas/{to}"),
                "{schema}"
            );
        };
        let props = |name: &str| doc["components"]["schemas"][name]["properties"].clone();
        for body in ["ItemBody", "NewItemBody", "ItemView"] {
            refers(&props(body)["kind"], "ItemKind");
        }
        for body in ["MemberBody", "MemberView", "MembershipView"] {
            refers(&props(body)["role"], "Role");
        }
        for body in ["DomainBlockBody", "DomainBlockView"] {
            refers(&props(body)["severity"], "Severity");
        }
        refers(&props("ModeBody")["mode"], "FederationMode");

        let param = |method: &str, path: &str, name: &str| {
            operation(&doc, method, path)["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{path} has no {name}"))["schema"]
                .clone()
        };
        refers(&param("get", "/api/v1/items", "origin"), "ItemOrigin");
        refers(&param("get", "/api/v1/items", "kind"), "ItemKind");
        refers(&param("get", "/api/v1/search", "kind"), "ItemKind");
        refers(
            &param("get", "/api/v1/admin/reports", "status"),
            "ReportStatusFilter",
        );

        // Paging: what each handler accepts, and nothing more.
        for (path, name, min, max) in [
            ("/api/v1/items", "page", 1, Some(1u64 << 63)),
            ("/api/v1/items", "per_page", 1, Some(100)),
            ("/api/v1/search", "page", 1, Some(50)),
            ("/api/v1/items/{id}/comments", "limit", 1, Some(500)),
            ("/api/v1/agencies/{slug}/messages", "limit", 1, Some(100)),
            ("/api/v1/admin/reports", "limit", 1, Some(500)),
            ("/api/v1/admin/audit", "page", 0, Some(1u64 << 63)),
            ("/api/v1/admin/audit", "per_page", 1, Some(200)),
            ("/api/v1/agencies/{slug}/audit", "per_page", 1, Some(200)),
        ] {
            let schema = param("get", path, name);
            assert_eq!(schema["minimum"], min, "{path} {name}: {schema}");
            assert_eq!(schema["maximum"].as_u64(), max, "{path} {name}: {schema}");
        }
    }

    #[test]
    fn create_requires_what_create_needs_and_update_takes_any_subset() {
        let doc = doc();
        let schemas = &doc["components"]["schemas"];
        let create = &schemas["NewItemBody"];
        let update = &schemas["ItemBody"];
        assert_eq!(
            create["required"],
            serde_json::json!(["kind", "title", "language"])
        );
        assert!(update.get("required").is_none(), "{update}");
        let names = |s: &Value| -> Vec<String> {
            s["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(names(create), names(update));
        // `null` is refused for these on update, so it is no value to send.
        for field in ["title", "language"] {
            for body in [create, update] {
                assert_eq!(body["properties"][field]["type"], "string", "{field}");
            }
        }
        let create_op = operation(&doc, "post", "/api/v1/agencies/{slug}/items");
        assert_eq!(
            create_op["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/NewItemBody"
        );
        let update_op = operation(&doc, "patch", "/api/v1/items/{id}");
        assert_eq!(
            update_op["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ItemBody"
        );
    }
}
