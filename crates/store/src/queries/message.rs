//! An agency's staff inbox: what was addressed to it privately (direct
//! messages, followers-only replies) or mentioned it outside a public
//! thread, and its answers. These rows live apart from comments so that
//! no public query (comment lists, counts, replies collections) can ever
//! reach them.
//!
//! A message whose author's host the operator silenced is *held*: filed,
//! but kept out of the inbox's listing and counts until the agency's
//! staff release it ([`Store::release_message_audited`]) or delete it
//! ([`Store::delete_message_audited`]), as a silenced host's comments wait
//! hidden for a moderator.

use crate::{
    Store, StoreError,
    entities::{message, remote_actor},
    queries::{
        audit::{Audit, write_audit},
        outbox::put_message_event,
    },
    records::{handle_of, now},
};
use chrono::{DateTime, Utc};
use deling_domain::audience::Visibility;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, UpdateMany, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Who a message was addressed to, as the addresses it named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addressed {
    /// Primary recipients.
    pub to: Vec<String>,
    /// Secondary recipients.
    pub cc: Vec<String>,
}

/// The remote author of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageAuthor {
    /// Remote actor row id.
    pub actor_id: i64,
    /// ActivityPub id.
    pub ap_id: String,
    /// `@user@domain`.
    pub handle: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Profile page.
    pub url: Option<String>,
    /// Inbox to answer at (the shared one where there is one).
    pub inbox: String,
}

/// A message in an agency's staff inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Local id.
    pub id: i64,
    /// The agency whose inbox it is in.
    pub agency_id: i64,
    /// ActivityPub id of a received message; `None` for the agency's own
    /// answers (their id is built from `id`).
    pub ap_id: Option<String>,
    /// Its remote author; `None` when the agency wrote it.
    pub author: Option<MessageAuthor>,
    /// The ActivityPub id of what it answers, if anything.
    pub in_reply_to: Option<String>,
    /// The message here that it answers, if any.
    pub in_reply_to_message_id: Option<i64>,
    /// The item it concerns (a private reply to one), if any.
    pub item_id: Option<i64>,
    /// How widely it was addressed.
    pub visibility: Visibility,
    /// Its content warning, shown before the text.
    pub content_warning: Option<String>,
    /// Marked sensitive by its author.
    pub sensitive: bool,
    /// Sanitised HTML.
    pub content_html: String,
    /// Language, when known.
    pub language: Option<String>,
    /// Who it was addressed to.
    pub addressed: Addressed,
    /// Written.
    pub published_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: Option<DateTime<Utc>>,
    /// Held for the agency's staff to release (its author's host is
    /// silenced): not in the inbox's listing or counts, and not answered.
    pub held: bool,
}

/// A received message, already sanitised, for each agency it reached.
#[derive(Debug, Clone)]
pub struct RemoteMessageData {
    /// Its ActivityPub id.
    pub ap_id: String,
    /// Its author.
    pub author_remote_actor_id: i64,
    /// What it answers (an ActivityPub id), if anything.
    pub in_reply_to: Option<String>,
    /// How widely it was addressed.
    pub visibility: Visibility,
    /// Content warning.
    pub content_warning: Option<String>,
    /// Marked sensitive.
    pub sensitive: bool,
    /// Sanitised HTML.
    pub content_html: String,
    /// Language.
    pub language: Option<String>,
    /// Who it was addressed to.
    pub addressed: Addressed,
    /// Written.
    pub published_at: DateTime<Utc>,
    /// Held for the staff to release (its author's host is silenced). Only
    /// a copy filed now is held by it: a copy already filed keeps what it
    /// was given, so an edit neither lets a held message through nor holds
    /// back one the staff released.
    pub held: bool,
}

/// One agency's copy of a received message, for
/// [`Store::put_remote_message`]: what threads it in that agency's inbox
/// is that agency's alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageCopy {
    /// The agency whose inbox it is filed in.
    pub agency_id: i64,
    /// That agency's message it answers (a thread), if any.
    pub in_reply_to_message_id: Option<i64>,
    /// The item it concerns, as far as that agency may know: one of ours
    /// or one we hold that it replies to, or the item of that agency's
    /// message it answers.
    pub item_id: Option<i64>,
}

impl MessageCopy {
    /// A copy for `agency_id` that answers none of its messages and
    /// concerns no item.
    #[must_use]
    pub fn unthreaded(agency_id: i64) -> Self {
        Self {
            agency_id,
            in_reply_to_message_id: None,
            item_id: None,
        }
    }
}

/// An agency's answer to a message, for [`Store::put_message_answer`].
#[derive(Debug, Clone)]
pub struct AnswerData {
    /// The agency that answers.
    pub agency_id: i64,
    /// The message answered (in that agency's inbox).
    pub parent_id: i64,
    /// Markdown source.
    pub source: String,
    /// Rendered, sanitised HTML.
    pub html: String,
    /// Addressed as the message answered was.
    pub visibility: Visibility,
    /// Who it is addressed to.
    pub addressed: Addressed,
}

impl Store {
    /// The agencies holding a copy of the message `ap_id` by `author`
    /// (not deleted).
    pub async fn list_message_agencies(
        &self,
        ap_id: &str,
        author: i64,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(message::Entity::find()
            .select_only()
            .column(message::Column::AgencyId)
            .filter(message::Column::ApId.eq(ap_id))
            .filter(message::Column::AuthorRemoteActorId.eq(author))
            .filter(message::Column::DeletedAt.is_null())
            .into_tuple()
            .all(self.reader())
            .await?)
    }

    /// Files a received message in the inbox of each agency in
    /// `recipients` (each copy with the message of that agency it answers
    /// and the item it concerns; a copy already filed keeps both). A message sent again by its author updates the text; its
    /// visibility may narrow but never widen, so an edit can never make
    /// public what was sent privately. Another author's message with the
    /// same id is a conflict; a deleted one stays deleted: every copy
    /// deleted (by its author) is [`StoreError::NotFound`], and a copy one
    /// agency's staff deleted stays deleted while the others are revised.
    /// A copy made now is held if `d.held` says so; one filed already
    /// keeps its state (see [`RemoteMessageData::held`]).
    pub async fn put_remote_message(
        &self,
        recipients: &[MessageCopy],
        d: RemoteMessageData,
    ) -> Result<Vec<Message>, StoreError> {
        let txn = self.begin().await?;
        let existing = message::Entity::find()
            .filter(message::Column::ApId.eq(d.ap_id.as_str()))
            .all(&txn)
            .await?;
        if existing
            .iter()
            .any(|e| e.author_remote_actor_id != Some(d.author_remote_actor_id))
        {
            return Err(StoreError::Conflict(format!(
                "{} belongs to another actor",
                d.ap_id
            )));
        }
        if !existing.is_empty() && existing.iter().all(|e| e.deleted_at.is_some()) {
            return Err(StoreError::NotFound("message"));
        }
        let audience = serde_json::to_string(&d.addressed).unwrap_or_else(|_| "{}".into());
        let t = now();
        // Every copy goes no wider than the narrowest version received,
        // this one included: also the copies of agencies this version no
        // longer names, and a copy made now for an agency it newly names.
        let stored = |e: &message::Model| {
            e.visibility
                .parse::<Visibility>()
                .unwrap_or(Visibility::Direct)
        };
        let floor = existing
            .iter()
            .map(stored)
            .fold(d.visibility, Visibility::narrower);
        // Only narrowed: a copy the new version no longer names keeps the
        // addressees it was sent to, so its agency does not learn whom
        // the author wrote to next.
        for e in existing.iter().filter(|e| {
            e.deleted_at.is_none() && !recipients.iter().any(|c| c.agency_id == e.agency_id)
        }) {
            if stored(e).narrower(d.visibility) != stored(e) {
                let mut row: message::ActiveModel = e.clone().into();
                row.visibility = Set(d.visibility.as_str().to_owned());
                row.update(&txn).await?;
            }
        }
        let mut ids = Vec::with_capacity(recipients.len());
        for copy in recipients {
            match existing.iter().find(|e| e.agency_id == copy.agency_id) {
                // Deleted by that agency's staff: it stays deleted, and no
                // new copy brings the text back to them.
                Some(e) if e.deleted_at.is_some() => {}
                Some(e) => {
                    let mut row: message::ActiveModel = e.clone().into();
                    // Narrowed by its author (here, or by
                    // `narrow_remote_message` just before): the answer
                    // must then go no wider than the message now is, and
                    // the copy, which this version names, shows whom it
                    // is now addressed to. A wider version changes
                    // neither.
                    let stored = e
                        .visibility
                        .parse::<Visibility>()
                        .unwrap_or(Visibility::Direct);
                    if stored.narrower(d.visibility) == d.visibility {
                        row.visibility = Set(d.visibility.as_str().to_owned());
                        row.audience = Set(audience.clone());
                    }
                    row.content_html = Set(d.content_html.clone());
                    row.summary = Set(d.content_warning.clone());
                    row.sensitive = Set(d.sensitive);
                    row.language = Set(d.language.clone());
                    row.updated_at = Set(Some(t));
                    ids.push(row.update(&txn).await?.id);
                }
                None => {
                    let row = message::ActiveModel {
                        agency_id: Set(copy.agency_id),
                        ap_id: Set(Some(d.ap_id.clone())),
                        author_remote_actor_id: Set(Some(d.author_remote_actor_id)),
                        in_reply_to: Set(d.in_reply_to.clone()),
                        in_reply_to_message_id: Set(copy.in_reply_to_message_id),
                        item_id: Set(copy.item_id),
                        visibility: Set(floor.as_str().to_owned()),
                        summary: Set(d.content_warning.clone()),
                        sensitive: Set(d.sensitive),
                        content_source: Set(None),
                        content_html: Set(d.content_html.clone()),
                        language: Set(d.language.clone()),
                        audience: Set(audience.clone()),
                        published_at: Set(d.published_at),
                        updated_at: Set(None),
                        deleted_at: Set(None),
                        created_at: Set(t),
                        held_at: Set(d.held.then_some(t)),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?;
                    ids.push(row.id);
                }
            }
        }
        txn.commit().await?;
        let rows = message::Entity::find()
            .filter(message::Column::Id.is_in(ids))
            .order_by_asc(message::Column::Id)
            .all(self.db())
            .await?;
        self.assemble_messages(rows).await
    }

    /// Whether a message with this ActivityPub id was received (by any
    /// agency): once private, an object stays private.
    pub async fn is_message(&self, ap_id: &str) -> Result<bool, StoreError> {
        Ok(message::Entity::find()
            .filter(message::Column::ApId.eq(ap_id))
            .one(self.reader())
            .await?
            .is_some())
    }

    /// The messages (one per agency) that carry ActivityPub id `ap_id`, as
    /// (agency id, message id), for threading a reply to them. Not a held
    /// one: a reply shown under it would show the staff what it answers
    /// (or its text) before they let it through.
    pub async fn list_messages_by_ap_id(&self, ap_id: &str) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(message::Entity::find()
            .filter(message::Column::ApId.eq(ap_id))
            .filter(message::Column::DeletedAt.is_null())
            .filter(message::Column::HeldAt.is_null())
            .all(self.reader())
            .await?
            .into_iter()
            .map(|m| (m.agency_id, m.id))
            .collect())
    }

    /// Erases a received message (every agency's copy) if `remote_actor_id`
    /// wrote it; `true` if there was one. The rows stay as tombstones so a
    /// late Create or Update cannot bring it back.
    pub async fn delete_remote_message(
        &self,
        ap_id: &str,
        remote_actor_id: i64,
    ) -> Result<bool, StoreError> {
        erase_remote_message_in(self.db(), ap_id, remote_actor_id).await
    }

    /// An agency's messages that are not held, newest first, `limit` of
    /// them before message id `before` (all when `None`).
    pub async fn list_messages(
        &self,
        agency_id: i64,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Message>, StoreError> {
        self.list_messages_held(agency_id, false, before, limit)
            .await
    }

    /// An agency's held messages, newest first, as [`Store::list_messages`]
    /// pages them.
    pub async fn list_held_messages(
        &self,
        agency_id: i64,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Message>, StoreError> {
        self.list_messages_held(agency_id, true, before, limit)
            .await
    }

    async fn list_messages_held(
        &self,
        agency_id: i64,
        held: bool,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Message>, StoreError> {
        let mut q = message::Entity::find()
            .filter(message::Column::AgencyId.eq(agency_id))
            .filter(message::Column::DeletedAt.is_null())
            .filter(if held {
                message::Column::HeldAt.is_not_null()
            } else {
                message::Column::HeldAt.is_null()
            });
        if let Some(before) = before {
            q = q.filter(message::Column::Id.lt(before));
        }
        let rows = q
            .order_by_desc(message::Column::Id)
            .limit(limit)
            .all(self.reader())
            .await?;
        self.assemble_messages(rows).await
    }

    /// A message that is not deleted, whichever agency's it is.
    pub async fn get_message(&self, id: i64) -> Result<Option<Message>, StoreError> {
        let rows = message::Entity::find_by_id(id)
            .filter(message::Column::DeletedAt.is_null())
            .all(self.reader())
            .await?;
        Ok(self.assemble_messages(rows).await?.pop())
    }

    /// Releases the held message `id` of `agency_id`: from now on it is
    /// listed, counted and can be answered like any other, also when its
    /// author edits it. `audit` is written in the same transaction when
    /// one was released; `false` if the agency holds no such message (not
    /// its own, deleted, or not held).
    pub async fn release_message_audited(
        &self,
        agency_id: i64,
        id: i64,
        audit: &Audit,
    ) -> Result<bool, StoreError> {
        self.update_audited(
            message::Entity::update_many()
                .col_expr(
                    message::Column::HeldAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(message::Column::Id.eq(id))
                .filter(message::Column::AgencyId.eq(agency_id))
                .filter(message::Column::DeletedAt.is_null())
                .filter(message::Column::HeldAt.is_not_null()),
            audit,
        )
        .await
    }

    /// Deletes `agency_id`'s copy of the received message `id` (held or
    /// not), with `audit` in the same transaction: its text is erased and
    /// the row stays, so that an edit from its author does not bring it
    /// back; other agencies' copies are theirs and stay. `false` if the
    /// agency holds no such message (not its own, deleted already, or its
    /// own answer, which peers hold and only a `Delete` could take back).
    pub async fn delete_message_audited(
        &self,
        agency_id: i64,
        id: i64,
        audit: &Audit,
    ) -> Result<bool, StoreError> {
        self.update_audited(
            erased()
                .filter(message::Column::Id.eq(id))
                .filter(message::Column::AgencyId.eq(agency_id))
                .filter(message::Column::AuthorRemoteActorId.is_not_null()),
            audit,
        )
        .await
    }

    /// Runs `update` and, if it changed a row, writes `audit`, in one
    /// transaction; whether it changed one.
    async fn update_audited(
        &self,
        update: UpdateMany<message::Entity>,
        audit: &Audit,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        let changed = update.exec(&txn).await?.rows_affected > 0;
        if changed {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(changed)
    }

    /// Stores an agency's answer to one of its messages and, in the same
    /// transaction, queues its delivery. `None` if the message answered is
    /// not (or no longer) in that agency's inbox, or is held: answering
    /// speaks to the silenced host, which only a release allows.
    pub async fn put_message_answer(&self, a: AnswerData) -> Result<Option<Message>, StoreError> {
        let audience = serde_json::to_string(&a.addressed).unwrap_or_else(|_| "{}".into());
        let txn = self.begin().await?;
        let Some(parent) = message::Entity::find_by_id(a.parent_id)
            .filter(message::Column::AgencyId.eq(a.agency_id))
            .filter(message::Column::DeletedAt.is_null())
            .filter(message::Column::HeldAt.is_null())
            .one(&txn)
            .await?
        else {
            return Ok(None);
        };
        let in_reply_to = parent.ap_id.clone();
        let t = now();
        let row = message::ActiveModel {
            agency_id: Set(a.agency_id),
            ap_id: Set(None),
            author_remote_actor_id: Set(None),
            in_reply_to: Set(in_reply_to),
            in_reply_to_message_id: Set(Some(parent.id)),
            item_id: Set(parent.item_id),
            visibility: Set(a.visibility.as_str().to_owned()),
            summary: Set(None),
            sensitive: Set(false),
            content_source: Set(Some(a.source)),
            content_html: Set(a.html),
            language: Set(None),
            audience: Set(audience),
            published_at: Set(t),
            updated_at: Set(None),
            deleted_at: Set(None),
            created_at: Set(t),
            held_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        put_message_event(&txn, a.agency_id, row.id).await?;
        txn.commit().await?;
        Ok(self.assemble_messages(vec![row]).await?.pop())
    }

    async fn assemble_messages(
        &self,
        rows: Vec<message::Model>,
    ) -> Result<Vec<Message>, StoreError> {
        let actor_ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.author_remote_actor_id)
            .collect();
        let actors: HashMap<i64, remote_actor::Model> = remote_actor::Entity::find()
            .filter(remote_actor::Column::Id.is_in(actor_ids))
            .all(self.reader())
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let author = match r.author_remote_actor_id {
                None => None,
                Some(id) => match actors.get(&id) {
                    Some(a) => Some(MessageAuthor {
                        actor_id: a.id,
                        ap_id: a.ap_id.clone(),
                        handle: handle_of(a),
                        name: a.name.clone(),
                        url: a.url.clone(),
                        inbox: a.shared_inbox.clone().unwrap_or_else(|| a.inbox.clone()),
                    }),
                    // Its author was deleted meanwhile (and the row with it).
                    None => continue,
                },
            };
            let visibility = r
                .visibility
                .parse()
                // An unreadable value is treated as the most private.
                .unwrap_or(Visibility::Direct);
            let addressed = serde_json::from_str(&r.audience).unwrap_or_default();
            out.push(Message {
                id: r.id,
                agency_id: r.agency_id,
                ap_id: r.ap_id,
                author,
                in_reply_to: r.in_reply_to,
                in_reply_to_message_id: r.in_reply_to_message_id,
                item_id: r.item_id,
                visibility,
                content_warning: r.summary,
                sensitive: r.sensitive,
                content_html: r.content_html,
                language: r.language,
                addressed,
                published_at: r.published_at,
                updated_at: r.updated_at,
                held: r.held_at.is_some(),
            });
        }
        Ok(out)
    }
}

/// Narrows every copy of the message `ap_id` by `author` (its author)
/// to `visibility` where that is narrower than what it holds: an edit
/// that makes a message private reaches every agency's copy, also when
/// it names none of them any more or is refused before it is filed
/// (its text empty, say). The addressees stay as they were: a copy's
/// agency must not learn whom the author wrote to next (the copies of
/// the agencies the edit names get its addressees when it is filed).
/// Returns how many copies were narrowed. On `db`, a transaction of
/// [`Store::narrow_remote_object`]'s.
pub(crate) async fn narrow_remote_message_in(
    db: &impl ConnectionTrait,
    ap_id: &str,
    author: i64,
    visibility: Visibility,
) -> Result<u64, StoreError> {
    let rows = message::Entity::find()
        .filter(message::Column::ApId.eq(ap_id))
        .filter(message::Column::AuthorRemoteActorId.eq(author))
        .filter(message::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let mut narrowed = 0;
    for e in rows {
        let stored = e
            .visibility
            .parse::<Visibility>()
            .unwrap_or(Visibility::Direct);
        if stored.narrower(visibility) != stored {
            let mut row: message::ActiveModel = e.into();
            row.visibility = Set(visibility.as_str().to_owned());
            row.update(db).await?;
            narrowed += 1;
        }
    }
    Ok(narrowed)
}

/// [`Store::delete_remote_message`] on `db` (a transaction of a caller's).
pub(crate) async fn erase_remote_message_in(
    db: &impl ConnectionTrait,
    ap_id: &str,
    author: i64,
) -> Result<bool, StoreError> {
    let res = erased()
        .filter(message::Column::ApId.eq(ap_id))
        .filter(message::Column::AuthorRemoteActorId.eq(author))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// Messages not deleted yet, made deleted: the text and content warning
/// erased, the row kept (so a late Create or Update cannot bring it back).
fn erased() -> UpdateMany<message::Entity> {
    message::Entity::update_many()
        .col_expr(message::Column::DeletedAt, Expr::value(Some(now())))
        .col_expr(message::Column::ContentHtml, Expr::value(String::new()))
        .col_expr(
            message::Column::Summary,
            Expr::value(Option::<String>::None),
        )
        .filter(message::Column::DeletedAt.is_null())
}
