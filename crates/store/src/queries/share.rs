//! Shares: local agencies boosting items (their own, each other's, peers').

use crate::{
    Store, StoreError,
    entities::{agency, share},
    queries::{
        audit::{Audit, write_audit},
        item::state::hold_live_item,
        outbox::{OutboxKind, put_share_event},
    },
    records::{Agency, now},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

/// A share row.
pub type Share = share::Model;

/// What [`Store::put_share`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shared {
    /// Shared now; its Announce is queued.
    New(Share),
    /// The agency shares the item already; nothing changed.
    Already(Share),
}

impl Store {
    /// Makes `agency_id` share `item_id` and queues the Announce, in one
    /// transaction. Sharing again is a no-op; sharing after taking a share
    /// back makes a new share (with a new Announce id); the old one stays,
    /// taken back.
    pub async fn put_share(&self, agency_id: i64, item_id: i64) -> Result<Shared, StoreError> {
        self.put_share_audited(agency_id, item_id, None).await
    }

    /// [`Store::put_share`] with `audit`, if given, written in the same
    /// transaction when the share is new (sharing again records nothing).
    pub async fn put_share_audited(
        &self,
        agency_id: i64,
        item_id: i64,
        audit: Option<&Audit>,
    ) -> Result<Shared, StoreError> {
        // An insert that loses to another request's share looks again:
        // that share is normally found then (`Already`), but it may have
        // been taken back meanwhile, and then this still valid request
        // inserts again (at most three times).
        let mut lost = 0;
        let (txn, row) = loop {
            let txn = self.begin().await?;
            hold_live_item(&txn, item_id).await?;
            let current = share::Entity::find()
                .filter(share::Column::AgencyId.eq(agency_id))
                .filter(share::Column::ItemId.eq(item_id))
                .filter(share::Column::UndoneAt.is_null())
                .one(&txn)
                .await?;
            if let Some(s) = current {
                return Ok(Shared::Already(s));
            }
            let inserted = share::ActiveModel {
                agency_id: Set(agency_id),
                item_id: Set(item_id),
                created_at: Set(now()),
                undone_at: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await;
            match inserted {
                Ok(row) => break (txn, row),
                Err(e)
                    if matches!(
                        e.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    ) =>
                {
                    drop(txn);
                    lost += 1;
                    if lost == 3 {
                        return Err(StoreError::Conflict("the share changed meanwhile".into()));
                    }
                }
                Err(e) => return Err(e.into()),
            }
        };
        put_share_event(&txn, OutboxKind::ShareCreate, agency_id, item_id, row.id).await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(Shared::New(row))
    }

    /// Takes a share back and queues the Undo of its Announce; `false` if
    /// the agency does not share the item.
    pub async fn undo_share(&self, agency_id: i64, item_id: i64) -> Result<bool, StoreError> {
        self.undo_share_audited(agency_id, item_id, None).await
    }

    /// [`Store::undo_share`] with `audit`, if given, written in the same
    /// transaction when a share was taken back.
    pub async fn undo_share_audited(
        &self,
        agency_id: i64,
        item_id: i64,
        audit: Option<&Audit>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        let Some(row) = share::Entity::find()
            .filter(share::Column::AgencyId.eq(agency_id))
            .filter(share::Column::ItemId.eq(item_id))
            .filter(share::Column::UndoneAt.is_null())
            .one(&txn)
            .await?
        else {
            return Ok(false);
        };
        let res = share::Entity::update_many()
            .set(share::ActiveModel {
                undone_at: Set(Some(now())),
                ..Default::default()
            })
            .filter(share::Column::Id.eq(row.id))
            .filter(share::Column::UndoneAt.is_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Ok(false);
        }
        put_share_event(&txn, OutboxKind::ShareUndo, agency_id, item_id, row.id).await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// Reads a share by id, taken-back ones included.
    pub async fn get_share(&self, id: i64) -> Result<Option<Share>, StoreError> {
        Ok(share::Entity::find_by_id(id).one(self.reader()).await?)
    }

    /// The agency's share of the item, if it shares it now.
    pub async fn get_active_share(
        &self,
        agency_id: i64,
        item_id: i64,
    ) -> Result<Option<Share>, StoreError> {
        Ok(share::Entity::find()
            .filter(share::Column::AgencyId.eq(agency_id))
            .filter(share::Column::ItemId.eq(item_id))
            .filter(share::Column::UndoneAt.is_null())
            .one(self.reader())
            .await?)
    }

    /// The local agencies that share an item now, newest share first.
    pub async fn list_item_shares(&self, item_id: i64) -> Result<Vec<(Share, Agency)>, StoreError> {
        let shares = share::Entity::find()
            .filter(share::Column::ItemId.eq(item_id))
            .filter(share::Column::UndoneAt.is_null())
            .order_by_desc(share::Column::Id)
            .all(self.reader())
            .await?;
        let ids: Vec<i64> = shares.iter().map(|s| s.agency_id).collect();
        let agencies: std::collections::HashMap<i64, Agency> = agency::Entity::find()
            .filter(agency::Column::Id.is_in(ids))
            .filter(agency::Column::DeletedAt.is_null())
            .all(self.reader())
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        Ok(shares
            .into_iter()
            .filter_map(|s| {
                let a = agencies.get(&s.agency_id)?.clone();
                Some((s, a))
            })
            .collect())
    }

    /// What an agency shares now, newest share first: each share with its
    /// item (items withdrawn since are left out).
    pub async fn list_agency_shares(
        &self,
        agency_id: i64,
        limit: u64,
    ) -> Result<Vec<(Share, crate::records::Item)>, StoreError> {
        use sea_orm::QuerySelect;
        let shares = share::Entity::find()
            .filter(share::Column::AgencyId.eq(agency_id))
            .filter(share::Column::UndoneAt.is_null())
            .order_by_desc(share::Column::Id)
            .limit(limit)
            .all(self.reader())
            .await?;
        let ids: Vec<i64> = shares.iter().map(|s| s.item_id).collect();
        let mut items: std::collections::HashMap<i64, crate::records::Item> = self
            .get_items(&ids)
            .await?
            .into_iter()
            .filter(|i| i.deleted_at.is_none())
            .map(|i| (i.id, i))
            .collect();
        Ok(shares
            .into_iter()
            .filter_map(|s| {
                let item = items.remove(&s.item_id)?;
                Some((s, item))
            })
            .collect())
    }

    /// How many local agencies share an item now.
    pub async fn count_item_shares(&self, item_id: i64) -> Result<u64, StoreError> {
        Ok(share::Entity::find()
            .filter(share::Column::ItemId.eq(item_id))
            .filter(share::Column::UndoneAt.is_null())
            .count(self.reader())
            .await?)
    }
}

/// Takes back every share of the items in `set`, queueing the Undo of each
/// Announce, in the caller's transaction: the sharing agencies' followers
/// were sent the item by that Announce and hear of its withdrawal no other
/// way (Mastodon likewise removes the reblogs of a deleted status and
/// federates their removal).
pub(crate) async fn undo_shares_of(
    db: &impl sea_orm::ConnectionTrait,
    set: crate::queries::item::ItemSet<'_>,
) -> Result<(), StoreError> {
    use crate::{entities::item, queries::item::ItemSet};
    use sea_orm::sea_query::Query;
    let of_set = match set {
        ItemSet::Ids(ids) => share::Column::ItemId.is_in(ids.iter().copied()),
        ItemSet::OfAgency(agency_id) => share::Column::ItemId.in_subquery(
            Query::select()
                .column(item::Column::Id)
                .from(item::Entity)
                .and_where(item::Column::AgencyId.eq(agency_id))
                .to_owned(),
        ),
    };
    let shares = share::Entity::find()
        .filter(of_set)
        .filter(share::Column::UndoneAt.is_null())
        .all(db)
        .await?;
    for row in shares {
        share::Entity::update_many()
            .set(share::ActiveModel {
                undone_at: Set(Some(now())),
                ..Default::default()
            })
            .filter(share::Column::Id.eq(row.id))
            .exec(db)
            .await?;
        put_share_event(
            db,
            OutboxKind::ShareUndo,
            row.agency_id,
            row.item_id,
            row.id,
        )
        .await?;
    }
    Ok(())
}
