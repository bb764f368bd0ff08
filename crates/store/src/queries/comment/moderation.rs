//! Comments as moderators handle them: hidden ones included, hidden or
//! shown, deleted.

use super::{ModeratedComment, tombstone_comments};
use crate::{
    Store, StoreError,
    entities::comment,
    records::{Comment, CommentAuthor, now},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};

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
