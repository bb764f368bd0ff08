//! Reports (`Flag`) received from peers: the moderation queue.

use crate::{Store, StoreError, entities::report, records::now};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TryInsertResult,
    sea_query::{Alias, Expr, ExprTrait as _, Func},
};

/// A stored report.
pub type Report = report::Model;

/// Waiting for a moderator.
pub const REPORT_OPEN: &str = "open";
/// Dealt with.
pub const REPORT_RESOLVED: &str = "resolved";

/// What became of a received report: see [`Store::put_report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportPut {
    /// Stored, in the queue.
    Stored,
    /// The same reporter's report with this id is stored already.
    Repeat,
    /// Another reporter's report holds the id; nothing was stored.
    IdTaken,
}

impl Store {
    /// Stores a report; a repeated id by the same reporter is ignored. An
    /// id is unique alone, so one that another reporter's report already
    /// holds (ids are predictable: anyone on a server can send one of
    /// another account's first) stores nothing, and says so.
    pub async fn put_report(
        &self,
        ap_id: &str,
        reporter: &str,
        content: &str,
        objects: Vec<String>,
    ) -> Result<ReportPut, StoreError> {
        let res = report::Entity::insert(report::ActiveModel {
            ap_id: Set(ap_id.to_owned()),
            reporter: Set(reporter.to_owned()),
            content: Set(content.to_owned()),
            objects: Set(serde_json::json!(objects)),
            status: Set(REPORT_OPEN.to_owned()),
            created_at: Set(now()),
            resolved_at: Set(None),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([report::Column::ApId])
        .exec(self.db())
        .await?;
        if matches!(res, TryInsertResult::Inserted(_)) {
            return Ok(ReportPut::Stored);
        }
        let held = report::Entity::find()
            .filter(report::Column::ApId.eq(ap_id))
            .one(self.db())
            .await?;
        Ok(match held {
            Some(r) if r.reporter != reporter => ReportPut::IdTaken,
            _ => ReportPut::Repeat,
        })
    }

    /// How many open reports came from actors on `host` (an authority,
    /// `host` or `host:port`), counting no further than `stop_at`.
    pub async fn count_open_reports_from_host(
        &self,
        host: &str,
        stop_at: u64,
    ) -> Result<u64, StoreError> {
        // A prefix compared as such: `LIKE` would read `_` in the host as
        // a wildcard.
        let on_host = ["http", "https"]
            .map(|scheme| format!("{scheme}://{host}/"))
            .into_iter()
            .fold(Condition::any(), |any, prefix| {
                // An `integer`: PostgreSQL has no `substr` taking a `bigint`.
                let len = i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX);
                any.add(
                    Expr::expr(
                        Func::cust(Alias::new("substr"))
                            .arg(Expr::col(report::Column::Reporter))
                            .arg(1)
                            .arg(len),
                    )
                    .eq(prefix),
                )
            });
        let ids: Vec<i64> = report::Entity::find()
            .select_only()
            .column(report::Column::Id)
            .filter(report::Column::Status.eq(REPORT_OPEN))
            .filter(on_host)
            .limit(stop_at)
            .into_tuple()
            .all(self.reader())
            .await?;
        Ok(ids.len() as u64)
    }

    /// Reports (only open ones if `only_open`), newest first: at most
    /// `limit`, older than report `before` if given. Always a page: a peer
    /// may file many reports, and no list of them should read them all.
    pub async fn list_reports(
        &self,
        only_open: bool,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Report>, StoreError> {
        let mut q = report::Entity::find();
        if only_open {
            q = q.filter(report::Column::Status.eq(REPORT_OPEN));
        }
        if let Some(before) = before {
            q = q.filter(report::Column::Id.lt(before));
        }
        Ok(q.order_by_desc(report::Column::Id)
            .limit(limit)
            .all(self.reader())
            .await?)
    }

    /// Marks a report resolved; `false` if there is no such report.
    pub async fn resolve_report(&self, id: i64) -> Result<bool, StoreError> {
        Ok(report::Entity::update_many()
            .col_expr(report::Column::Status, Expr::value(REPORT_RESOLVED))
            .col_expr(report::Column::ResolvedAt, Expr::value(Some(now())))
            .filter(report::Column::Id.eq(id))
            .exec(self.db())
            .await?
            .rows_affected
            > 0)
    }
}
