//! Create, Update and Delete of comments (`Note`) and shared items (`Page`).

use super::remote_page::{read_page, text_and_language};
use crate::{
    audience::Audience,
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
    protocol::incoming::{Activity, ObjectRef, first_url},
    urls::{authority, same_origin},
};
use activitypub_federation::{fetch::object_id::ObjectId, traits::Object};
use chrono::{DateTime, Utc};
use deling_domain::{audience::ContentWarning, language::Language, markdown};
use deling_store::queries::policy::Verdict;
use deling_store::queries::{
    comment::{PublicVisibility, RemoteCommentData},
    message::RemoteMessageData,
    remote_item::RemoteItemData,
};
use serde_json::{Map, Value};
use url::Url;

/// The federation policy's verdict on the actor's host.
async fn verdict(actor: &DbRemoteActor, data: &Data) -> Result<Verdict, FedError> {
    Ok(data.store.get_host_verdict(&authority(actor.id())).await?)
}

/// Actor types whose Update refreshes our copy of the actor.
const ACTOR_TYPES: [&str; 5] = ["Person", "Organization", "Service", "Application", "Group"];

fn string(m: &Map<String, Value>, key: &str) -> Option<String> {
    m.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn time(m: &Map<String, Value>, key: &str) -> Option<DateTime<Utc>> {
    string(m, key)
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// Checks that an embedded object is the actor's own: on its server, and
/// attributed to it when it says whom it is by.
fn check_owner(
    object: &Map<String, Value>,
    id: &Url,
    actor: &DbRemoteActor,
) -> Result<(), FedError> {
    same_origin(id, actor.id())?;
    if let Some(author) = object.get("attributedTo").and_then(first_url)
        && &author != actor.id()
    {
        return refuse(format!(
            "{id} is attributed to {author}, not to {}",
            actor.id()
        ));
    }
    Ok(())
}

/// Fetches an object named only by id (in a Create, Update or boost). The
/// library follows a redirect and chases a document's own id on the same
/// server; the document must still carry exactly the id named, or a
/// redirect could file another document under it.
pub(crate) async fn fetch_by_id(id: &Url, data: &Data) -> Result<Map<String, Value>, FedError> {
    let fetched = activitypub_federation::fetch::fetch_object_http::<_, Value>(id, data).await?;
    if &fetched.url != id {
        return refuse(format!("{id} answered with {}", fetched.url));
    }
    match fetched.object {
        Value::Object(object) => Ok(object),
        _ => refuse(format!("{id} is not an object")),
    }
}

/// Create or Update of a Note (a comment on one of the items we know), a
/// Page (an item of an agency we follow) or of the actor itself.
pub async fn receive_create_or_update(
    a: Activity,
    actor: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    let fetched;
    let (object, id, kind): (&Map<String, Value>, Url, &str) = match &a.object {
        ObjectRef::Object(object) => (
            object,
            a.object
                .id()
                .ok_or_else(|| FedError::Refused("object without a valid id".into()))?,
            a.object.kind().unwrap_or_default(),
        ),
        ObjectRef::Id(id) => {
            // Only an id: fetch it, signed, from its own server.
            same_origin(id, actor.id())?;
            if id == actor.id() {
                ObjectId::<DbRemoteActor>::from(id.clone())
                    .dereference_forced(data)
                    .await?;
                return Ok(());
            }
            if data.store.is_tombstoned(id.as_str()).await? {
                return Ok(());
            }
            fetched = fetch_by_id(id, data).await?;
            let kind = fetched
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (&fetched, id.clone(), kind)
        }
        ObjectRef::Many(_) => return refuse("Create and Update take one object"),
    };
    if ACTOR_TYPES.contains(&kind) {
        if &id != actor.id() {
            return refuse("an actor can only update itself");
        }
        ObjectId::<DbRemoteActor>::from(id)
            .dereference_forced(data)
            .await?;
        return Ok(());
    }
    check_owner(object, &id, actor)?;
    if data.store.is_tombstoned(id.as_str()).await? {
        tracing::debug!(%id, "Create/Update of an object already deleted ignored");
        return Ok(());
    }
    let parent = object.get("inReplyTo").and_then(first_url);
    if parent.is_none() && matches!(kind, "Page" | "Article") {
        let audience = Audience::of(object, &a.to, &a.cc);
        return receive_item(object, id, &audience, actor, data).await;
    }
    let audience = Audience::of(object, &a.to, &a.cc);
    receive_note(object, id, parent, audience, actor, data).await
}

/// What an inbound post answers, as far as we hold it.
enum Thread {
    /// An item (and maybe a comment on it) here: local or catalogued.
    Item {
        item_id: i64,
        in_reply_to_id: Option<i64>,
        /// Local agencies it answers: the item's owner, the comment's author.
        agencies: Vec<i64>,
    },
    /// Messages in staff inboxes here: (agency, message) pairs.
    Messages {
        item_id: Option<i64>,
        by_agency: Vec<(i64, i64)>,
    },
    /// Nothing we hold.
    None,
}

async fn local_agency_id(slug: &str, data: &Data) -> Result<Option<i64>, FedError> {
    Ok(data
        .store
        .get_agency_by_slug(slug)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .map(|a| a.id))
}

async fn thread_of(parent: &Url, data: &Data) -> Result<Thread, FedError> {
    if let Some(mid) = data.urls.message_id_of(parent) {
        return Ok(match data.store.get_message(mid).await? {
            Some(m) => Thread::Messages {
                item_id: m.item_id,
                by_agency: vec![(m.agency_id, m.id)],
            },
            None => Thread::None,
        });
    }
    let by_agency = data.store.list_messages_by_ap_id(parent.as_str()).await?;
    if !by_agency.is_empty() {
        return Ok(Thread::Messages {
            item_id: None,
            by_agency,
        });
    }
    let (item_id, comment) = if let Some(item) = data.urls.item_id_of(parent) {
        (Some(item), None)
    } else if let Some(cid) = data.urls.comment_id_of(parent) {
        match data.store.get_comment(cid).await? {
            Some((c, _)) => (Some(c.item_id), Some(c)),
            None => (None, None),
        }
    } else if let Some(item) = data.store.get_item_by_ap_id(parent.as_str()).await? {
        (Some(item.id), None)
    } else if let Some(c) = data.store.get_comment_by_ap_id(parent.as_str()).await? {
        (Some(c.item_id), Some(c))
    } else {
        (None, None)
    };
    let Some(item_id) = item_id else {
        return Ok(Thread::None);
    };
    let mut agencies = Vec::new();
    match data.store.get_item(item_id).await? {
        Some(i) if i.deleted_at.is_none() => agencies.extend(i.agency_id()),
        _ => return refuse(format!("{parent} has been withdrawn")),
    }
    if let Some(deling_store::records::CommentAuthor::Agency { slug, .. }) =
        comment.as_ref().map(|c| &c.author)
    {
        agencies.extend(local_agency_id(slug, data).await?);
    }
    Ok(Thread::Item {
        item_id,
        in_reply_to_id: comment.map(|c| c.id),
        agencies,
    })
}

/// A `Note` (or any post that is not an item of a followed agency): a
/// public comment when it was addressed publicly and answers something
/// we hold; otherwise, if it concerns an agency here, a message in that
/// agency's staff inbox, which only its staff ever see.
async fn receive_note(
    object: &Map<String, Value>,
    id: Url,
    parent: Option<Url>,
    audience: Audience,
    actor: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    let visibility = audience.visibility(actor.row.followers.as_deref());
    let thread = match &parent {
        Some(p) => thread_of(p, data).await?,
        None => Thread::None,
    };
    let (content, language) = text_and_language(object, "content");
    let content_html = markdown::sanitize(&content.unwrap_or_default());
    let (summary, _) = text_and_language(object, "summary");
    let content_warning = summary
        .and_then(|s| ContentWarning::from_plain(&markdown::plain_text(&s)))
        .map(ContentWarning::into_inner);
    let sensitive = object.get("sensitive").and_then(Value::as_bool) == Some(true);
    let language = language
        .and_then(|l| Language::parse(&l).ok())
        .map(|l| l.to_string());
    let published_at = time(object, "published").unwrap_or_else(deling_store::records::now);
    // Once received privately, an object stays private: an Update that
    // widens its audience does not publish it.
    let private_before = data.store.is_message(id.as_str()).await?;
    if let (
        Some(public),
        false,
        Thread::Item {
            item_id,
            in_reply_to_id,
            ..
        },
    ) = (PublicVisibility::of(visibility), private_before, &thread)
    {
        if content_html.trim().is_empty() {
            return refuse("empty comment");
        }
        let stored = data
            .store
            .put_remote_comment(RemoteCommentData {
                ap_id: id.to_string(),
                item_id: *item_id,
                in_reply_to_id: *in_reply_to_id,
                author_remote_actor_id: actor.row.id,
                content_html,
                language,
                published_at,
                hidden: verdict(actor, data).await? == Verdict::Silenced,
                visibility: public,
                content_warning,
                sensitive,
            })
            .await;
        return match stored {
            // Deleted already: a late Update changes nothing.
            Ok(_) | Err(deling_store::StoreError::NotFound(_)) => Ok(()),
            Err(deling_store::StoreError::Conflict(m)) => refuse(m),
            Err(e) => Err(e.into()),
        };
    }

    // The agencies here it concerns: those it names, and those whose
    // item, comment or message it answers.
    let mut recipients: Vec<(i64, Option<i64>)> = Vec::new();
    let mut item_id = None;
    match &thread {
        Thread::Item {
            item_id: i,
            agencies,
            ..
        } => {
            item_id = Some(*i);
            recipients.extend(agencies.iter().map(|a| (*a, None)));
        }
        Thread::Messages {
            item_id: i,
            by_agency,
        } => {
            item_id = *i;
            recipients.extend(by_agency.iter().map(|(a, m)| (*a, Some(*m))));
        }
        Thread::None => {}
    }
    for named in audience.named() {
        if let Some(slug) = data.urls.agency_slug_of(&named)
            && let Some(agency) = local_agency_id(slug, data).await?
        {
            recipients.push((agency, None));
        }
    }
    // One copy per agency; the one that threads it wins.
    recipients.sort_by_key(|(a, m)| (*a, m.is_none()));
    recipients.dedup_by_key(|(a, _)| *a);
    if recipients.is_empty() {
        tracing::debug!(%id, "post for nobody here ignored");
        return Ok(());
    }
    if content_html.trim().is_empty() {
        return refuse("empty message");
    }
    // Made private by its author: the public copy goes.
    if data
        .store
        .delete_remote_comment(id.as_str(), actor.row.id)
        .await?
    {
        tracing::info!(%id, "a comment whose author narrowed its audience was taken down");
    }
    let stored = data
        .store
        .put_remote_message(
            &recipients,
            RemoteMessageData {
                ap_id: id.to_string(),
                author_remote_actor_id: actor.row.id,
                in_reply_to: parent.map(|p| p.to_string()),
                item_id,
                visibility,
                content_warning,
                sensitive,
                content_html,
                language,
                addressed: audience.addressed,
                published_at,
            },
        )
        .await;
    match stored {
        Ok(_) | Err(deling_store::StoreError::NotFound(_)) => Ok(()),
        Err(deling_store::StoreError::Conflict(m)) => refuse(m),
        Err(e) => Err(e.into()),
    }
}

async fn receive_item(
    object: &Map<String, Value>,
    id: Url,
    audience: &Audience,
    actor: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    if !data.store.is_followed_by_any_agency(actor.row.id).await? {
        tracing::debug!(%id, actor = %actor.id(), "item from an actor no agency follows ignored");
        return Ok(());
    }
    catalogue_item(object, id, audience, actor, data).await
}

/// Stores (or updates) a peer's item in the federated catalogue: `object`
/// is the `Page` with id `id`, verified to belong to `owner`, addressed to
/// `audience`.
pub(crate) async fn catalogue_item(
    object: &Map<String, Value>,
    id: Url,
    audience: &Audience,
    owner: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    let actor = owner;
    // A followers-only or direct Page must not enter a public catalogue.
    let visibility = audience.visibility(actor.row.followers.as_deref());
    if !visibility.is_public() {
        tracing::info!(%id, %visibility, "item not addressed to the public not catalogued");
        return Ok(());
    }
    let policy = verdict(actor, data).await?;
    if policy == Verdict::Silenced {
        tracing::debug!(%id, "item from a silenced domain not catalogued");
        return Ok(());
    }
    let page = match read_page(object, policy == Verdict::NoMedia) {
        Ok(page) => page,
        Err(why) => return refuse(why.to_string()),
    };
    for dropped in &page.dropped {
        tracing::info!(%id, field = %dropped.field, reason = %dropped.problem,
            "field of a remote item dropped");
    }
    let published = time(object, "published").unwrap_or_else(deling_store::records::now);
    let result = data
        .store
        .put_remote_item(RemoteItemData {
            ap_id: id.to_string(),
            remote_actor_id: actor.row.id,
            kind: page.kind.as_str().to_owned(),
            title: page.title.into_inner(),
            summary: page.summary.into_inner(),
            body: page.body.into_inner(),
            body_html: page.body_html,
            language: page.language,
            license: page.license.map(|l| l.as_str().to_owned()),
            tags: page.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            links: page.links,
            metadata: page.metadata,
            based_on: page.based_on.map(|u| u.to_string()),
            url: page.url.map(|u| u.to_string()),
            published_at: published,
            updated_at: time(object, "updated").unwrap_or(published),
        })
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(deling_store::StoreError::Conflict(m)) => refuse(m),
        // Withdrawn already: a late Update changes nothing.
        Err(deling_store::StoreError::NotFound(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Delete of a comment, an item or the actor itself, by its owner only.
pub async fn receive_delete(
    a: Activity,
    actor: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    let id = a
        .object
        .id()
        .ok_or_else(|| FedError::Refused("Delete without object".into()))?;
    if &id == actor.id() {
        actor.delete(data).await?;
        return Ok(());
    }
    same_origin(&id, actor.id())?;
    if a.forwarded {
        // A relay's word is not enough: the origin must say it is gone,
        // with 410 or a Tombstone at exactly that id.
        match activitypub_federation::fetch::fetch_object_http::<_, Value>(&id, data).await {
            Err(activitypub_federation::error::Error::ObjectDeleted(_)) => {}
            Ok(f)
                if f.url == id
                    && f.object.get("type").and_then(Value::as_str) == Some("Tombstone") => {}
            _ => return refuse(format!("{id} is not deleted at its origin")),
        }
    }
    // A message can share its id with nothing else, but a comment made
    // private and filed as a message has left a tombstone: try both.
    let message = data
        .store
        .delete_remote_message(id.as_str(), actor.row.id)
        .await?;
    let deleted = message
        || data
            .store
            .delete_remote_comment(id.as_str(), actor.row.id)
            .await?
        || data
            .store
            .delete_remote_item(id.as_str(), actor.row.id)
            .await?;
    if !deleted {
        // Not held (yet): a Create still on its way must not bring it back.
        data.store.put_tombstone(id.as_str(), actor.row.id).await?;
    }
    Ok(())
}
