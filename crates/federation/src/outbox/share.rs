//! Shares (boosts) by local agencies: the `Announce` of an item, also
//! served at the share's id, and the `Undo` of one. The item's remote
//! owner gets them too, and counts the boost.

use super::{Built, Outgoing, followers};
use crate::{
    Urls,
    context::Data,
    error::FedError,
    protocol::{
        activity::{ActivityType, Announce, ObjectActivity},
        public,
    },
};
use deling_store::{
    Store,
    queries::{outbox::OutboxEvent, share::Share},
    records::{Agency, Item, ItemOwner},
};
use url::Url;

/// The ActivityPub id of an item as peers know it.
pub fn item_ap_id(urls: &Urls, item: &Item) -> Result<Url, FedError> {
    match (&item.owner, &item.ap_id) {
        (ItemOwner::Remote { .. }, Some(ap_id)) => {
            Url::parse(ap_id).map_err(|e| FedError::Refused(format!("{ap_id}: {e}")))
        }
        _ => Ok(urls.item(item.id)),
    }
}

/// The Announce of `share` by `agency` of `item`, and the inboxes beyond
/// the agency's followers it goes to (the item's remote owner's).
pub async fn announce(
    store: &Store,
    urls: &Urls,
    share: &Share,
    agency: &Agency,
    item: &Item,
) -> Result<(Announce, Vec<String>), FedError> {
    let mut cc = vec![urls.agency_followers(&agency.slug)];
    let mut owner_inboxes = Vec::new();
    match &item.owner {
        ItemOwner::Remote { ap_id, .. } => {
            cc.push(Url::parse(ap_id).map_err(|e| FedError::Refused(format!("{ap_id}: {e}")))?);
            if let Some(owner) = store.get_remote_actor_by_ap_id(ap_id).await? {
                owner_inboxes.push(owner.shared_inbox.unwrap_or(owner.inbox));
            }
        }
        ItemOwner::Local { slug, .. } if *slug != agency.slug => cc.push(urls.agency(slug)),
        ItemOwner::Local { .. } => {}
    }
    let announce = Announce {
        kind: ActivityType::Announce,
        id: urls.share(share.id),
        actor: urls.agency(&agency.slug),
        object: item_ap_id(urls, item)?,
        published: share.created_at,
        to: vec![public()],
        cc,
    };
    Ok((announce, owner_inboxes))
}

/// The Undo of an Announce, embedding it so that peers can match it
/// without a fetch.
pub fn undo_of(urls: &Urls, share_id: i64, announce: Announce) -> ObjectActivity<Announce> {
    ObjectActivity {
        kind: ActivityType::Undo,
        id: urls.share_undo(share_id),
        actor: announce.actor.clone(),
        to: announce.to.clone(),
        cc: announce.cc.clone(),
        object: announce,
        published: None,
    }
}

/// An item shared: its `Announce`.
pub(super) async fn create(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some((announce, inboxes)) = announced(event, agency, data).await? else {
        return Ok(vec![]);
    };
    Ok(vec![Outgoing::new(&announce, inboxes)?])
}

/// A share taken back: the `Undo` of its `Announce`.
pub(super) async fn undo(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some((announce, inboxes)) = announced(event, agency, data).await? else {
        return Ok(vec![]);
    };
    let Some(share_id) = event.share_id else {
        return Ok(vec![]);
    };
    let undo = undo_of(&data.urls, share_id, announce);
    Ok(vec![Outgoing::new(&undo, inboxes)?])
}

/// The event's share as its Announce, to the agency's followers and the
/// item's remote owner; `None` if the share or the item is gone.
async fn announced(
    event: &OutboxEvent,
    agency: &Agency,
    data: &Data,
) -> Result<Option<(Announce, Vec<String>)>, FedError> {
    let (Some(share_id), Some(item_id)) = (event.share_id, event.item_id) else {
        return Ok(None);
    };
    let (Some(share), Some(item)) = (
        data.store.get_share(share_id).await?,
        data.store.get_item(item_id).await?,
    ) else {
        return Ok(None);
    };
    let (announce, owner) = announce(&data.store, &data.urls, &share, agency, &item).await?;
    let mut inboxes = followers(agency, data).await?;
    inboxes.extend(owner);
    Ok(Some((announce, inboxes)))
}
