//! `POST /inbox` and `POST /agencies/{slug}/inbox`: signed activities in.

use crate::{error::ApiError, state::AppState};
use activitypub_federation::actix_web::inbox::receive_activity_with_hook;
use actix_web::{HttpRequest, HttpResponse, web};
use deling_federation::{
    context::FedContext,
    inbox::{Envelope, StoreHook},
    objects::actors::DbRemoteActor,
};

async fn receive(
    state: &AppState,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let data = state.fed_data();
    match receive_activity_with_hook::<Envelope, DbRemoteActor, FedContext>(
        req, body, StoreHook, &data,
    )
    .await
    {
        Ok(_) => Ok(HttpResponse::Accepted().finish()),
        // The actor is gone (its document answers 410): there is nobody
        // left to verify or to act for, so acknowledge and drop it, as
        // Mastodon does for the Deletes of vanished accounts.
        Err(deling_federation::error::FedError::Protocol(
            activitypub_federation::error::Error::ObjectDeleted(_),
        )) => Ok(HttpResponse::Accepted().finish()),
        Err(e) => {
            let e = ApiError::from(e);
            tracing::info!(error = %e, "inbox refused an activity");
            Err(e)
        }
    }
}

/// The shared inbox.
pub async fn shared(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    receive(&state, req, body).await
}

/// An agency's own inbox.
pub async fn agency(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    crate::routes::api::agencies::find(&state, &slug).await?;
    receive(&state, req, body).await
}
