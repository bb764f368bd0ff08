//! Comments written by a local agency: each written, edited or deleted
//! with its outbox event (Create, Update, Delete of its `Note`) in one
//! transaction.

use super::tombstone_comments;
use crate::{
    Store, StoreError,
    entities::comment,
    queries::{
        audit::{Audit, write_audit, write_audit_of_new},
        outbox::{OutboxKind, put_event},
    },
    records::{Comment, now},
};
use deling_domain::audience::Visibility;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr,
};

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
        self.put_agency_comment_audited(
            item_id,
            agency_id,
            in_reply_to_id,
            source,
            html,
            language,
            None,
        )
        .await
    }

    /// [`Store::put_agency_comment`] with `audit`, if given, written in the
    /// same transaction; the new comment's id ends its target and is its
    /// detail `comment`.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_agency_comment_audited(
        &self,
        item_id: i64,
        agency_id: i64,
        in_reply_to_id: Option<i64>,
        source: &str,
        html: &str,
        language: Option<&str>,
        audit: Option<&Audit>,
    ) -> Result<Comment, StoreError> {
        let txn = self.begin().await?;
        crate::queries::item::state::hold_live_item(&txn, item_id).await?;
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
            OutboxKind::CommentCreate,
            Some(agency_id),
            Some(item_id),
            Some(row.id),
        )
        .await?;
        if let Some(audit) = audit {
            write_audit_of_new(&txn, audit, "comment", row.id).await?;
        }
        txn.commit().await?;
        self.assemble_comments(vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound("comment"))
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
        self.update_own_comment_audited(id, agency_id, source, html, None)
            .await
    }

    /// [`Store::update_own_comment`] with `audit`, if given, written in the
    /// same transaction when the comment was changed.
    pub async fn update_own_comment_audited(
        &self,
        id: i64,
        agency_id: i64,
        source: &str,
        html: &str,
        audit: Option<&Audit>,
    ) -> Result<Option<Comment>, StoreError> {
        let txn = self.begin().await?;
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
            OutboxKind::CommentUpdate,
            Some(agency_id),
            Some(row.item_id),
            Some(id),
        )
        .await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
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
        audit: Option<&Audit>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
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
            OutboxKind::CommentDelete,
            Some(agency_id),
            Some(row.item_id),
            Some(id),
        )
        .await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}
