//! `/.well-known/*` and NodeInfo: how peers find our actors.

use crate::{
    cache::{self, Key},
    error::ApiError,
    state::AppState,
};
use actix_web::{HttpRequest, HttpResponse, http::header, web};
use deling_federation::{
    discovery::{self, ResourceError, Usage, WebfingerTarget},
    objects::agency::INSTANCE_ACTOR_NAME,
};
use serde::Deserialize;

/// Query of WebFinger.
#[derive(Debug, Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
}

/// `GET /.well-known/webfinger?resource=acct:slug@domain`.
pub async fn webfinger(
    state: web::Data<AppState>,
    q: web::Query<WebfingerQuery>,
) -> Result<HttpResponse, ApiError> {
    let resource = q
        .resource
        .as_deref()
        .ok_or_else(|| ApiError::BadRequest("the resource query parameter is required".into()))?;
    let key = Key::Webfinger(resource.to_owned());
    cache::serve(&state, key, webfinger_doc(&state, resource)).await
}

/// The JRD for `resource`.
async fn webfinger_doc(state: &AppState, resource: &str) -> Result<HttpResponse, ApiError> {
    let domain = &state.settings.domain;
    let target = discovery::parse_resource(resource, &state.urls, domain).map_err(|e| match e {
        ResourceError::Malformed(_) => ApiError::BadRequest(e.to_string()),
        ResourceError::OtherHost(_) => ApiError::NotFound(e.to_string()),
    })?;
    let jrd = match target {
        WebfingerTarget::InstanceActor => {
            let actor = state.urls.instance_actor();
            discovery::webfinger(INSTANCE_ACTOR_NAME, domain, &actor, state.urls.base())
        }
        WebfingerTarget::Agency(slug) => {
            let agency = crate::lookup::agency(state, &slug).await?;
            let actor = state.urls.agency(&agency.slug);
            discovery::webfinger(&agency.slug, domain, &actor, &actor)
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("application/jrd+json; charset=utf-8")
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(jrd))
}

/// `GET /.well-known/host-meta`: XRD, or JSON when asked for.
pub async fn host_meta(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json"));
    if wants_json {
        host_meta_json(state).await
    } else {
        HttpResponse::Ok()
            .content_type("application/xrd+xml; charset=utf-8")
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .body(discovery::host_meta_xml(&state.urls))
    }
}

/// `GET /.well-known/host-meta.json`.
pub async fn host_meta_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(discovery::host_meta_json(&state.urls))
}

/// `GET /.well-known/nodeinfo`.
pub async fn nodeinfo_links(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(discovery::nodeinfo_links(&state.urls))
}

/// `GET /nodeinfo/{version}` for 2.0 and 2.1, with live counts.
pub async fn nodeinfo(
    state: web::Data<AppState>,
    version: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let version = version.into_inner();
    if version != "2.0" && version != "2.1" {
        return Err(ApiError::NotFound(format!(
            "no NodeInfo version {version:?}; try 2.1 or 2.0"
        )));
    }
    let now = chrono::Utc::now();
    let usage = Usage {
        users_total: state.store.count_agencies().await?,
        users_active_month: state
            .store
            .count_active_agencies(now - chrono::Duration::days(30))
            .await?,
        users_active_halfyear: state
            .store
            .count_active_agencies(now - chrono::Duration::days(180))
            .await?,
        local_posts: state.store.count_local_items().await?,
    };
    let profile = format!("http://nodeinfo.diaspora.software/ns/schema/{version}#");
    Ok(HttpResponse::Ok()
        .content_type(format!(
            "application/json; profile=\"{profile}\"; charset=utf-8"
        ))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(discovery::nodeinfo(
            &version,
            &state.settings.instance_name,
            usage,
        )))
}
