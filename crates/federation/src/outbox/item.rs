//! A local item's activities: the `Create` that published it and each
//! `Update` (its `Page` to Deling peers, the `Note` made from it to
//! everyone else), its `Delete`, and pins as `Add`/`Remove` on the
//! agency's `featured` collection (Mastodon's way).

use super::{Built, Outgoing, followers};
use crate::{
    Urls,
    context::Data,
    error::FedError,
    objects::item::{item_note, item_page},
    protocol::{
        activity::{ActivityType, ObjectActivity, TargetActivity},
        context::Tombstone,
        page::PageJson,
        public,
    },
};
use chrono::{DateTime, Utc};
use deling_store::{queries::outbox::OutboxEvent, records::Agency};
use url::Url;

/// The `Create` or `Update` of a local item carrying `object` (its `Page`,
/// or the `Note` made from it), by its author to its audience.
pub fn item_activity<T>(
    kind: ActivityType,
    id: Url,
    page: &PageJson,
    object: T,
    published: Option<DateTime<Utc>>,
) -> ObjectActivity<T> {
    ObjectActivity {
        kind,
        id,
        actor: page.attributed_to.clone(),
        object,
        to: page.to.clone(),
        cc: page.cc.clone(),
        published,
    }
}

/// The `Create` that published local item `item_id` with its `Page`, as
/// served at its id and listed in the agency's outbox.
pub fn create_of(urls: &Urls, item_id: i64, page: &PageJson) -> ObjectActivity<PageJson> {
    item_activity(
        ActivityType::Create,
        urls.item_create(item_id),
        page,
        page.clone(),
        page.published,
    )
}

/// An item published.
pub(super) async fn create(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some(item_id) = event.item_id else {
        return Ok(vec![]);
    };
    let id = data.urls.item_create(item_id);
    created_or_updated(ActivityType::Create, id, item_id, agency, data).await
}

/// An item edited.
pub(super) async fn update(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some(item_id) = event.item_id else {
        return Ok(vec![]);
    };
    let id = data.urls.item_update(item_id, event.id);
    created_or_updated(ActivityType::Update, id, item_id, agency, data).await
}

/// The item as it is now, to every follower (an edit, also to every
/// actor the item reached: see [`deling_store::Store::list_item_reach_inboxes_by_dialect`]): Deling peers get the `Page`
/// with all it means; everyone else the same item as a `Note`, which
/// Mastodon shows and, unlike a `Page`, lets be edited (see
/// docs/FEDERATION.md). Nothing once it is withdrawn.
async fn created_or_updated(
    kind: ActivityType,
    id: Url,
    item_id: i64,
    agency: &Agency,
    data: &Data,
) -> Built {
    let Some(item) = data
        .store
        .get_item(item_id)
        .await?
        .filter(|i| i.deleted_at.is_none())
    else {
        return Ok(vec![]);
    };
    let page =
        item_page(&data.urls, &item, item.counts).map_err(|e| FedError::Refused(e.to_string()))?;
    // A new item goes to the followers; an edit also to whoever it
    // reached beyond them (boosted, liked, answered), as on Mastodon.
    let (deling, others) = match kind {
        ActivityType::Create => {
            data.store
                .list_follower_inboxes_by_dialect(agency.id)
                .await?
        }
        _ => {
            data.store
                .list_item_reach_inboxes_by_dialect(agency.id, item_id)
                .await?
        }
    };
    // When it went out, as peers have always been told.
    let published = Some(deling_store::records::now());
    let as_note = item_activity(kind, id.clone(), &page, item_note(&page), published);
    let as_page = item_activity(kind, id, &page, page.clone(), published);
    Ok(vec![
        Outgoing::new(&as_page, deling)?,
        Outgoing::new(&as_note, others)?,
    ])
}

/// An item withdrawn: its `Delete`, naming its `Tombstone`, to everyone
/// the item reached.
pub(super) async fn delete(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let Some(item_id) = event.item_id else {
        return Ok(vec![]);
    };
    let urls = &data.urls;
    let activity = ObjectActivity {
        kind: ActivityType::Delete,
        id: urls.item_delete(item_id),
        actor: urls.agency(&agency.slug),
        object: Tombstone::new(urls.item(item_id), "Page"),
        to: vec![public()],
        cc: vec![urls.agency_followers(&agency.slug)],
        published: None,
    };
    // To the followers and whoever else holds a copy (boosted, liked or
    // answered it, or follows an agency here that shared it), so that it
    // goes everywhere it went.
    let (deling, others) = data
        .store
        .list_item_reach_inboxes_by_dialect(agency.id, item_id)
        .await?;
    Ok(vec![Outgoing::new(
        &activity,
        deling.into_iter().chain(others).collect(),
    )?])
}

/// An item pinned: an `Add` to the agency's `featured` collection.
pub(super) async fn pin(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let id = data.urls.featured_add(&agency.slug, event.id);
    featured(ActivityType::Add, id, event, agency, data).await
}

/// An item unpinned: a `Remove` from the agency's `featured` collection.
pub(super) async fn unpin(event: &OutboxEvent, agency: &Agency, data: &Data) -> Built {
    let id = data.urls.featured_remove(&agency.slug, event.id);
    featured(ActivityType::Remove, id, event, agency, data).await
}

async fn featured(
    kind: ActivityType,
    id: Url,
    event: &OutboxEvent,
    agency: &Agency,
    data: &Data,
) -> Built {
    let Some(item_id) = event.item_id else {
        return Ok(vec![]);
    };
    let urls = &data.urls;
    let activity = TargetActivity {
        kind,
        id,
        actor: urls.agency(&agency.slug),
        object: urls.item(item_id),
        target: urls.agency_featured(&agency.slug),
        to: vec![public()],
        cc: vec![urls.agency_followers(&agency.slug)],
    };
    Ok(vec![Outgoing::new(
        &activity,
        followers(agency, data).await?,
    )?])
}
