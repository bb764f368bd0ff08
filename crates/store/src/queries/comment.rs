//! Comments on items.

use crate::queries::outbox::{
    EVENT_COMMENT_CREATE, EVENT_COMMENT_DELETE, EVENT_COMMENT_UPDATE, put_event,
};
use crate::{
    Store, StoreError,
    entities::{agency, comment, remote_actor},
    records::{Comment, CommentAuthor, handle_of, now},
};
use chrono::{DateTime, Utc};
use deling_domain::audience::Visibility;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait, sea_query::Expr,
};

/// A comment from a remote actor, already sanitised.
#[derive(Debug, Clone)]
pub struct RemoteCommentData {
    /// Its ActivityPub id.
    pub ap_id: String,
    /// The item it belongs to.
    pub item_id: i64,
    /// The comment it answers.
    pub in_reply_to_id: Option<i64>,
    /// Its author.
    pub author_remote_actor_id: i64,
    /// Sanitised HTML.
    pub content_html: String,
    /// Language.
    pub language: Option<String>,
    /// Written.
    pub published_at: DateTime<Utc>,
    /// Held hidden for a moderator (the author's domain is silenced).
    pub hidden: bool,
    /// Public or unlisted: nothing else may be filed as a comment.
    pub visibility: PublicVisibility,
    /// Content warning.
    pub content_warning: Option<String>,
    /// Marked sensitive.
    pub sensitive: bool,
}

/// What public reads of comments accept: a second guard behind
/// [`PublicVisibility`], so a damaged row is never shown.
pub(crate) const PUBLIC_VISIBILITIES: [&str; 2] = ["public", "unlisted"];

/// The two visibilities a comment may have. A separate type, so that a
/// followers-only or direct post cannot be filed as a public comment by
/// mistake: the caller must decide, and has nothing to pass for those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicVisibility {
    /// Addressed to the public.
    Public,
    /// Public in copy only.
    Unlisted,
}

impl PublicVisibility {
    /// The visibility a post must have to be a comment, if it has it.
    pub fn of(v: Visibility) -> Option<Self> {
        match v {
            Visibility::Public => Some(Self::Public),
            Visibility::Unlisted => Some(Self::Unlisted),
            Visibility::Followers | Visibility::Direct => None,
        }
    }

    fn visibility(self) -> Visibility {
        match self {
            Self::Public => Visibility::Public,
            Self::Unlisted => Visibility::Unlisted,
        }
    }
}
use std::collections::HashMap;

impl Store {
    /// Stores a comment written by local agency `agency_id`.
    pub async fn put_agency_comment(
        &self,
        item_id: i64,
        agency_id: i64,
        in_reply_to_id: Option<i64>,
        source: &str,
        html: &str,
        language: Option<&str>,
    ) -> Result<Comment, StoreError> {
        let txn = self.db().begin().await?;
        let row = comment::ActiveModel {
            ap_id: Set(None),
            item_id: Set(item_id),
            in_reply_to_id: Set(in_reply_to_id),
            author_agency_id: Set(Some(agency_id)),
            author_remote_actor_id: Set(None),
            content_source: Set(Some(source.to_owned())),
            content_html: Set(html.to_owned()),
            language: Set(language.map(str::to_owned)),
            published_at: Set(now()),
            updated_at: Set(None),
            deleted_at: Set(None),
            hidden_at: Set(None),
            visibility: Set(Visibility::Public.as_str().to_owned()),
            summary: Set(None),
            sensitive: Set(false),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        put_event(
            &txn,
            EVENT_COMMENT_CREATE,
            Some(agency_id),
            Some(item_id),
            Some(row.id),
        )
        .await?;
        txn.commit().await?;
        self.assemble_comments(vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound("comment"))
    }

    /// Stores a remote comment, or updates it if its author sends it again.
    /// Another author's comment with the same id is a conflict.
    pub async fn put_remote_comment(&self, d: RemoteCommentData) -> Result<Comment, StoreError> {
        let existing = comment::Entity::find()
            .filter(comment::Column::ApId.eq(d.ap_id.as_str()))
            .one(self.db())
            .await?;
        let row = match existing {
            Some(e) if e.author_remote_actor_id != Some(d.author_remote_actor_id) => {
                return Err(StoreError::Conflict(format!(
                    "{} belongs to another actor",
                    d.ap_id
                )));
            }
            // Deleted (by its author or a moderator): stays deleted.
            Some(e) if e.deleted_at.is_some() => {
                return Err(StoreError::NotFound("comment"));
            }
            Some(e) => {
                let mut row: comment::ActiveModel = e.into();
                row.content_html = Set(d.content_html);
                row.language = Set(d.language);
                row.summary = Set(d.content_warning);
                row.sensitive = Set(d.sensitive);
                row.updated_at = Set(Some(now()));
                row.update(self.db()).await?
            }
            None => {
                comment::ActiveModel {
                    ap_id: Set(Some(d.ap_id)),
                    item_id: Set(d.item_id),
                    in_reply_to_id: Set(d.in_reply_to_id),
                    author_agency_id: Set(None),
                    author_remote_actor_id: Set(Some(d.author_remote_actor_id)),
                    content_source: Set(None),
                    content_html: Set(d.content_html),
                    language: Set(d.language),
                    published_at: Set(d.published_at),
                    updated_at: Set(None),
                    deleted_at: Set(None),
                    hidden_at: Set(d.hidden.then(now)),
                    visibility: Set(d.visibility.visibility().as_str().to_owned()),
                    summary: Set(d.content_warning),
                    sensitive: Set(d.sensitive),
                    ..Default::default()
                }
                .insert(self.db())
                .await?
            }
        };
        self.assemble_comments(vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound("comment"))
    }

    /// Deletes a remote comment if `remote_actor_id` wrote it; `true` if so.
    pub async fn delete_remote_comment(
        &self,
        ap_id: &str,
        remote_actor_id: i64,
    ) -> Result<bool, StoreError> {
        let res = tombstone_comments()
            .filter(comment::Column::ApId.eq(ap_id))
            .filter(comment::Column::AuthorRemoteActorId.eq(remote_actor_id))
            .exec(self.db())
            .await?;
        Ok(res.rows_affected > 0)
    }

    /// The item and comment a remote comment's ActivityPub id names.
    pub async fn get_comment_by_ap_id(&self, ap_id: &str) -> Result<Option<Comment>, StoreError> {
        let Some(row) = comment::Entity::find()
            .filter(comment::Column::ApId.eq(ap_id))
            .filter(comment::Column::DeletedAt.is_null())
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        Ok(self.assemble_comments(vec![row]).await?.pop())
    }

    /// Reads a visible comment with its item.
    pub async fn get_comment(
        &self,
        id: i64,
    ) -> Result<Option<(Comment, crate::records::Item)>, StoreError> {
        let Some(row) = comment::Entity::find_by_id(id)
            .filter(comment::Column::DeletedAt.is_null())
            .filter(comment::Column::HiddenAt.is_null())
            .filter(comment::Column::Visibility.is_in(PUBLIC_VISIBILITIES))
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let Some(item) = self.get_item(row.item_id).await? else {
            return Ok(None);
        };
        let Some(comment) = self.assemble_comments(vec![row]).await?.pop() else {
            return Ok(None);
        };
        Ok(Some((comment, item)))
    }

    /// Lists an item's visible comments, oldest first (threads read down).
    pub async fn list_comments(&self, item_id: i64) -> Result<Vec<Comment>, StoreError> {
        let rows = comment::Entity::find()
            .filter(comment::Column::ItemId.eq(item_id))
            .filter(comment::Column::DeletedAt.is_null())
            .filter(comment::Column::HiddenAt.is_null())
            .filter(comment::Column::Visibility.is_in(PUBLIC_VISIBILITIES))
            .order_by_asc(comment::Column::PublishedAt)
            .order_by_asc(comment::Column::Id)
            .all(self.db())
            .await?;
        self.assemble_comments(rows).await
    }

    async fn assemble_comments(
        &self,
        rows: Vec<comment::Model>,
    ) -> Result<Vec<Comment>, StoreError> {
        let agency_ids: Vec<i64> = rows.iter().filter_map(|r| r.author_agency_id).collect();
        let actor_ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.author_remote_actor_id)
            .collect();
        let agencies: HashMap<i64, agency::Model> = agency::Entity::find()
            .filter(agency::Column::Id.is_in(agency_ids))
            .all(self.db())
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let actors: HashMap<i64, remote_actor::Model> = remote_actor::Entity::find()
            .filter(remote_actor::Column::Id.is_in(actor_ids))
            .all(self.db())
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        rows.into_iter()
            // An author deleted (with its comments, by cascade) between
            // reading the rows and reading the authors: the comment is gone.
            .filter(|r| {
                r.author_remote_actor_id
                    .is_none_or(|id| r.author_agency_id.is_some() || actors.contains_key(&id))
            })
            .map(|r| {
                let author = match (r.author_agency_id, r.author_remote_actor_id) {
                    (Some(id), _) => {
                        let a = agencies.get(&id).ok_or(StoreError::NotFound("agency"))?;
                        CommentAuthor::Agency {
                            slug: a.slug.clone(),
                            name: a.name.clone(),
                        }
                    }
                    (None, Some(id)) => {
                        let a = actors
                            .get(&id)
                            .ok_or(StoreError::NotFound("remote actor"))?;
                        CommentAuthor::Remote {
                            ap_id: a.ap_id.clone(),
                            handle: handle_of(a),
                            name: a.name.clone(),
                            url: a.url.clone(),
                        }
                    }
                    (None, None) => return Err(StoreError::NotFound("comment author")),
                };
                Ok(Comment {
                    id: r.id,
                    ap_id: r.ap_id,
                    item_id: r.item_id,
                    in_reply_to_id: r.in_reply_to_id,
                    author,
                    content_warning: r.summary,
                    sensitive: r.sensitive,
                    // Only these two are ever written; anything else read
                    // back is a damaged row, kept out of public lists below.
                    visibility: r.visibility.parse().unwrap_or(Visibility::Direct),
                    content_html: r.content_html,
                    language: r.language,
                    published_at: r.published_at,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }
}

/// A comment as moderators see it: hidden ones included.
#[derive(Debug, Clone)]
pub struct ModeratedComment {
    /// The comment.
    pub comment: Comment,
    /// The item it belongs to.
    pub item_id: i64,
    /// Whether it is hidden.
    pub hidden: bool,
    /// The remote author's id, if remote.
    pub remote_author: Option<String>,
}

/// An UPDATE that turns the comments it is narrowed to (by further
/// filters) into tombstones: content erased, `deleted_at` set. The row
/// stays, so a late Create or Update of the same id cannot bring it back.
pub(crate) fn tombstone_comments() -> sea_orm::UpdateMany<comment::Entity> {
    comment::Entity::update_many()
        .col_expr(comment::Column::DeletedAt, Expr::value(Some(now())))
        .col_expr(comment::Column::ContentHtml, Expr::value(String::new()))
        .col_expr(
            comment::Column::ContentSource,
            Expr::value(Option::<String>::None),
        )
        .filter(comment::Column::DeletedAt.is_null())
}

/// A comment in whatever state it is, from [`Store::get_comment_any`].
#[derive(Debug, Clone)]
pub struct CommentState {
    /// The comment (content erased once deleted).
    pub comment: Comment,
    /// The item it is on.
    pub item: crate::records::Item,
    /// When it was deleted, if it was.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Hidden by a moderator.
    pub hidden: bool,
}

impl Store {
    /// Reads a comment that is not deleted, hidden or not.
    pub async fn get_comment_for_moderation(
        &self,
        id: i64,
    ) -> Result<Option<ModeratedComment>, StoreError> {
        let Some(row) = comment::Entity::find_by_id(id)
            .filter(comment::Column::DeletedAt.is_null())
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let hidden = row.hidden_at.is_some();
        let item_id = row.item_id;
        let Some(c) = self.assemble_comments(vec![row]).await?.pop() else {
            return Ok(None);
        };
        let remote_author = match &c.author {
            CommentAuthor::Remote { ap_id, .. } => Some(ap_id.clone()),
            CommentAuthor::Agency { .. } => None,
        };
        Ok(Some(ModeratedComment {
            comment: c,
            item_id,
            hidden,
            remote_author,
        }))
    }

    /// Hides or shows a comment; `false` if there is no such comment.
    pub async fn set_comment_hidden(&self, id: i64, hidden: bool) -> Result<bool, StoreError> {
        let value = if hidden { Some(now()) } else { None };
        Ok(comment::Entity::update_many()
            .col_expr(comment::Column::HiddenAt, Expr::value(value))
            .filter(comment::Column::Id.eq(id))
            .filter(comment::Column::DeletedAt.is_null())
            .exec(self.db())
            .await?
            .rows_affected
            > 0)
    }

    /// Deletes a comment (its content is erased; the row stays so a late
    /// Update cannot bring it back); `false` if there is no such comment.
    pub async fn delete_comment(&self, id: i64) -> Result<bool, StoreError> {
        Ok(tombstone_comments()
            .filter(comment::Column::Id.eq(id))
            .exec(self.db())
            .await?
            .rows_affected
            > 0)
    }

    /// Replaces the text of a comment written by local agency `agency_id`
    /// and, in the same transaction, queues the Update of its Note. `None`
    /// if the agency has no such comment (or it was deleted).
    pub async fn update_own_comment(
        &self,
        id: i64,
        agency_id: i64,
        source: &str,
        html: &str,
    ) -> Result<Option<Comment>, StoreError> {
        let txn = self.db().begin().await?;
        // Conditional, so that a deletion committed meanwhile is not undone.
        let res = comment::Entity::update_many()
            .col_expr(
                comment::Column::ContentSource,
                Expr::value(Some(source.to_owned())),
            )
            .col_expr(comment::Column::ContentHtml, Expr::value(html.to_owned()))
            .col_expr(comment::Column::UpdatedAt, Expr::value(Some(now())))
            .filter(comment::Column::Id.eq(id))
            .filter(comment::Column::AuthorAgencyId.eq(agency_id))
            .filter(comment::Column::DeletedAt.is_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
        let Some(row) = comment::Entity::find_by_id(id).one(&txn).await? else {
            return Ok(None);
        };
        put_event(
            &txn,
            EVENT_COMMENT_UPDATE,
            Some(agency_id),
            Some(row.item_id),
            Some(id),
        )
        .await?;
        txn.commit().await?;
        Ok(self.assemble_comments(vec![row]).await?.pop())
    }

    /// Deletes a comment written by local agency `agency_id` and, in the
    /// same transaction, queues the Delete of its Note for everyone its
    /// Create went to. `false` if the agency has no such comment.
    pub async fn delete_own_comment(
        &self,
        id: i64,
        agency_id: i64,
        audit: Option<&crate::queries::audit::Audit>,
    ) -> Result<bool, StoreError> {
        let txn = self.db().begin().await?;
        let Some(row) = comment::Entity::find_by_id(id)
            .filter(comment::Column::AuthorAgencyId.eq(agency_id))
            .filter(comment::Column::DeletedAt.is_null())
            .one(&txn)
            .await?
        else {
            return Ok(false);
        };
        let res = tombstone_comments()
            .filter(comment::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Ok(false);
        }
        put_event(
            &txn,
            EVENT_COMMENT_DELETE,
            Some(agency_id),
            Some(row.item_id),
            Some(id),
        )
        .await?;
        if let Some(audit) = audit {
            crate::queries::audit::write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// Reads a comment whatever its state, with its item: for the Delete
    /// sent after a local agency deletes one, and for answering 410 at its
    /// id (and 404 while it is hidden).
    pub async fn get_comment_any(&self, id: i64) -> Result<Option<CommentState>, StoreError> {
        let Some(row) = comment::Entity::find_by_id(id).one(self.db()).await? else {
            return Ok(None);
        };
        let deleted_at = row.deleted_at;
        let hidden = row.hidden_at.is_some();
        let Some(item) = self.get_item(row.item_id).await? else {
            return Ok(None);
        };
        let Some(comment) = self.assemble_comments(vec![row]).await?.pop() else {
            return Ok(None);
        };
        Ok(Some(CommentState {
            comment,
            item,
            deleted_at,
            hidden,
        }))
    }

    /// An item's comments that are hidden, for its moderators.
    pub async fn list_hidden_comments(&self, item_id: i64) -> Result<Vec<Comment>, StoreError> {
        let rows = comment::Entity::find()
            .filter(comment::Column::ItemId.eq(item_id))
            .filter(comment::Column::DeletedAt.is_null())
            .filter(comment::Column::HiddenAt.is_not_null())
            .order_by_asc(comment::Column::PublishedAt)
            .all(self.db())
            .await?;
        self.assemble_comments(rows).await
    }
}
