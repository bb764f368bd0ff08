//! Building outgoing activities and queuing them for delivery.

use crate::{Urls, protocol::context::with_context, urls::authority};
use deling_store::queries::delivery::NewDelivery;
use rand::RngCore;
use serde_json::Value;
use url::Url;

/// A fresh activity id under `/activities/{kind}/{random}`.
pub fn activity_id(urls: &Urls, kind: &str) -> Url {
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    urls.other_activity(kind, &hex)
}

/// An activity id under `/activities/{kind}/{hash}` that depends only on
/// `source` (the activity it answers), so it is the same every time.
pub fn derived_id(urls: &Urls, kind: &str, source: &str) -> Url {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(source.as_bytes());
    let hex: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
    urls.other_activity(kind, &hex)
}

/// One delivery per distinct inbox of `activity` (already a JSON object
/// without `@context`), signed by `agency_id` (or the instance actor).
pub fn deliveries(
    activity: &Value,
    agency_id: Option<i64>,
    inboxes: &[String],
) -> Vec<NewDelivery> {
    let id = activity
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let body = with_context(activity).to_string();
    let mut seen: Vec<&String> = Vec::new();
    inboxes
        .iter()
        .filter(|i| {
            if seen.contains(i) {
                false
            } else {
                seen.push(i);
                true
            }
        })
        .filter_map(|inbox| {
            let url = Url::parse(inbox).ok()?;
            Some(NewDelivery {
                activity_id: id.clone(),
                agency_id,
                host: authority(&url),
                inbox: inbox.clone(),
                body: body.clone(),
            })
        })
        .collect()
}
