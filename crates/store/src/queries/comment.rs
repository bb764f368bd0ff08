//! Comments on items.

use crate::{
    Store, StoreError,
    entities::{agency, comment, remote_actor},
    records::{Comment, CommentAuthor, handle_of, now},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
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
            ..Default::default()
        }
        .insert(self.db())
        .await?;
        self.assemble_comments(vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound("comment"))
    }

    /// Reads a visible comment with its item.
    pub async fn get_comment(
        &self,
        id: i64,
    ) -> Result<Option<(Comment, crate::records::Item)>, StoreError> {
        let Some(row) = comment::Entity::find_by_id(id)
            .filter(comment::Column::DeletedAt.is_null())
            .filter(comment::Column::HiddenAt.is_null())
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
                    content_html: r.content_html,
                    language: r.language,
                    published_at: r.published_at,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }
}
