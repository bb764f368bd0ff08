//! A reply or post received (a `Note`, or anything that is not an item of
//! an agency we follow), from a Create or Update: a public comment when it
//! was addressed publicly and answers something we hold; otherwise, if it
//! concerns an agency here, a message in that agency's staff inbox, which
//! only its staff ever see.

use super::narrowing;
use crate::{
    audience::Audience,
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
    protocol::lenient::{LangText, time_of},
};
use deling_domain::{
    audience::{ContentWarning, Visibility},
    language::Language,
    markdown,
};
use deling_store::queries::{
    comment::{PublicVisibility, RemoteCommentData},
    message::{MessageCopy, RemoteMessageData},
    policy::Verdict,
    received_object::{HeldComment, ObjectHistory},
};
use serde_json::{Map, Value};
use url::Url;

/// Public comments one remote author may have published here in an hour
/// ([`HOUR`]); those past it are kept, hidden, for a moderator to let
/// through. A person in a lively thread writes a few an hour; a script
/// flooding an agency's items with hundreds is held back without a
/// moderator having to act first, and the per-host rate limit (which
/// also covers a large server's many honest users) need not be lowered.
pub const COMMENTS_PER_HOUR: u64 = 30;
/// The window [`COMMENTS_PER_HOUR`] counts over, by this server's clock.
pub const HOUR: chrono::Duration = chrono::Duration::hours(1);
/// New messages one remote author may send the staff inboxes here in an
/// [`HOUR`] (a message to several agencies counts once); those past it
/// are refused. Messages have no hidden state to wait in, and the staff
/// inbox shows the newest first: a script could otherwise push what
/// people wrote out of sight. Counted with the comments' bound, in the
/// same read.
pub const MESSAGES_PER_HOUR: u64 = COMMENTS_PER_HOUR;

/// What an inbound post answers, as far as we hold it.
enum Thread {
    /// An item (and maybe a comment on it) here: local or catalogued.
    Item {
        item_id: i64,
        in_reply_to_id: Option<i64>,
        /// The local agency whose item it is (none for a catalogued one).
        owner: Option<i64>,
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

/// What `parent` (the post's `inReplyTo`) is here. An address of ours
/// under `/messages/` threads only as the agency's answer it names, and
/// only for someone that answer reached: received messages are known
/// by their own ids, and the numbers are easy to guess, so anyone could
/// otherwise learn which messages another agency holds, and about which
/// item, or hang text under someone else's conversation.
async fn thread_of(parent: &Url, author: &Url, data: &Data) -> Result<Thread, FedError> {
    if let Some(mid) = data.urls.message_id_of(parent) {
        return Ok(match data.store.get_message(mid).await? {
            Some(m) if m.author.is_none() && answer_reached(&m, author) => Thread::Messages {
                item_id: m.item_id,
                by_agency: vec![(m.agency_id, m.id)],
            },
            _ => Thread::None,
        });
    }
    // An address of our own items and comments is no message's id (a
    // received message's id is on its author's server), so only another
    // address is looked up among the messages: most replies answer one
    // of our items, and need no such read.
    let local_item = data.urls.item_id_of(parent);
    let local_comment = data.urls.comment_id_of(parent);
    if local_item.is_none() && local_comment.is_none() {
        let by_agency = data.store.list_messages_by_ap_id(parent.as_str()).await?;
        if !by_agency.is_empty() {
            return Ok(Thread::Messages {
                item_id: None,
                by_agency,
            });
        }
    }
    let (item_id, comment) = if let Some(item) = local_item {
        (Some(item), None)
    } else if let Some(cid) = local_comment {
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
    // Only whether it is still there and whose it is: one narrow read.
    let owner = match data.store.get_item_state(item_id).await? {
        Some(i) if i.deleted_at.is_none() => i.agency_id,
        _ => return refuse(format!("{parent} has been withdrawn")),
    };
    let mut agencies: Vec<i64> = owner.into_iter().collect();
    if let Some(deling_store::records::CommentAuthor::Agency { slug, .. }) =
        comment.as_ref().map(|c| &c.author)
    {
        agencies.extend(local_agency_id(slug, data).await?);
    }
    Ok(Thread::Item {
        item_id,
        in_reply_to_id: comment.map(|c| c.id),
        owner,
        agencies,
    })
}

/// The thread of a comment the author has here already (`held`): the
/// item it is on, as that stands now. An edit revises a comment where it
/// is, whatever became of what it answered since (deleted by its author,
/// hidden by a moderator) and whatever the new version names: answering
/// nothing held any more must neither file the new text as a message
/// beside the public one nor drop it, leaving the old text up.
async fn thread_of_held(held: HeldComment, data: &Data) -> Result<Thread, FedError> {
    let owner = match data.store.get_item_state(held.item_id).await? {
        Some(i) if i.deleted_at.is_none() => i.agency_id,
        _ => return refuse("the item the comment is on has been withdrawn"),
    };
    Ok(Thread::Item {
        item_id: held.item_id,
        in_reply_to_id: held.in_reply_to_id,
        owner,
        agencies: owner.into_iter().collect(),
    })
}

/// Whether `answer` (an agency's) reached `actor`: it was public, or
/// addressed to the actor.
fn answer_reached(answer: &deling_store::queries::message::Message, actor: &Url) -> bool {
    answer.visibility.is_public()
        || answer
            .addressed
            .to
            .iter()
            .chain(&answer.addressed.cc)
            .any(|a| a == actor.as_str())
}

/// Remote post text kept, at most, once sanitised: twice what a comment
/// written here may hold in Markdown, room for the markup around it.
pub const MAX_CONTENT_CHARS: usize = 2 * deling_domain::text::MarkdownSource::MAX_CHARS;

/// The agencies of a thread a followers-only or direct post answers that
/// may read it: those it names and, if it is followers-only, those that
/// follow its author. A private reply to oslo's item that names only
/// bergen is bergen's alone, as on Mastodon, where the author of what is
/// answered sees a private reply only if mentioned.
async fn addressed_here(
    thread: Vec<(i64, Option<i64>)>,
    named: &[i64],
    visibility: Visibility,
    actor: &DbRemoteActor,
    data: &Data,
) -> Result<Vec<(i64, Option<i64>)>, FedError> {
    let unnamed: Vec<i64> = thread
        .iter()
        .map(|(a, _)| *a)
        .filter(|a| !named.contains(a))
        .collect();
    let following = if visibility == Visibility::Followers && !unnamed.is_empty() {
        data.store
            .agencies_following(actor.row.id, &unnamed)
            .await?
    } else {
        Vec::new()
    };
    Ok(thread
        .into_iter()
        .filter(|(a, _)| named.contains(a) || following.contains(a))
        .collect())
}

/// Whether a public comment `id` on an item of `owner` is refused because
/// one of `blockers` (the agencies that blocked its author) owns the item
/// it answers, or the item it is on already: an Update may name another
/// item, but it revises the comment where it is.
async fn blocked_on_item(
    id: &Url,
    owner: Option<i64>,
    blockers: &[i64],
    data: &Data,
) -> Result<bool, FedError> {
    if blockers.is_empty() {
        return Ok(false);
    }
    if owner.is_some_and(|o| blockers.contains(&o)) {
        return Ok(true);
    }
    let Some(existing) = data.store.get_comment_by_ap_id(id.as_str()).await? else {
        return Ok(false);
    };
    Ok(data
        .store
        .get_item_state(existing.item_id)
        .await?
        .and_then(|i| i.agency_id)
        .is_some_and(|a| blockers.contains(&a)))
}

/// Whether `actor` has had [`COMMENTS_PER_HOUR`] comments arrive here in
/// the last [`HOUR`] (`recent`, counted with the id's history up to the
/// quota), so that another (`id`) is held hidden. A comment sent again
/// (an edit) keeps whatever it was given the first time.
fn over_quota(actor: &DbRemoteActor, id: &Url, recent: u64) -> bool {
    let over = recent >= COMMENTS_PER_HOUR;
    if over {
        tracing::info!(actor = %actor.row.ap_id, %id, recent,
            "past the hourly quota of comments: held hidden for a moderator");
    }
    over
}

/// What was read before anything of a received version was written: the
/// policy's verdict on the sender's host and the agencies that block the
/// sender, read as processing began, and what is remembered of the
/// object's id as the sender's.
#[derive(Debug, Clone, Copy)]
pub struct ReadBefore<'a> {
    /// The sender's host's verdict.
    pub host_verdict: Verdict,
    /// The agencies here that block the sender: usually none.
    pub blockers: &'a [i64],
    /// What is remembered of the id.
    pub history: ObjectHistory,
}

/// A `Note` (or any post that is not an item of a followed agency): a
/// public comment when it was addressed publicly and answers something
/// we hold; otherwise, if it concerns an agency here, a message in that
/// agency's staff inbox, which only its staff ever see. A silenced host's
/// comments (`read.host_verdict`) are held hidden, as are an author's past
/// [`COMMENTS_PER_HOUR`] in an hour; its messages are held for the staff
/// to release, also those that answer an agency's own answer (the
/// operator silenced the host, not one conversation).
pub async fn receive(
    object: &Map<String, Value>,
    id: Url,
    parent: Option<Url>,
    audience: Audience,
    read: ReadBefore<'_>,
    actor: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    let visibility = audience.visibility(actor.row.followers.as_deref());
    // Made private by its author: its public copies (a comment, or a
    // catalogued item sent again as a post) go first, and every agency's
    // copy of it as a message is narrowed, whatever becomes of the rest
    // (no one here addressed, the text empty, the thread gone).
    if !visibility.is_public() {
        narrowing::narrowed(&id, visibility, actor, data).await?;
    }
    // Once sent privately, an object stays private: a later version that
    // is public (or an earlier one arriving late) is never a comment, and
    // is kept as a direct message wherever it is filed.
    let marked = visibility.is_public() && read.history.sent_privately;
    let filed_as = if marked {
        Visibility::Direct
    } else {
        visibility
    };
    // A public version of a comment the author has here: an edit, revised
    // where the comment is (a narrowing took it down above; one marked
    // private is not revised in public).
    let held = read
        .history
        .comment
        .filter(|_| visibility.is_public() && !marked);
    let thread = match (held, &parent) {
        (Some(held), _) => thread_of_held(held, data).await?,
        (None, Some(p)) => {
            thread_of(p, activitypub_federation::traits::Object::id(actor), data).await?
        }
        (None, None) => Thread::None,
    };
    // Agencies here that blocked the author: usually none.
    let blockers = read.blockers;
    let (content, language) = LangText::of(object, "content").text_and_language();
    let content_html = markdown::sanitize_remote(&content.unwrap_or_default());
    if content_html.chars().count() > MAX_CONTENT_CHARS {
        return refuse(format!(
            "content longer than {MAX_CONTENT_CHARS} characters once sanitised"
        ));
    }
    let (summary, _) = LangText::of(object, "summary").text_and_language();
    let content_warning = summary
        .and_then(|s| ContentWarning::from_plain(&markdown::plain_text(&s)))
        .map(ContentWarning::into_inner);
    let sensitive = object.get("sensitive").and_then(Value::as_bool) == Some(true);
    let language = language
        .and_then(|l| Language::parse(&l).ok())
        .map(|l| l.to_string());
    // Comments are shown in order of writing: a date in the future (a
    // wrong clock, or a peer wanting its post to stay last) is taken as
    // now.
    let now = deling_store::records::now();
    let published_at = time_of(object, "published").map_or(now, |t| t.min(now));
    // Once received privately, an object stays private: an Update that
    // widens its audience does not publish it. (A comment still up was
    // never narrowed: a narrowing takes it down.)
    let private_before = held.is_none() && (marked || read.history.message);
    if let (
        Some(public),
        false,
        Thread::Item {
            item_id,
            in_reply_to_id,
            owner,
            ..
        },
    ) = (PublicVisibility::of(visibility), private_before, &thread)
    {
        if content_html.trim().is_empty() {
            return refuse("empty comment");
        }
        if blocked_on_item(&id, *owner, blockers, data).await? {
            return refuse(format!(
                "{} is blocked by the agency whose item it answers",
                actor.row.ap_id
            ));
        }
        let hidden = read.host_verdict == Verdict::Silenced
            || over_quota(actor, &id, read.history.recent_comments);
        let stored = data
            .store
            .save_remote_comment(RemoteCommentData {
                ap_id: id.to_string(),
                item_id: *item_id,
                in_reply_to_id: *in_reply_to_id,
                author_remote_actor_id: actor.row.id,
                content_html,
                language,
                published_at,
                hidden,
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
    // The item it concerns, and whether every copy may say so (a public
    // item or comment it answers) or only the copies it threads under a
    // message of their own (the item an agency's conversation is about is
    // that agency's to know).
    let (item_id, item_for_every_copy) = match &thread {
        Thread::Item {
            item_id, agencies, ..
        } => {
            recipients.extend(agencies.iter().map(|a| (*a, None)));
            (Some(*item_id), true)
        }
        Thread::Messages { item_id, by_agency } => {
            recipients.extend(by_agency.iter().map(|(a, m)| (*a, Some(*m))));
            (*item_id, false)
        }
        Thread::None => (None, false),
    };
    // Each agency looked up once, however often the post names it, all in
    // one statement.
    let slugs: std::collections::BTreeSet<String> = audience
        .named()
        .filter_map(|named| data.urls.agency_slug_of(&named).map(str::to_owned))
        .collect();
    let slugs: Vec<String> = slugs.into_iter().collect();
    let named_here = data.store.list_current_agency_ids_by_slugs(&slugs).await?;
    if !filed_as.is_public() {
        recipients = addressed_here(recipients, &named_here, filed_as, actor, data).await?;
    }
    if marked {
        // Taken as direct: only the agencies it names, and those that hold
        // a copy already (whose copy the new text replaces).
        let holders = data
            .store
            .list_message_agencies(id.as_str(), actor.row.id)
            .await?;
        recipients.extend(holders.into_iter().map(|a| (a, None)));
    }
    recipients.extend(named_here.into_iter().map(|a| (a, None)));
    // One copy per agency; the one that threads it wins.
    recipients.sort_by_key(|(a, m)| (*a, m.is_none()));
    recipients.dedup_by_key(|(a, _)| *a);
    // Agencies that blocked the author get no copy, nor a new text for
    // one they hold (narrowed above, if it had to be, and kept as it is).
    if !blockers.is_empty() {
        tracing::debug!(%id, ?blockers, "not filed with agencies that blocked its author");
        recipients.retain(|(a, _)| !blockers.contains(a));
    }
    if recipients.is_empty() {
        tracing::debug!(%id, "post for nobody here ignored");
        return Ok(());
    }
    if content_html.trim().is_empty() {
        return refuse("empty message");
    }
    // An edit of a message held here is not a new one.
    if !read.history.message && read.history.recent_messages >= MESSAGES_PER_HOUR {
        tracing::info!(host = %actor.row.domain,
            "past the hourly quota of messages to the staff inboxes: refused");
        return refuse(format!(
            "more than {MESSAGES_PER_HOUR} messages in an hour from {}",
            actor.row.ap_id
        ));
    }
    // A silenced host is one the operator does not trust: what it sends
    // the staff inboxes waits, as its comments do, until the staff of each
    // agency let it through. Only new copies are held by this; an edit
    // leaves each copy as its staff left it (see `RemoteMessageData`).
    let held_for_staff = read.host_verdict == Verdict::Silenced;
    if held_for_staff {
        tracing::info!(host = %actor.row.domain, %id,
            "message from a silenced host: held for the staff to release");
    }
    // The item a message thread concerns goes only with the copy of the
    // agency whose message it answers: another agency the post names
    // learns the text, not what that agency's conversation is about.
    let copies: Vec<MessageCopy> = recipients
        .into_iter()
        .map(|(agency_id, answers)| MessageCopy {
            agency_id,
            in_reply_to_message_id: answers,
            item_id: item_id.filter(|_| item_for_every_copy || answers.is_some()),
        })
        .collect();
    let stored = data
        .store
        .put_remote_message(
            &copies,
            RemoteMessageData {
                ap_id: id.to_string(),
                author_remote_actor_id: actor.row.id,
                in_reply_to: parent.map(|p| p.to_string()),
                visibility: filed_as,
                content_warning,
                sensitive,
                content_html,
                language,
                addressed: audience.addressed,
                published_at,
                held: held_for_staff,
            },
        )
        .await;
    match stored {
        Ok(_) | Err(deling_store::StoreError::NotFound(_)) => Ok(()),
        Err(deling_store::StoreError::Conflict(m)) => refuse(m),
        Err(e) => Err(e.into()),
    }
}
