//! An item's shown comments a page at a time, oldest first, read after or
//! before a cursor: the item page, the comments API and the `replies`
//! collection hold thousands of comments, and a page read this way costs
//! what it shows, wherever it is (no rows skipped by OFFSET, none counted:
//! the item's comment count is kept).

use super::PUBLIC_VISIBILITIES;
use crate::{Store, StoreError, entities::comment, records::Comment};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use std::collections::HashMap;

/// A place in an item's comments, by the order they are listed in
/// (`published_at`, then `id`, both ascending): the place of one comment,
/// or just before one. Its text form is opaque to clients:
/// `<seconds>.<nanoseconds>_<id>`, to the nanosecond because a peer's time
/// may be that exact and SQLite keeps it as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentCursor {
    published_at: DateTime<Utc>,
    id: i64,
}

impl CommentCursor {
    /// The place of `comment`: after it come the comments that follow it,
    /// before it those that precede it.
    pub fn of(comment: &Comment) -> Self {
        Self {
            published_at: comment.published_at,
            id: comment.id,
        }
    }

    /// The place just before `comment`: a page read after it starts with
    /// `comment` (for a link to where a comment is).
    pub fn just_before(comment: &Comment) -> Self {
        Self {
            published_at: comment.published_at,
            id: comment.id.saturating_sub(1),
        }
    }

    /// Reads the text form; `None` if it is not one.
    pub fn parse(s: &str) -> Option<Self> {
        let (at, id) = s.split_once('_')?;
        let (secs, nanos) = at.split_once('.')?;
        if nanos.len() != 9 || !nanos.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let published_at = DateTime::from_timestamp(secs.parse().ok()?, nanos.parse().ok()?)?;
        Some(Self {
            published_at,
            id: id.parse().ok()?,
        })
    }

    fn of_row(row: &comment::Model) -> Self {
        Self {
            published_at: row.published_at,
            id: row.id,
        }
    }
}

impl std::fmt::Display for CommentCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.published_at;
        write!(
            f,
            "{}.{:09}_{}",
            t.timestamp(),
            t.timestamp_subsec_nanos(),
            self.id
        )
    }
}

/// Where a page of comments is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentsFrom {
    /// The oldest comments.
    Start,
    /// The comments after this place.
    After(CommentCursor),
    /// The comments just before this place (the page before the one
    /// that starts there).
    Before(CommentCursor),
}

/// One page of an item's comments.
#[derive(Debug, Clone)]
pub struct CommentPage {
    /// The comments, oldest first.
    pub comments: Vec<Comment>,
    /// Read after this for the next page; `None` on the last page.
    pub next: Option<CommentCursor>,
    /// Read before this for the previous page; `None` on the first.
    pub prev: Option<CommentCursor>,
}

/// An item's comments that the public sees: not deleted, not hidden,
/// public or unlisted. The (item_id, published_at, id) index serves the
/// order and both bounds.
fn shown(item_id: i64) -> Select<comment::Entity> {
    comment::Entity::find()
        .filter(comment::Column::ItemId.eq(item_id))
        .filter(comment::Column::DeletedAt.is_null())
        .filter(comment::Column::HiddenAt.is_null())
        .filter(comment::Column::Visibility.is_in(PUBLIC_VISIBILITIES))
}

impl Store {
    /// Reads a page of at most `limit` (at least 1) of an item's shown
    /// comments, oldest first, from `from`. Comments that arrive while a
    /// reader pages on come in order at the end: paging after cursors
    /// never repeats or skips one. Read before a cursor near the start,
    /// the page is the first page, so that it is never short.
    pub async fn list_comments_page(
        &self,
        item_id: i64,
        from: CommentsFrom,
        limit: u64,
    ) -> Result<CommentPage, StoreError> {
        let limit = limit.max(1);
        let take = usize::try_from(limit).unwrap_or(usize::MAX);
        let (mut rows, prev) = match from {
            CommentsFrom::Start => (self.comment_rows_after(item_id, None, limit).await?, None),
            CommentsFrom::After(c) => {
                let rows = self.comment_rows_after(item_id, Some(c), limit).await?;
                // The reader came from somewhere: what lies before this
                // page is the comment the cursor names and those before.
                let prev = rows.first().map(CommentCursor::of_row);
                (rows, prev)
            }
            CommentsFrom::Before(c) => {
                let mut rows = shown(item_id)
                    // As in `comment_rows_after`: the first condition
                    // bounds an index range, the second steps past the
                    // cursor's own comment among equal times.
                    .filter(comment::Column::PublishedAt.lte(c.published_at))
                    .filter(
                        Condition::any()
                            .add(comment::Column::PublishedAt.lt(c.published_at))
                            .add(comment::Column::Id.lt(c.id)),
                    )
                    .order_by_desc(comment::Column::PublishedAt)
                    .order_by_desc(comment::Column::Id)
                    .limit(limit.saturating_add(1))
                    .all(self.reader())
                    .await?;
                if rows.len() <= take {
                    return Box::pin(self.list_comments_page(item_id, CommentsFrom::Start, limit))
                        .await;
                }
                rows.truncate(take);
                rows.reverse();
                let prev = rows.first().map(CommentCursor::of_row);
                // The cursor's own comment (or what followed it) is after
                // this page: the limit+1st row is one more.
                let last = rows.last().map(CommentCursor::of_row);
                let comments = self.assemble_comments(rows).await?;
                return Ok(CommentPage {
                    comments,
                    next: last,
                    prev,
                });
            }
        };
        let more = rows.len() > take;
        rows.truncate(take);
        // From the rows, not the assembled comments: a comment whose author
        // was deleted meanwhile drops out of the page, not out of paging.
        let next = rows.last().filter(|_| more).map(CommentCursor::of_row);
        Ok(CommentPage {
            comments: self.assemble_comments(rows).await?,
            next,
            prev,
        })
    }

    /// Up to `limit + 1` shown comment rows after `after`, oldest first.
    async fn comment_rows_after(
        &self,
        item_id: i64,
        after: Option<CommentCursor>,
        limit: u64,
    ) -> Result<Vec<comment::Model>, StoreError> {
        let mut q = shown(item_id);
        if let Some(c) = after {
            // The first condition alone bounds an index range; the second
            // steps past the cursor's own comment among equal times.
            q = q
                .filter(comment::Column::PublishedAt.gte(c.published_at))
                .filter(
                    Condition::any()
                        .add(comment::Column::PublishedAt.gt(c.published_at))
                        .add(comment::Column::Id.gt(c.id)),
                );
        }
        Ok(q.order_by_asc(comment::Column::PublishedAt)
            .order_by_asc(comment::Column::Id)
            .limit(limit.saturating_add(1))
            .all(self.reader())
            .await?)
    }

    /// For each of `ids` that is a shown comment of item `item_id`, the
    /// cursor a page starting with it is read after: where a reply on one
    /// page links to the comment it answers on another.
    pub async fn list_comment_starts(
        &self,
        item_id: i64,
        ids: &[i64],
    ) -> Result<HashMap<i64, CommentCursor>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, DateTime<Utc>)> = shown(item_id)
            .filter(comment::Column::Id.is_in(ids.iter().copied()))
            .select_only()
            .column(comment::Column::Id)
            .column(comment::Column::PublishedAt)
            .into_tuple()
            .all(self.reader())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, published_at)| {
                let at = CommentCursor {
                    published_at,
                    id: id.saturating_sub(1),
                };
                (id, at)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_refuse_anything_else() {
        let c = CommentCursor {
            published_at: DateTime::from_timestamp(1_790_000_000, 123_456_789).unwrap(),
            id: 42,
        };
        assert_eq!(c.to_string(), "1790000000.123456789_42");
        assert_eq!(CommentCursor::parse(&c.to_string()), Some(c));
        for bad in [
            "",
            "42",
            "1790000000_42",
            "1790000000.12345678_42",
            "1790000000.+23456789_42",
            "1790000000.123456789_",
            "1790000000.123456789_x",
            "x.123456789_42",
            "99999999999999999.123456789_42",
        ] {
            assert_eq!(CommentCursor::parse(bad), None, "{bad:?}");
        }
    }
}
