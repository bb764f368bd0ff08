//! Comments received from peers: stored, updated and deleted by their
//! remote authors.

use super::{RemoteCommentData, tombstone_comments};
use crate::{
    Store, StoreError,
    entities::comment,
    queries::params::{Params, count},
    records::{Comment, now},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

impl Store {
    /// Stores a remote comment, or updates it if its author sends it again,
    /// and returns it as read back. Another author's comment with the same
    /// id is a conflict; a deleted one stays deleted (`NotFound`).
    pub async fn put_remote_comment(&self, d: RemoteCommentData) -> Result<Comment, StoreError> {
        let existing = comment::Entity::find()
            .filter(comment::Column::ApId.eq(d.ap_id.as_str()))
            .one(self.db())
            .await?;
        let row = match existing {
            Some(e) => self.revise_remote_comment(e, d).await?,
            None => new_remote_comment(d).insert(self.db()).await?,
        };
        self.assemble_comments(vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound("comment"))
    }

    /// [`Store::put_remote_comment`] for a caller that does not need the
    /// comment back (the inbox): a new comment, the usual case, costs one
    /// statement (an insert that does nothing if the id is taken) instead
    /// of a lookup, an insert and the reads that assemble the result. Only
    /// when the id is taken is the row read, to update it or refuse.
    pub async fn save_remote_comment(&self, d: RemoteCommentData) -> Result<(), StoreError> {
        let inserted = comment::Entity::insert(new_remote_comment(d.clone()))
            .on_conflict_do_nothing_on([comment::Column::ApId])
            .exec_without_returning(self.db())
            .await?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            return Ok(());
        }
        let existing = comment::Entity::find()
            .filter(comment::Column::ApId.eq(d.ap_id.as_str()))
            .one(self.db())
            .await?
            // Taken a moment ago and gone now (its author was deleted).
            .ok_or(StoreError::NotFound("comment"))?;
        self.revise_remote_comment(existing, d).await?;
        Ok(())
    }

    /// A comment of the same id is here already: its author's new version
    /// replaces its text; another author's is a conflict, and a deleted one
    /// (by its author or a moderator) stays deleted.
    async fn revise_remote_comment(
        &self,
        existing: comment::Model,
        d: RemoteCommentData,
    ) -> Result<comment::Model, StoreError> {
        if existing.author_remote_actor_id != Some(d.author_remote_actor_id) {
            return Err(StoreError::Conflict(format!(
                "{} belongs to another actor",
                d.ap_id
            )));
        }
        if existing.deleted_at.is_some() {
            return Err(StoreError::NotFound("comment"));
        }
        let mut row: comment::ActiveModel = existing.into();
        row.content_html = Set(d.content_html);
        row.language = Set(d.language);
        row.summary = Set(d.content_warning);
        row.sensitive = Set(d.sensitive);
        row.updated_at = Set(Some(now()));
        Ok(row.update(self.db()).await?)
    }

    /// How many comments by `remote_actor_id` arrived here since `since`,
    /// by this server's clock, counted up to `at_most` (the quota: an
    /// author with thousands costs no more to count than one at it):
    /// taken back, hidden or public alike (taking one back does not make
    /// room for another).
    ///
    /// Counted in the database from the index on author and time: read
    /// as rows, each of up to `at_most` ids came over from SQLite's thread
    /// on its own, for every comment received, and that was most of the
    /// inbox's statements (docs/PERFORMANCE.md, "Fourteenth pass").
    pub async fn count_remote_comments_received_since(
        &self,
        remote_actor_id: i64,
        since: DateTime<Utc>,
        at_most: u64,
    ) -> Result<u64, StoreError> {
        let mut p = Params::new(self.backend());
        let sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM comment \
             WHERE author_remote_actor_id = {} AND received_at >= {} LIMIT {}) AS t",
            p.push(remote_actor_id),
            p.push(since),
            p.push(i64::try_from(at_most).unwrap_or(i64::MAX)),
        );
        count(self.reader(), p, sql).await
    }

    /// How many comment rows `item_id` has, hidden and deleted ones
    /// included: what the inbox benchmark waits for (every reply stored,
    /// whether or not it waits for a moderator; it deletes none), read
    /// from the item's index alone, as it is asked every few milliseconds
    /// while the inbox works.
    pub async fn count_stored_comments(&self, item_id: i64) -> Result<u64, StoreError> {
        Ok(comment::Entity::find()
            .filter(comment::Column::ItemId.eq(item_id))
            .count(self.reader())
            .await?)
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

/// The row of a comment received for the first time.
fn new_remote_comment(d: RemoteCommentData) -> comment::ActiveModel {
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
        received_at: Set(Some(now())),
        ..Default::default()
    }
}
