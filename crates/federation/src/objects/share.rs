//! Shares as `Announce` activities (and the `Undo` of one).

use crate::{Urls, error::FedError, protocol::PUBLIC};
use deling_store::{
    Store,
    queries::share::Share,
    records::{Agency, Item, ItemOwner},
};
use serde_json::{Value, json};

/// A share's Announce, and the inboxes beyond the agency's followers it
/// goes to (the remote owner of the item, who counts it as a boost).
#[derive(Debug, Clone)]
pub struct Announce {
    /// The activity, without `@context`.
    pub activity: Value,
    /// Shared inboxes (or inboxes) of the item's remote owner.
    pub owner_inboxes: Vec<String>,
}

/// The ActivityPub id of an item as peers know it.
pub fn item_ap_id(urls: &Urls, item: &Item) -> String {
    match &item.owner {
        ItemOwner::Local { .. } => urls.item(item.id).to_string(),
        ItemOwner::Remote { .. } => item
            .ap_id
            .clone()
            .unwrap_or_else(|| urls.item(item.id).to_string()),
    }
}

/// Builds the Announce of `share` by `agency` of `item`.
pub async fn announce(
    store: &Store,
    urls: &Urls,
    share: &Share,
    agency: &Agency,
    item: &Item,
) -> Result<Announce, FedError> {
    let actor = urls.agency(&agency.slug);
    let mut cc = vec![Value::from(urls.agency_followers(&agency.slug).as_str())];
    let mut owner_inboxes = Vec::new();
    match &item.owner {
        ItemOwner::Remote { ap_id, .. } => {
            cc.push(Value::from(ap_id.as_str()));
            if let Some(owner) = store.get_remote_actor_by_ap_id(ap_id).await? {
                owner_inboxes.push(owner.shared_inbox.unwrap_or(owner.inbox));
            }
        }
        ItemOwner::Local { slug, .. } if *slug != agency.slug => {
            cc.push(Value::from(urls.agency(slug).as_str()));
        }
        ItemOwner::Local { .. } => {}
    }
    let activity = json!({
        "type": "Announce",
        "id": urls.share(share.id),
        "actor": actor,
        "object": item_ap_id(urls, item),
        "published": share.created_at,
        "to": [PUBLIC],
        "cc": cc,
    });
    Ok(Announce {
        activity,
        owner_inboxes,
    })
}

/// The Undo of an Announce, embedding it so that peers can match it
/// without a fetch.
pub fn undo(urls: &Urls, share_id: i64, announce: &Value) -> Value {
    json!({
        "type": "Undo",
        "id": urls.share_undo(share_id),
        "actor": announce.get("actor").cloned().unwrap_or(Value::Null),
        "object": announce,
        "to": announce.get("to").cloned().unwrap_or(Value::Null),
        "cc": announce.get("cc").cloned().unwrap_or(Value::Null),
    })
}
