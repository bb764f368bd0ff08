//! Delivery health per peer host. A retryable failure makes the host wait
//! until its probe delivery's next attempt; a success, or any activity
//! arriving from the host, makes it reachable again at once.

use crate::{
    Store, StoreError,
    entities::{
        delivery::{self, STATUS_PENDING},
        host_state, signer_wait,
    },
    queries::params::{self, Params},
    records::now,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
    sea_query::{Expr, OnConflict},
};
use std::collections::HashMap;

/// A host's delivery health.
pub type HostState = host_state::Model;

/// `signature_style` of a host that took an RFC 9421 signature.
pub const SIGNATURE_RFC9421: &str = "rfc9421";
/// `signature_style` of a host that refused RFC 9421 and took draft-cavage.
pub const SIGNATURE_CAVAGE: &str = "cavage";

/// Where a host stands for a fan-out: which of an activity's inboxes
/// are sent to first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HostStanding {
    /// Its last delivery was taken.
    Answering,
    /// Never delivered to (or never successfully, and not failing now).
    Unknown,
    /// Its last delivery failed.
    Failing,
}

/// Failures in a row after which a host counts as unreachable.
pub const UNREACHABLE_AFTER: i32 = 5;

/// A host's row after a success at `t`: healthy, its failures forgotten.
pub(crate) fn healthy(host: &str, t: DateTime<Utc>) -> host_state::ActiveModel {
    host_state::ActiveModel {
        host: Set(host.to_owned()),
        consecutive_failures: Set(0),
        next_attempt_at: Set(None),
        unreachable_since: Set(None),
        last_success_at: Set(Some(t)),
        last_failure_at: Set(None),
        last_error: Set(None),
        signature_style: Set(None),
        signature_style_at: Set(None),
    }
}

/// On an existing row, a success resets the failure count and backoff and
/// keeps the rest (the last error, the signature style learnt).
pub(crate) fn on_success() -> OnConflict {
    OnConflict::column(host_state::Column::Host)
        .update_columns([
            host_state::Column::ConsecutiveFailures,
            host_state::Column::NextAttemptAt,
            host_state::Column::UnreachableSince,
            host_state::Column::LastSuccessAt,
        ])
        .to_owned()
}

impl Store {
    /// Records a successful delivery to `host`.
    pub async fn put_host_success(&self, host: &str) -> Result<(), StoreError> {
        host_state::Entity::insert(healthy(host, now()))
            .on_conflict(on_success())
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Records a retryable failure: `host` is not tried again before `next`,
    /// and pending deliveries to it that were due earlier move to `next`
    /// (without counting an attempt), so one probe goes first.
    pub async fn put_host_failure(
        &self,
        host: &str,
        error: &str,
        next: DateTime<Utc>,
    ) -> Result<HostState, StoreError> {
        let t = now();
        let existing = host_state::Entity::find_by_id(host.to_owned())
            .one(self.db())
            .await?;
        let failures = existing.as_ref().map_or(0, |h| h.consecutive_failures) + 1;
        let unreachable_since = match existing.as_ref().and_then(|h| h.unreachable_since) {
            Some(since) => Some(since),
            None if failures >= UNREACHABLE_AFTER => Some(t),
            None => None,
        };
        let row = host_state::ActiveModel {
            host: Set(host.to_owned()),
            consecutive_failures: Set(failures),
            next_attempt_at: Set(Some(next)),
            unreachable_since: Set(unreachable_since),
            last_success_at: Set(existing.as_ref().and_then(|h| h.last_success_at)),
            last_failure_at: Set(Some(t)),
            last_error: Set(Some(error.chars().take(1000).collect())),
            signature_style: Set(existing.as_ref().and_then(|h| h.signature_style.clone())),
            signature_style_at: Set(existing.as_ref().and_then(|h| h.signature_style_at)),
        };
        host_state::Entity::insert(row)
            .on_conflict(
                OnConflict::column(host_state::Column::Host)
                    .update_columns([
                        host_state::Column::ConsecutiveFailures,
                        host_state::Column::NextAttemptAt,
                        host_state::Column::UnreachableSince,
                        host_state::Column::LastFailureAt,
                        host_state::Column::LastError,
                    ])
                    .to_owned(),
            )
            .exec(self.db())
            .await?;
        delivery::Entity::update_many()
            .col_expr(delivery::Column::NextAttemptAt, Expr::value(next))
            .filter(delivery::Column::Host.eq(host))
            .filter(delivery::Column::Status.eq(STATUS_PENDING))
            .filter(delivery::Column::NextAttemptAt.lt(next))
            .exec(self.db())
            .await?;
        host_state::Entity::find_by_id(host.to_owned())
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("host state"))
    }

    /// `host` showed signs of life (it sent us an activity): if it was
    /// waiting out failures, its pending deliveries become due now, but
    /// for those of a signer it refuses (`signer_wait`).
    pub async fn put_host_alive(&self, host: &str) -> Result<bool, StoreError> {
        let Some(state) = host_state::Entity::find_by_id(host.to_owned())
            .one(self.db())
            .await?
        else {
            return Ok(false);
        };
        if state.consecutive_failures == 0 {
            return Ok(false);
        }
        let t = now();
        host_state::Entity::update_many()
            .col_expr(host_state::Column::ConsecutiveFailures, Expr::value(0))
            .col_expr(
                host_state::Column::NextAttemptAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                host_state::Column::UnreachableSince,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(host_state::Column::Host.eq(host))
            .exec(self.db())
            .await?;
        // Not the deliveries of a signer the host refuses: that it is up
        // says nothing of whether it can fetch that signer's key.
        let refused = signer_wait::Entity::find()
            .filter(signer_wait::Column::Host.eq(host))
            .filter(signer_wait::Column::NextAttemptAt.gt(t))
            .all(self.db())
            .await?;
        let mut others = Condition::all();
        for wait in refused {
            others = others.add(match wait.signer {
                0 => Condition::all().add(delivery::Column::AgencyId.is_not_null()),
                agency => Condition::any()
                    .add(delivery::Column::AgencyId.ne(agency))
                    .add(delivery::Column::AgencyId.is_null()),
            });
        }
        delivery::Entity::update_many()
            .col_expr(delivery::Column::NextAttemptAt, Expr::value(t))
            .filter(delivery::Column::Host.eq(host))
            .filter(delivery::Column::Status.eq(STATUS_PENDING))
            .filter(delivery::Column::NextAttemptAt.gt(t))
            .filter(others)
            .exec(self.db())
            .await?;
        Ok(true)
    }

    /// Hosts with failures, worst first (for the operator).
    pub async fn list_failing_hosts(&self) -> Result<Vec<HostState>, StoreError> {
        Ok(host_state::Entity::find()
            .filter(host_state::Column::ConsecutiveFailures.gt(0))
            .order_by_desc(host_state::Column::ConsecutiveFailures)
            .all(self.reader())
            .await?)
    }

    /// [`HostStanding`] of each of `hosts` that has delivery history
    /// (the others are [`HostStanding::Unknown`]), in one read.
    pub async fn get_host_standings(
        &self,
        hosts: &[impl AsRef<str>],
    ) -> Result<HashMap<String, HostStanding>, StoreError> {
        if hosts.is_empty() {
            return Ok(HashMap::new());
        }
        // One row carrying a JSON array of [host, standing] (see
        // `params::json_agg`): a fan-out asks this for a thousand hosts,
        // and each claim for its hosts.
        let mut p = Params::new(self.backend());
        let list = p.push(params::json_list(hosts));
        let standing = "CASE WHEN consecutive_failures > 0 THEN 'failing' \
                        WHEN last_success_at IS NOT NULL THEN 'answering' ELSE 'unknown' END";
        let sql = format!(
            "SELECT {} AS standings FROM host_state WHERE {}",
            params::json_agg(
                p.backend,
                &params::json_tuple(p.backend, &["host", standing]),
                None
            ),
            params::in_json(p.backend, "host", &list, false),
        );
        let statement = Statement::from_sql_and_values(p.backend, sql, p.values);
        let rows: Vec<(String, String)> =
            params::json_rows(self.reader(), statement, "standings").await?;
        Ok(rows
            .into_iter()
            .map(|(host, standing)| {
                let standing = match standing.as_str() {
                    "failing" => HostStanding::Failing,
                    "answering" => HostStanding::Answering,
                    _ => HostStanding::Unknown,
                };
                (host, standing)
            })
            .collect())
    }

    /// One host's state.
    pub async fn get_host_state(&self, host: &str) -> Result<Option<HostState>, StoreError> {
        Ok(host_state::Entity::find_by_id(host.to_owned())
            .one(self.reader())
            .await?)
    }

    /// The HTTP signature style `host` last took (one of
    /// [`SIGNATURE_RFC9421`], [`SIGNATURE_CAVAGE`]) and when that was
    /// learnt; `None` for a host not delivered to yet.
    pub async fn get_host_signature_style(
        &self,
        host: &str,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        Ok(host_state::Entity::find_by_id(host.to_owned())
            .one(self.reader())
            .await?
            .and_then(|h| Some((h.signature_style?, h.signature_style_at?))))
    }

    /// [`Store::get_host_signature_style`] of each of `hosts` that has one
    /// (hosts missing from the answer have none), in one read: a claim of
    /// deliveries to many hosts asks once.
    pub async fn get_host_signature_styles(
        &self,
        hosts: &[String],
    ) -> Result<HashMap<String, (String, DateTime<Utc>)>, StoreError> {
        if hosts.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(String, Option<String>, Option<DateTime<Utc>>)> = host_state::Entity::find()
            .select_only()
            .column(host_state::Column::Host)
            .column(host_state::Column::SignatureStyle)
            .column(host_state::Column::SignatureStyleAt)
            .filter(params::in_list(self.backend(), "host", hosts, false))
            .filter(host_state::Column::SignatureStyle.is_not_null())
            .into_tuple()
            .all(self.reader())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(host, style, at)| Some((host, (style?, at?))))
            .collect())
    }

    /// Records that `host` took a request signed in `style`, leaving its
    /// delivery health as it was.
    pub async fn put_host_signature_style(
        &self,
        host: &str,
        style: &str,
    ) -> Result<(), StoreError> {
        let t = now();
        host_state::Entity::insert(host_state::ActiveModel {
            host: Set(host.to_owned()),
            consecutive_failures: Set(0),
            next_attempt_at: Set(None),
            unreachable_since: Set(None),
            last_success_at: Set(None),
            last_failure_at: Set(None),
            last_error: Set(None),
            signature_style: Set(Some(style.to_owned())),
            signature_style_at: Set(Some(t)),
        })
        .on_conflict(
            OnConflict::column(host_state::Column::Host)
                .update_columns([
                    host_state::Column::SignatureStyle,
                    host_state::Column::SignatureStyleAt,
                ])
                .to_owned(),
        )
        .exec(self.db())
        .await?;
        Ok(())
    }
}
