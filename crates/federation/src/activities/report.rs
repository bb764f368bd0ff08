//! `Flag`: a peer reports one of our agencies, items or comments. Stored in
//! the moderation queue for instance administrators.

use crate::{
    context::Data, error::FedError, objects::actors::DbRemoteActor, protocol::incoming::Activity,
};
use activitypub_federation::traits::Object;
use deling_domain::markdown;
use serde_json::Value;

/// Stores the report with what it names and the reporter's words.
pub async fn receive(
    a: Activity,
    raw: &Value,
    actor: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    let objects: Vec<String> = match raw.get("object") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(crate::protocol::incoming::first_url)
            .map(|u| u.to_string())
            .collect(),
        Some(v) => crate::protocol::incoming::first_url(v)
            .map(|u| vec![u.to_string()])
            .unwrap_or_default(),
        None => vec![],
    };
    let content: String = raw
        .get("content")
        .and_then(Value::as_str)
        .map(|c| markdown::plain_text(c).chars().take(5000).collect())
        .unwrap_or_default();
    data.store
        .put_report(a.id.as_str(), actor.id().as_str(), &content, objects)
        .await?;
    tracing::info!(report = %a.id, reporter = %actor.id(), "report received");
    Ok(())
}
