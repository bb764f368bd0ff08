//! Follow relations, as the followers/following collections need them.

use crate::{
    Paged, Store, StoreError,
    entities::{follower, following, remote_actor},
    queries::{
        audit::{Audit, write_audit},
        outbox::{queue_accept, queue_follow, queue_reject, queue_undo},
        params::{self, Params},
    },
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, sea_query::OnConflict,
};

/// State of a local agency's Follow of a remote actor.
pub const FOLLOWING_ACCEPTED: &str = "accepted";
/// Sent, not yet accepted.
pub const FOLLOWING_PENDING: &str = "pending";
/// Refused by the followed actor.
pub const FOLLOWING_REJECTED: &str = "rejected";

impl Store {
    /// Counts the remote actors following `agency_id`.
    pub async fn count_followers(&self, agency_id: i64) -> Result<u64, StoreError> {
        Ok(follower::Entity::find()
            .filter(follower::Column::AgencyId.eq(agency_id))
            .count(self.reader())
            .await?)
    }

    /// Lists the ActivityPub ids of `agency_id`'s followers, newest first.
    pub async fn list_follower_ids(
        &self,
        agency_id: i64,
        page: u64,
        per_page: u64,
    ) -> Result<Paged<String>, StoreError> {
        let total = self.count_followers(agency_id).await?;
        let rows = follower::Entity::find()
            .filter(follower::Column::AgencyId.eq(agency_id))
            .order_by_desc(follower::Column::Id)
            .offset(crate::queries::page_offset(page, per_page))
            .limit(per_page)
            .all(self.reader())
            .await?;
        let items = self
            .actor_ids(rows.iter().map(|r| r.remote_actor_id).collect())
            .await?;
        Ok(Paged {
            items,
            page,
            per_page,
            total,
        })
    }

    /// Counts the remote actors `agency_id` follows (accepted Follows only).
    pub async fn count_following(&self, agency_id: i64) -> Result<u64, StoreError> {
        Ok(following::Entity::find()
            .filter(following::Column::AgencyId.eq(agency_id))
            .filter(following::Column::State.eq(FOLLOWING_ACCEPTED))
            .count(self.reader())
            .await?)
    }

    /// Lists the ActivityPub ids `agency_id` follows (accepted), newest first.
    pub async fn list_following_ids(
        &self,
        agency_id: i64,
        page: u64,
        per_page: u64,
    ) -> Result<Paged<String>, StoreError> {
        let total = self.count_following(agency_id).await?;
        let rows = following::Entity::find()
            .filter(following::Column::AgencyId.eq(agency_id))
            .filter(following::Column::State.eq(FOLLOWING_ACCEPTED))
            .order_by_desc(following::Column::Id)
            .offset(crate::queries::page_offset(page, per_page))
            .limit(per_page)
            .all(self.reader())
            .await?;
        let items = self
            .actor_ids(rows.iter().map(|r| r.remote_actor_id).collect())
            .await?;
        Ok(Paged {
            items,
            page,
            per_page,
            total,
        })
    }

    /// ActivityPub ids of remote actors, in the order of `ids`.
    async fn actor_ids(&self, ids: Vec<i64>) -> Result<Vec<String>, StoreError> {
        let actors = remote_actor::Entity::find()
            .filter(remote_actor::Column::Id.is_in(ids.clone()))
            .all(self.reader())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| actors.iter().find(|a| a.id == *id).map(|a| a.ap_id.clone()))
            .collect())
    }
}

/// A local agency's Follow of a remote actor, with its state.
#[derive(Debug, Clone)]
pub struct Following {
    /// The followed actor.
    pub actor: crate::records::RemoteActor,
    /// `pending` or `accepted`.
    pub state: String,
    /// The Follow's id.
    pub follow_ap_id: String,
    /// When sent.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl Store {
    /// Records that `remote_actor_id` follows `agency_id` (again), keeping
    /// the latest Follow's id for Undo matching; no Accept is queued (see
    /// [`Store::accept_follower`] for the Follow received).
    pub async fn put_follower(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
        follow_ap_id: &str,
    ) -> Result<(), StoreError> {
        upsert_follower(self.db(), agency_id, remote_actor_id, follow_ap_id).await
    }

    /// Records that `remote_actor_id` follows `agency_id` by its Follow
    /// `follow` (as received, without `@context`; its id is `follow_ap_id`)
    /// and queues the Accept (an outbox event of kind
    /// [`OutboxKind::FollowAccept`]), in one transaction.
    pub async fn accept_follower(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
        follow_ap_id: &str,
        follow: serde_json::Value,
    ) -> Result<(), StoreError> {
        let txn = self.begin().await?;
        upsert_follower(&txn, agency_id, remote_actor_id, follow_ap_id).await?;
        queue_accept(&txn, agency_id, remote_actor_id, follow_ap_id, follow).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Refuses `remote_actor_id`'s Follow `follow_ap_id` of `agency_id`
    /// (`follow`, as received without `@context`): queues its `Reject`, so
    /// that the actor's server does not show it pending for ever.
    pub async fn refuse_follower(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
        follow_ap_id: &str,
        follow: serde_json::Value,
    ) -> Result<(), StoreError> {
        let txn = self.begin().await?;
        queue_reject(&txn, agency_id, remote_actor_id, follow_ap_id, Some(follow)).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Ends a follow; `true` if there was one.
    pub async fn delete_follower(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
    ) -> Result<bool, StoreError> {
        let res = follower::Entity::delete_many()
            .filter(follower::Column::AgencyId.eq(agency_id))
            .filter(follower::Column::RemoteActorId.eq(remote_actor_id))
            .exec(self.db())
            .await?;
        Ok(res.rows_affected > 0)
    }

    /// Whether `remote_actor_id` follows `agency_id`.
    pub async fn is_follower(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
    ) -> Result<bool, StoreError> {
        Ok(follower::Entity::find()
            .filter(follower::Column::AgencyId.eq(agency_id))
            .filter(follower::Column::RemoteActorId.eq(remote_actor_id))
            .count(self.reader())
            .await?
            > 0)
    }

    /// The distinct inboxes to deliver `agency_id`'s activities to: each
    /// follower's shared inbox if it has one, else its own, so a server with
    /// many followers gets one request.
    pub async fn list_follower_inboxes(&self, agency_id: i64) -> Result<Vec<String>, StoreError> {
        let mut inboxes: Vec<String> = self
            .follower_inbox_dialects(agency_id)
            .await?
            .into_iter()
            .map(|(inbox, _)| inbox)
            .collect();
        inboxes.sort();
        inboxes.dedup();
        Ok(inboxes)
    }

    /// Each distinct inbox (shared where there is one) of `agency_id`'s
    /// followers, with whether a follower behind it speaks Deling (an
    /// inbox may come twice, once each way). Only those two columns, and
    /// distinct in the query: an agency with 10,000 followers on 1,000
    /// servers reads 1,000 inboxes, not 10,000 actors with their keys
    /// and profiles (that was most of the time before its first delivery).
    ///
    /// The inboxes come back as two JSON arrays in one row rather than as
    /// a row each: SQLite's driver hands every row over from its own
    /// thread, and a thousand hand-overs cost more than the query (6-7 ms
    /// against 2.6 ms). A join rather than `id IN (subquery)` (SQLite
    /// took two thirds of the time) or a list of ids (an agency may have
    /// more followers than a statement may bind).
    async fn follower_inbox_dialects(
        &self,
        agency_id: i64,
    ) -> Result<Vec<(String, bool)>, StoreError> {
        let mut p = Params::new(self.backend());
        let agency = p.push(agency_id);
        let inboxes = format!(
            "SELECT DISTINCT COALESCE(r.shared_inbox, r.inbox) AS inbox, r.speaks_deling \
             FROM follower f JOIN remote_actor r ON r.id = f.remote_actor_id \
             WHERE f.agency_id = {agency}"
        );
        let sql = format!(
            "SELECT {} AS deling, {} AS others FROM ({inboxes}) AS d",
            params::json_agg(p.backend, "inbox", Some("speaks_deling")),
            params::json_agg(p.backend, "inbox", Some("NOT speaks_deling")),
        );
        let Some(row) = self
            .reader()
            .query_one_raw(Statement::from_sql_and_values(p.backend, sql, p.values))
            .await?
        else {
            return Ok(Vec::new());
        };
        let list = |column: &str| params::from_json::<Vec<String>>(&row, column);
        let deling = list("deling")?.into_iter().map(|i| (i, true));
        let others = list("others")?.into_iter().map(|i| (i, false));
        Ok(deling.chain(others).collect())
    }

    /// [`Store::list_follower_inboxes`] in two: the inboxes of followers
    /// that speak Deling, and the others'. An inbox shared by both (one
    /// server, two kinds of actor) counts as Deling's: a Deling server
    /// reads every form, a microblogging server is not behind it.
    pub async fn list_follower_inboxes_by_dialect(
        &self,
        agency_id: i64,
    ) -> Result<(Vec<String>, Vec<String>), StoreError> {
        Ok(by_dialect(self.follower_inbox_dialects(agency_id).await?))
    }

    /// [`Store::list_follower_inboxes_by_dialect`] and, beside the
    /// followers, every remote actor item `item_id` reached: those who
    /// liked or boosted it, those who commented on it, and the followers
    /// of every local agency that shared it, the shares taken back
    /// included (a share keeps its row). An edit or a withdrawal goes to
    /// them too, as Mastodon sends a status's `Update` and `Delete` to the
    /// accounts that boosted, favourited or answered it
    /// (`StatusReachFinder`): a server that has the item only through a
    /// boost (a Deling peer catalogues a followed agency's boost; a
    /// Mastodon server keeps the boosted status) would otherwise show it
    /// unchanged, and for ever. The Undo of a share does not take the
    /// item from them: it is the owner's Delete that does.
    pub async fn list_item_reach_inboxes_by_dialect(
        &self,
        agency_id: i64,
        item_id: i64,
    ) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let mut inboxes = self.follower_inbox_dialects(agency_id).await?;
        let mut p = Params::new(self.backend());
        let (reacted, commented, shared) = (p.push(item_id), p.push(item_id), p.push(item_id));
        let sql = format!(
            "SELECT DISTINCT COALESCE(r.shared_inbox, r.inbox) AS inbox, r.speaks_deling \
             FROM remote_actor r WHERE r.id IN \
             (SELECT remote_actor_id FROM reaction WHERE item_id = {reacted} \
              UNION SELECT author_remote_actor_id FROM comment \
              WHERE item_id = {commented} AND author_remote_actor_id IS NOT NULL \
              UNION SELECT f.remote_actor_id FROM share s \
              JOIN follower f ON f.agency_id = s.agency_id WHERE s.item_id = {shared})"
        );
        let rows = self
            .reader()
            .query_all_raw(Statement::from_sql_and_values(p.backend, sql, p.values))
            .await?;
        for row in rows {
            inboxes.push((
                row.try_get::<String>("", "inbox")?,
                row.try_get::<bool>("", "speaks_deling")?,
            ));
        }
        Ok(by_dialect(inboxes))
    }

    /// The inboxes (shared where they have one) of the actors `agency_id`
    /// follows or asked to follow: when the agency is withdrawn they hear
    /// of it too, and stop delivering to it.
    pub async fn list_following_inboxes(&self, agency_id: i64) -> Result<Vec<String>, StoreError> {
        let ids = sea_orm::sea_query::Query::select()
            .column(following::Column::RemoteActorId)
            .from(following::Entity)
            .and_where(following::Column::AgencyId.eq(agency_id))
            .to_owned();
        let actors = remote_actor::Entity::find()
            .filter(remote_actor::Column::Id.in_subquery(ids))
            .all(self.reader())
            .await?;
        let mut inboxes: Vec<String> = actors
            .into_iter()
            .map(|a| a.shared_inbox.unwrap_or(a.inbox))
            .collect();
        inboxes.sort();
        inboxes.dedup();
        Ok(inboxes)
    }

    /// Every distinct inbox (shared where there is one) that may hold
    /// anything of `agency_id`'s, for the `Delete` of its actor when it is
    /// withdrawn: its followers and those it follows, and beyond them
    /// whoever its items reached (those who liked, boosted, answered or
    /// declared reuse of them, and the followers of every local agency
    /// that shared one, shares taken back included), whoever its comments
    /// reached (the remote owners of the items they are on, the remote
    /// authors they answer, and those who answered them), and the remote
    /// actors who wrote to its staff inbox (its answers went to them).
    /// One statement, each inbox once, however many items and comments.
    pub async fn list_agency_reach_inboxes(
        &self,
        agency_id: i64,
    ) -> Result<Vec<String>, StoreError> {
        let mut p = Params::new(self.backend());
        let mut a = || p.push(agency_id);
        let (followers, followed, reacted, commented, reused, shared) =
            (a(), a(), a(), a(), a(), a());
        let (owners, parents, replies, messages) = (a(), a(), a(), a());
        let sql = format!(
            "SELECT DISTINCT COALESCE(r.shared_inbox, r.inbox) AS inbox \
             FROM remote_actor r WHERE r.id IN \
             (SELECT remote_actor_id FROM follower WHERE agency_id = {followers} \
              UNION SELECT remote_actor_id FROM following WHERE agency_id = {followed} \
              UNION SELECT x.remote_actor_id FROM reaction x \
              JOIN item i ON i.id = x.item_id WHERE i.agency_id = {reacted} \
              UNION SELECT c.author_remote_actor_id FROM comment c \
              JOIN item i ON i.id = c.item_id WHERE i.agency_id = {commented} \
              AND c.author_remote_actor_id IS NOT NULL \
              UNION SELECT u.remote_actor_id FROM reuse u \
              JOIN item i ON i.id = u.item_id WHERE i.agency_id = {reused} \
              AND u.remote_actor_id IS NOT NULL \
              UNION SELECT f.remote_actor_id FROM share s \
              JOIN item i ON i.id = s.item_id \
              JOIN follower f ON f.agency_id = s.agency_id WHERE i.agency_id = {shared} \
              UNION SELECT i.remote_actor_id FROM comment c \
              JOIN item i ON i.id = c.item_id WHERE c.author_agency_id = {owners} \
              AND i.remote_actor_id IS NOT NULL \
              UNION SELECT q.author_remote_actor_id FROM comment c \
              JOIN comment q ON q.id = c.in_reply_to_id WHERE c.author_agency_id = {parents} \
              AND q.author_remote_actor_id IS NOT NULL \
              UNION SELECT c.author_remote_actor_id FROM comment c \
              JOIN comment q ON q.id = c.in_reply_to_id WHERE q.author_agency_id = {replies} \
              AND c.author_remote_actor_id IS NOT NULL \
              UNION SELECT author_remote_actor_id FROM message WHERE agency_id = {messages} \
              AND author_remote_actor_id IS NOT NULL)"
        );
        let rows = self
            .reader()
            .query_all_raw(Statement::from_sql_and_values(p.backend, sql, p.values))
            .await?;
        let mut inboxes = rows
            .into_iter()
            .map(|row| row.try_get::<String>("", "inbox"))
            .collect::<Result<Vec<_>, _>>()?;
        inboxes.sort();
        inboxes.dedup();
        Ok(inboxes)
    }

    /// Records a Follow sent by `agency_id` and queues it (an outbox event
    /// of kind [`OutboxKind::Follow`]), in one transaction. A repeated
    /// Follow of the same actor replaces the old one.
    pub async fn put_following(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
        follow_ap_id: &str,
    ) -> Result<(), StoreError> {
        self.put_following_audited(agency_id, remote_actor_id, follow_ap_id, None)
            .await
    }

    /// [`Store::put_following`] with `audit`, if given, written in the
    /// same transaction.
    pub async fn put_following_audited(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
        follow_ap_id: &str,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let txn = self.begin().await?;
        upsert_following(&txn, agency_id, remote_actor_id, follow_ap_id).await?;
        queue_follow(&txn, agency_id, remote_actor_id, follow_ap_id).await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Sets the state of the Follow `agency_id` sent to `remote_actor_id`
    /// (matched by the Follow's id when given); `true` if one was found.
    pub async fn set_following_state(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
        follow_ap_id: Option<&str>,
        state: &str,
    ) -> Result<bool, StoreError> {
        use sea_orm::sea_query::Expr;
        let mut q = following::Entity::update_many()
            .col_expr(following::Column::State, Expr::value(state))
            .col_expr(
                following::Column::UpdatedAt,
                Expr::value(crate::records::now()),
            )
            .filter(following::Column::AgencyId.eq(agency_id))
            .filter(following::Column::RemoteActorId.eq(remote_actor_id));
        if let Some(id) = follow_ap_id {
            q = q.filter(following::Column::FollowApId.eq(id));
        }
        Ok(q.exec(self.db()).await?.rows_affected > 0)
    }

    /// Stops following and queues the Undo (an outbox event of kind
    /// [`OutboxKind::FollowUndo`] with id `undo_ap_id`), in one
    /// transaction; `false` if there was no Follow.
    pub async fn delete_following(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
        undo_ap_id: &str,
    ) -> Result<bool, StoreError> {
        self.delete_following_audited(agency_id, remote_actor_id, undo_ap_id, None)
            .await
    }

    /// [`Store::delete_following`] with `audit`, if given, written in the
    /// same transaction when there was a Follow to stop.
    pub async fn delete_following_audited(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
        undo_ap_id: &str,
        audit: Option<&Audit>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        let Some(row) = following::Entity::find()
            .filter(following::Column::AgencyId.eq(agency_id))
            .filter(following::Column::RemoteActorId.eq(remote_actor_id))
            .one(&txn)
            .await?
        else {
            return Ok(false);
        };
        following::Entity::delete_by_id(row.id).exec(&txn).await?;
        queue_undo(&txn, &row, undo_ap_id).await?;
        if let Some(audit) = audit {
            write_audit(&txn, audit).await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// The actors `agency_id` follows or asked to follow, newest first.
    pub async fn list_following(&self, agency_id: i64) -> Result<Vec<Following>, StoreError> {
        let rows = following::Entity::find()
            .filter(following::Column::AgencyId.eq(agency_id))
            .order_by_desc(following::Column::Id)
            .all(self.reader())
            .await?;
        let actors = remote_actor::Entity::find()
            .filter(
                remote_actor::Column::Id
                    .is_in(rows.iter().map(|r| r.remote_actor_id).collect::<Vec<_>>()),
            )
            .all(self.reader())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let actor = actors.iter().find(|a| a.id == r.remote_actor_id)?.clone();
                Some(Following {
                    actor,
                    state: r.state,
                    follow_ap_id: r.follow_ap_id,
                    created_at: r.created_at,
                })
            })
            .collect())
    }

    /// Whether `agency_id` follows (or asked to follow) `remote_actor_id`.
    pub async fn is_following(
        &self,
        agency_id: i64,
        remote_actor_id: i64,
    ) -> Result<bool, StoreError> {
        Ok(following::Entity::find()
            .filter(following::Column::AgencyId.eq(agency_id))
            .filter(following::Column::RemoteActorId.eq(remote_actor_id))
            .count(self.reader())
            .await?
            > 0)
    }

    /// Whether any local agency has an accepted Follow of `remote_actor_id`:
    /// only then do we take its items into the catalogue.
    pub async fn is_followed_by_any_agency(
        &self,
        remote_actor_id: i64,
    ) -> Result<bool, StoreError> {
        Ok(following::Entity::find()
            .filter(following::Column::RemoteActorId.eq(remote_actor_id))
            .filter(following::Column::State.eq(FOLLOWING_ACCEPTED))
            .filter(following::Column::AgencyId.in_subquery(live_agencies()))
            .count(self.reader())
            .await?
            > 0)
    }

    /// Which of `agency_ids` have an accepted Follow of `remote_actor_id`
    /// (and are not withdrawn): those among the actor's followers, whom
    /// a followers-only post of its reaches.
    pub async fn agencies_following(
        &self,
        remote_actor_id: i64,
        agency_ids: &[i64],
    ) -> Result<Vec<i64>, StoreError> {
        if agency_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(following::Entity::find()
            .filter(following::Column::RemoteActorId.eq(remote_actor_id))
            .filter(following::Column::State.eq(FOLLOWING_ACCEPTED))
            .filter(following::Column::AgencyId.is_in(agency_ids.iter().copied()))
            .filter(following::Column::AgencyId.in_subquery(live_agencies()))
            .all(self.reader())
            .await?
            .into_iter()
            .map(|f| f.agency_id)
            .collect())
    }
}

/// Inboxes split into those of actors that speak Deling and the others',
/// each once; an inbox shared by both kinds counts as Deling's.
fn by_dialect(inboxes: Vec<(String, bool)>) -> (Vec<String>, Vec<String>) {
    let mut deling = std::collections::BTreeSet::new();
    let mut others = std::collections::BTreeSet::new();
    for (inbox, speaks_deling) in inboxes {
        if speaks_deling {
            deling.insert(inbox);
        } else {
            others.insert(inbox);
        }
    }
    let others = others.difference(&deling).cloned().collect();
    (deling.into_iter().collect(), others)
}

/// The agencies not withdrawn: follows of withdrawn ones no longer count.
fn live_agencies() -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(crate::entities::agency::Column::Id)
        .from(crate::entities::agency::Entity)
        .and_where(crate::entities::agency::Column::DeletedAt.is_null())
        .to_owned()
}

impl Store {
    /// Ends the follow that the Follow `follow_ap_id` by `remote_actor_id`
    /// started; `true` if there was one.
    pub async fn delete_follower_by_follow_id(
        &self,
        remote_actor_id: i64,
        follow_ap_id: &str,
    ) -> Result<bool, StoreError> {
        let res = follower::Entity::delete_many()
            .filter(follower::Column::RemoteActorId.eq(remote_actor_id))
            .filter(follower::Column::FollowApId.eq(follow_ap_id))
            .exec(self.db())
            .await?;
        Ok(res.rows_affected > 0)
    }

    /// Sets the state of our Follow `follow_ap_id`, if `remote_actor_id` is
    /// the actor it was sent to; `true` if it matched.
    pub async fn set_following_state_by_follow_id(
        &self,
        follow_ap_id: &str,
        remote_actor_id: i64,
        state: &str,
    ) -> Result<bool, StoreError> {
        use sea_orm::sea_query::Expr;
        let res = following::Entity::update_many()
            .col_expr(following::Column::State, Expr::value(state))
            .col_expr(
                following::Column::UpdatedAt,
                Expr::value(crate::records::now()),
            )
            .filter(following::Column::FollowApId.eq(follow_ap_id))
            .filter(following::Column::RemoteActorId.eq(remote_actor_id))
            .exec(self.db())
            .await?;
        Ok(res.rows_affected > 0)
    }
}

/// Inserts the follower row, or gives an existing one the new Follow id.
pub(crate) async fn upsert_follower(
    db: &impl ConnectionTrait,
    agency_id: i64,
    remote_actor_id: i64,
    follow_ap_id: &str,
) -> Result<(), StoreError> {
    follower::Entity::insert(follower::ActiveModel {
        agency_id: Set(agency_id),
        remote_actor_id: Set(remote_actor_id),
        follow_ap_id: Set(follow_ap_id.to_owned()),
        created_at: Set(crate::records::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([follower::Column::AgencyId, follower::Column::RemoteActorId])
            .update_column(follower::Column::FollowApId)
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Records a pending Follow, replacing any earlier one of the same actor.
async fn upsert_following(
    db: &impl ConnectionTrait,
    agency_id: i64,
    remote_actor_id: i64,
    follow_ap_id: &str,
) -> Result<(), StoreError> {
    let t = crate::records::now();
    following::Entity::insert(following::ActiveModel {
        agency_id: Set(agency_id),
        remote_actor_id: Set(remote_actor_id),
        follow_ap_id: Set(follow_ap_id.to_owned()),
        state: Set(FOLLOWING_PENDING.to_owned()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            following::Column::AgencyId,
            following::Column::RemoteActorId,
        ])
        .update_columns([
            following::Column::FollowApId,
            following::Column::State,
            following::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Ends `remote_actor_id`'s follow of `agency_id`, if it follows, and
/// queues the `Reject` that tells its server, inside the caller's
/// transaction; `true` if it followed.
pub(crate) async fn reject_follower(
    db: &impl ConnectionTrait,
    agency_id: i64,
    remote_actor_id: i64,
) -> Result<bool, StoreError> {
    let Some(row) = follower::Entity::find()
        .filter(follower::Column::AgencyId.eq(agency_id))
        .filter(follower::Column::RemoteActorId.eq(remote_actor_id))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    follower::Entity::delete_by_id(row.id).exec(db).await?;
    queue_reject(db, agency_id, remote_actor_id, &row.follow_ap_id, None).await?;
    Ok(true)
}
