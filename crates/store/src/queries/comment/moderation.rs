//! Comments as moderators handle them: hidden ones included, hidden or
//! shown, deleted.

use super::{ModeratedComment, tombstone_comments};
use crate::{
    Store, StoreError,
    entities::comment,
    queries::audit::{Audit, write_audit},
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
            .one(self.reader())
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
        self.set_comment_hidden_audited(id, hidden, None).await
    }

    /// [`Store::set_comment_hidden`] with `audit`, if given, written in the
    /// same transaction when there was such a comment.
    pub async fn set_comment_hidden_audited(
        &self,
        id: i64,
        hidden: bool,
        audit: Option<&Audit>,
    ) -> Result<bool, StoreError> {
        let value = if hidden { Some(now()) } else { None };
        let txn = self.begin().await?;
        let found = comment::Entity::update_many()
            .col_expr(comment::Column::HiddenAt, Expr::value(value))
            .filter(comment::Column::Id.eq(id))
            .filter(comment::Column::DeletedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected
            > 0;
        if let (true, Some(audit)) = (found, audit) {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(found)
    }

    /// Deletes a comment (its content is erased; the row stays so a late
    /// Update cannot bring it back); `false` if there is no such comment.
    pub async fn delete_comment(&self, id: i64) -> Result<bool, StoreError> {
        self.delete_comment_audited(id, None).await
    }

    /// [`Store::delete_comment`] with `audit`, if given, written in the
    /// same transaction when there was such a comment.
    pub async fn delete_comment_audited(
        &self,
        id: i64,
        audit: Option<&Audit>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        let found = tombstone_comments()
            .filter(comment::Column::Id.eq(id))
            .exec(&txn)
            .await?
            .rows_affected
            > 0;
        if let (true, Some(audit)) = (found, audit) {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(found)
    }

    /// An item's comments that are hidden, for its moderators.
    pub async fn list_hidden_comments(&self, item_id: i64) -> Result<Vec<Comment>, StoreError> {
        let rows = comment::Entity::find()
            .filter(comment::Column::ItemId.eq(item_id))
            .filter(comment::Column::DeletedAt.is_null())
            .filter(comment::Column::HiddenAt.is_not_null())
            .order_by_asc(comment::Column::PublishedAt)
            .all(self.reader())
            .await?;
        self.assemble_comments(rows).await
    }
}

impl Store {
    /// Reports remote comment `id` (on an item of `agency_id`) to its
    /// author's server: the Flag `flag_ap_id` queued as an outbox event,
    /// with `audit`, in one transaction. `NotFound` when there is no such
    /// comment on the agency's items; `Conflict` for a comment written
    /// here (there is no other server to tell).
    pub async fn report_comment(
        &self,
        id: i64,
        agency_id: i64,
        flag_ap_id: &str,
        content: &str,
        audit: &crate::queries::audit::Audit,
    ) -> Result<(), StoreError> {
        let txn = self.begin().await?;
        let row = comment::Entity::find_by_id(id)
            .filter(comment::Column::DeletedAt.is_null())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("comment"))?;
        let on_agency_item = crate::entities::item::Entity::find_by_id(row.item_id)
            .one(&txn)
            .await?
            .is_some_and(|i| i.agency_id == Some(agency_id));
        if !on_agency_item {
            return Err(StoreError::NotFound("comment"));
        }
        let (Some(author_id), Some(ap_id)) = (row.author_remote_actor_id, row.ap_id) else {
            return Err(StoreError::Conflict(
                "the comment was written here: there is no other server to report it to".into(),
            ));
        };
        crate::queries::outbox::queue_flag(&txn, agency_id, author_id, &ap_id, flag_ap_id, content)
            .await?;
        crate::queries::audit::write_audit(&txn, audit).await?;
        txn.commit().await?;
        Ok(())
    }
}
