//! What handlers ask about a peer: the federation policy's verdict on its
//! host, and its objects fetched by id.

use crate::{
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
    urls::authority,
};
use activitypub_federation::traits::Object;
use deling_store::queries::policy::Verdict;
use serde_json::{Map, Value};
use url::Url;

/// The federation policy's verdict on the actor's host.
pub async fn verdict(actor: &DbRemoteActor, data: &Data) -> Result<Verdict, FedError> {
    Ok(data.store.get_host_verdict(&authority(actor.id())).await?)
}

/// Fetches an object named only by id (in a Create, Update or boost). The
/// library follows a redirect and chases a document's own id on the same
/// server; the document must still carry exactly the id named, or a
/// redirect could file another document under it.
pub async fn fetch_by_id(id: &Url, data: &Data) -> Result<Map<String, Value>, FedError> {
    let fetched = activitypub_federation::fetch::fetch_object_http::<_, Value>(id, data).await?;
    if &fetched.url != id {
        return refuse(format!("{id} answered with {}", fetched.url));
    }
    match fetched.object {
        Value::Object(object) => Ok(object),
        _ => refuse(format!("{id} is not an object")),
    }
}
