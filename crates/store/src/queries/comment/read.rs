//! Reading comments: one by id or ActivityPub id, an item's visible ones,
//! one in whatever state it is, and their authors.

use super::{CommentState, PUBLIC_VISIBILITIES};
use crate::{
    Store, StoreError,
    entities::{agency, comment, remote_actor},
    records::{Comment, CommentAuthor, handle_of},
};
use deling_domain::audience::Visibility;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

impl Store {
    /// The item and comment a remote comment's ActivityPub id names.
    pub async fn get_comment_by_ap_id(&self, ap_id: &str) -> Result<Option<Comment>, StoreError> {
        let Some(row) = comment::Entity::find()
            .filter(comment::Column::ApId.eq(ap_id))
            .filter(comment::Column::DeletedAt.is_null())
            .one(self.reader())
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
            .one(self.reader())
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
            .all(self.reader())
            .await?;
        self.assemble_comments(rows).await
    }

    /// Reads a comment whatever its state, with its item: for the Delete
    /// sent after a local agency deletes one, for the parent a local
    /// reply answers (its id and author), and for answering 410 at its id
    /// (and 404 while it is hidden).
    pub async fn get_comment_any(&self, id: i64) -> Result<Option<CommentState>, StoreError> {
        let Some(row) = comment::Entity::find_by_id(id).one(self.reader()).await? else {
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

    /// Authors for `rows`, with one query per kind of author.
    pub(crate) async fn assemble_comments(
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
            .all(self.reader())
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let actors: HashMap<i64, remote_actor::Model> = remote_actor::Entity::find()
            .filter(remote_actor::Column::Id.is_in(actor_ids))
            .all(self.reader())
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
