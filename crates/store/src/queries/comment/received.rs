//! Comments received from peers: stored, updated and deleted by their
//! remote authors.

use super::{RemoteCommentData, tombstone_comments};
use crate::{
    Store, StoreError,
    entities::comment,
    records::{Comment, now},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

impl Store {
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
}
