//! Turning outbox events into activities and deliveries.

use crate::{
    activities::outgoing::deliveries,
    context::Data,
    error::FedError,
    objects::{
        agency::agency_actor,
        comment::comment_note,
        item::{item_note, item_page},
        message::message_note,
        share,
    },
    protocol::PUBLIC,
};
use deling_domain::audience::Visibility;
use deling_store::queries::{
    delivery::NewDelivery,
    outbox::{
        EVENT_AGENCY_DELETE, EVENT_AGENCY_KEY_ROTATE, EVENT_AGENCY_MOVE, EVENT_AGENCY_UPDATE,
        EVENT_COMMENT_CREATE, EVENT_COMMENT_DELETE, EVENT_COMMENT_UPDATE, EVENT_ITEM_CREATE,
        EVENT_ITEM_DELETE, EVENT_ITEM_PIN, EVENT_ITEM_UNPIN, EVENT_ITEM_UPDATE,
        EVENT_MESSAGE_CREATE, EVENT_SHARE_CREATE, EVENT_SHARE_UNDO, OutboxEvent,
    },
};
use serde_json::json;

/// The deliveries an event calls for (none if its subject is gone).
pub async fn deliveries_for(
    event: &OutboxEvent,
    data: &Data,
) -> Result<Vec<NewDelivery>, FedError> {
    let Some(agency_id) = event.agency_id else {
        return Ok(vec![]);
    };
    let Some(agency) = data.store.get_agency(agency_id).await? else {
        return Ok(vec![]);
    };
    let urls = &data.urls;
    let actor = urls.agency(&agency.slug);
    let followers = urls.agency_followers(&agency.slug);
    let mut inboxes = data.store.list_follower_inboxes(agency_id).await?;
    // A withdrawn agency says nothing more than its Delete, even what it
    // queued just before.
    if agency.deleted_at.is_some() && event.kind != EVENT_AGENCY_DELETE {
        return Ok(vec![]);
    }
    if event.kind == EVENT_MESSAGE_CREATE {
        // Addressed as the message answered: a direct answer goes to its
        // author alone, never to the followers.
        let Some(m) = (match event.message_id {
            Some(id) => data.store.get_message(id).await?,
            None => None,
        }) else {
            return Ok(vec![]);
        };
        let Some((note, mut to)) = message_note(&data.store, urls, &agency.slug, &m).await? else {
            return Ok(vec![]);
        };
        if m.visibility != Visibility::Direct {
            to.extend(inboxes);
        }
        let id = urls.message_create(m.id);
        let activity = json!({"type": "Create", "id": id, "actor": actor, "object": note,
            "to": note.to, "cc": note.cc, "published": m.published_at});
        return allowed_deliveries(data, &activity, agency_id, to).await;
    }
    if event.kind == EVENT_AGENCY_UPDATE || event.kind == EVENT_AGENCY_KEY_ROTATE {
        // The whole actor document, as Mastodon and others take an
        // Update of an actor signed by that actor without fetching it
        // (Mastodon: `ActivityPub::Activity::Update#update_account`,
        // `signed_with_known_key: true`, which replaces the stored key).
        let id = if event.kind == EVENT_AGENCY_KEY_ROTATE {
            // Those it follows hold its key too (it signed its Follow and
            // may send them more); the id marks the deliveries that
            // `send` signs with the key being replaced.
            inboxes.extend(data.store.list_following_inboxes(agency_id).await?);
            urls.agency_key_update(&agency.slug, event.id)
        } else {
            urls.agency_update(&agency.slug, event.id)
        };
        let activity = json!({"type": "Update", "id": id, "actor": actor,
            "object": agency_actor(urls, &agency), "to": [PUBLIC], "cc": [followers],
            "published": agency.updated_at});
        return allowed_deliveries(data, &activity, agency_id, inboxes).await;
    }
    if event.kind == EVENT_AGENCY_MOVE {
        let Some(target) = &agency.moved_to else {
            return Ok(vec![]);
        };
        // Mastodon's shape (`MoveSerializer`): the actor moves itself;
        // each follower's server checks `target`'s alsoKnownAs.
        let id = urls.agency_move(&agency.slug, event.id);
        let activity = json!({"type": "Move", "id": id, "actor": actor, "object": actor,
            "target": target, "to": [followers]});
        return allowed_deliveries(data, &activity, agency_id, inboxes).await;
    }
    if event.kind == EVENT_AGENCY_DELETE {
        // Those it follows hear of it too, and stop delivering to it.
        inboxes.extend(data.store.list_following_inboxes(agency_id).await?);
        // The agency's row (and key) stays when it is withdrawn, so the
        // Delete is signed by the actor it deletes, as peers require.
        let id = urls.agency_delete(&agency.slug);
        let activity = json!({"type": "Delete", "id": id, "actor": actor, "object": actor,
            "to": [PUBLIC], "cc": [followers]});
        return allowed_deliveries(data, &activity, agency_id, inboxes).await;
    }
    let Some(item_id) = event.item_id else {
        return Ok(vec![]);
    };
    if matches!(event.kind.as_str(), EVENT_ITEM_PIN | EVENT_ITEM_UNPIN) {
        // Mastodon's way of pinning: Add to (Remove from) the actor's
        // `featured` collection, sent to followers.
        let (kind, id) = if event.kind == EVENT_ITEM_PIN {
            ("Add", urls.featured_add(&agency.slug, event.id))
        } else {
            ("Remove", urls.featured_remove(&agency.slug, event.id))
        };
        let featured = urls.agency_featured(&agency.slug);
        let activity = json!({"type": kind, "id": id, "actor": actor, "object": urls.item(item_id),
            "target": featured, "to": [PUBLIC], "cc": [followers]});
        return allowed_deliveries(data, &activity, agency_id, inboxes).await;
    }
    if matches!(event.kind.as_str(), EVENT_SHARE_CREATE | EVENT_SHARE_UNDO) {
        let (Some(share), Some(item)) = (
            match event.share_id {
                Some(id) => data.store.get_share(id).await?,
                None => None,
            },
            data.store.get_item(item_id).await?,
        ) else {
            return Ok(vec![]);
        };
        let announce = share::announce(&data.store, urls, &share, &agency, &item).await?;
        inboxes.extend(announce.owner_inboxes);
        let activity = if event.kind == EVENT_SHARE_CREATE {
            announce.activity
        } else {
            share::undo(urls, share.id, &announce.activity)
        };
        return allowed_deliveries(data, &activity, agency_id, inboxes).await;
    }
    if matches!(event.kind.as_str(), EVENT_ITEM_CREATE | EVENT_ITEM_UPDATE) {
        let Some(item) = data
            .store
            .get_item(item_id)
            .await?
            .filter(|i| i.deleted_at.is_none())
        else {
            return Ok(vec![]);
        };
        let counts = data.store.count_item_reactions(item_id).await?;
        let page = item_page(urls, &item, counts).map_err(|e| FedError::Refused(e.to_string()))?;
        let (kind, id) = if event.kind == EVENT_ITEM_CREATE {
            ("Create", urls.item_create(item_id))
        } else {
            ("Update", urls.item_update(item_id, event.id))
        };
        // Deling peers get the Page with all it means; everyone else the
        // same item as a Note, which Mastodon shows and, unlike a Page,
        // lets be edited (see docs/FEDERATION.md).
        let (deling, others) = data
            .store
            .list_follower_inboxes_by_dialect(agency_id)
            .await?;
        let published = deling_store::records::now();
        let as_page = json!({"type": kind, "id": id, "actor": actor, "object": page,
            "to": [PUBLIC], "cc": [followers], "published": published});
        let as_note = json!({"type": kind, "id": id, "actor": actor, "object": item_note(&page),
            "to": [PUBLIC], "cc": [followers], "published": published});
        let mut out = allowed_deliveries(data, &as_page, agency_id, deling).await?;
        out.extend(allowed_deliveries(data, &as_note, agency_id, others).await?);
        return Ok(out);
    }
    let activity = match event.kind.as_str() {
        EVENT_ITEM_DELETE => {
            json!({"type": "Delete", "id": urls.item_delete(item_id), "actor": actor,
                   "object": {"type": "Tombstone", "id": urls.item(item_id), "formerType": "Page"},
                   "to": [PUBLIC], "cc": [followers]})
        }
        EVENT_COMMENT_CREATE | EVENT_COMMENT_UPDATE => {
            let Some(comment_id) = event.comment_id else {
                return Ok(vec![]);
            };
            let Some((comment, item)) = data.store.get_comment(comment_id).await? else {
                return Ok(vec![]);
            };
            let Some((note, extra)) = comment_note(&data.store, urls, &comment, &item).await?
            else {
                return Ok(vec![]);
            };
            inboxes.extend(extra);
            let cc = note.cc.clone();
            if event.kind == EVENT_COMMENT_CREATE {
                let id = urls.comment_create(comment.id);
                json!({"type": "Create", "id": id, "actor": actor, "object": note, "to": [PUBLIC],
                       "cc": cc, "published": comment.published_at})
            } else {
                let id = urls.comment_update(comment.id, event.id);
                json!({"type": "Update", "id": id, "actor": actor, "object": note, "to": [PUBLIC],
                       "cc": cc, "published": comment.updated_at})
            }
        }
        EVENT_COMMENT_DELETE => {
            let Some(comment_id) = event.comment_id else {
                return Ok(vec![]);
            };
            let Some(deling_store::queries::comment::CommentState { comment, item, .. }) =
                data.store.get_comment_any(comment_id).await?
            else {
                return Ok(vec![]);
            };
            // The same audience as the Create: followers, the item's owner
            // and the author answered.
            let Some((note, extra)) = comment_note(&data.store, urls, &comment, &item).await?
            else {
                return Ok(vec![]);
            };
            inboxes.extend(extra);
            let object = urls.comment(comment.id);
            let id = urls.comment_delete(comment.id);
            json!({"type": "Delete", "id": id, "actor": actor,
                   "object": {"type": "Tombstone", "id": object, "formerType": "Note"},
                   "to": [PUBLIC], "cc": note.cc})
        }
        other => {
            tracing::warn!(kind = other, "unknown outbox event kind ignored");
            return Ok(vec![]);
        }
    };
    allowed_deliveries(data, &activity, agency_id, inboxes).await
}

/// One delivery per distinct inbox, except to blocked domains (and, in
/// allow-list mode, to any domain not allowed).
async fn allowed_deliveries(
    data: &Data,
    activity: &serde_json::Value,
    agency_id: i64,
    inboxes: Vec<String>,
) -> Result<Vec<NewDelivery>, FedError> {
    let mut allowed = Vec::with_capacity(inboxes.len());
    for inbox in inboxes {
        // An inbox that is not a URL gets no delivery either way.
        let Ok(url) = url::Url::parse(&inbox) else {
            continue;
        };
        if !crate::policy::refuses_host(&data.store, &url).await? {
            allowed.push(inbox);
        }
    }
    Ok(deliveries(activity, Some(agency_id), &allowed))
}
