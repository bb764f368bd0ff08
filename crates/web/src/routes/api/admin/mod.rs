//! Instance administration, for instance administrators only: the state
//! of federation here, and the federation policy, reports and audit log in
//! the modules below. Policy changes go through
//! `deling_federation::policy::PolicyService`, which the command line uses
//! too.

pub mod actor_blocks;
pub mod audit;
pub mod domain_blocks;
pub mod reports;

use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpResponse, web};
use deling_federation::policy::{ChangedBy, PolicyService};
use serde::Serialize;
use utoipa::ToSchema;

/// A peer host whose deliveries are failing.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailingHost {
    /// Host (and port).
    pub host: String,
    /// Failures in a row.
    pub consecutive_failures: i32,
    /// Not tried again before this.
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Counted unreachable since.
    pub unreachable_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Last delivered to.
    pub last_success_at: Option<chrono::DateTime<chrono::Utc>>,
    /// What the last failure was.
    pub last_error: Option<String>,
}

/// A host that answers `401` to every signature of one of our agencies:
/// that agency's deliveries to it wait.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedSigner {
    /// Host (and port).
    pub host: String,
    /// The agency's slug; `null` for the instance actor.
    pub agency: Option<String>,
    /// Its deliveries there wait until this.
    pub until: chrono::DateTime<chrono::Utc>,
}

/// The federation queues.
#[derive(Debug, Serialize, ToSchema)]
pub struct FederationStatus {
    /// Deliveries waiting.
    pub pending_deliveries: u64,
    /// When the oldest waiting delivery was queued.
    pub oldest_pending: Option<chrono::DateTime<chrono::Utc>>,
    /// Deliveries made in the last week.
    pub done_deliveries: u64,
    /// Deliveries given up in the last week.
    pub failed_deliveries: u64,
    /// Incoming activities waiting to be processed.
    pub pending_inbox: u64,
    /// Incoming activities refused in the last day.
    pub failed_inbox: u64,
    /// Local changes not yet fanned out.
    pub pending_events: u64,
    /// Hosts whose last delivery failed, worst first.
    pub failing_hosts: Vec<FailingHost>,
    /// Hosts that refuse one of our agencies' signatures, by host.
    pub refused_signers: Vec<RefusedSigner>,
}

/// The state of federation, for instance administrators.
#[utoipa::path(get, operation_id = "getFederationStatus", path = "/api/v1/admin/federation", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = FederationStatus), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn federation(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    if !auth.staff.instance_admin {
        return Err(ApiError::Forbidden(
            "only instance administrators may see this".into(),
        ));
    }
    let s = state.store.queue_stats().await?;
    Ok(HttpResponse::Ok().json(FederationStatus {
        pending_deliveries: s.pending_deliveries,
        oldest_pending: s.oldest_pending,
        done_deliveries: s.done_deliveries,
        failed_deliveries: s.failed_deliveries,
        pending_inbox: s.pending_inbox,
        failed_inbox: s.failed_inbox,
        pending_events: s.pending_events,
        failing_hosts: s
            .failing_hosts
            .into_iter()
            .map(|h| FailingHost {
                host: h.host,
                consecutive_failures: h.consecutive_failures,
                next_attempt_at: h.next_attempt_at,
                unreachable_since: h.unreachable_since,
                last_success_at: h.last_success_at,
                last_error: h.last_error,
            })
            .collect(),
        refused_signers: s
            .refused_signers
            .into_iter()
            .map(|r| RefusedSigner {
                host: r.host,
                agency: r.agency,
                until: r.until,
            })
            .collect(),
    }))
}

/// A field the request got wrong.
pub(crate) fn invalid(field: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::Invalid(vec![deling_domain::FieldError::new(field, e)])
}

/// Refuses anyone but an instance administrator.
pub(crate) fn require_instance_admin(auth: &Authenticated) -> Result<(), ApiError> {
    if auth.staff.instance_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only instance administrators may do this".into(),
        ))
    }
}

/// The policy service for the instance, as changed by `staff` (through
/// the API or the staff pages).
pub(crate) fn policy_by<'a>(
    state: &'a AppState,
    staff: &'a deling_store::records::Staff,
) -> (PolicyService<'a>, ChangedBy<'a>) {
    (
        PolicyService::new(&state.store, &state.settings.domain),
        ChangedBy {
            staff_id: Some(staff.id),
            name: &staff.username,
        },
    )
}

/// Refuses `staff` unless an instance administrator (the shared
/// functions below check it themselves, whoever calls them).
fn instance_admin_only(staff: &deling_store::records::Staff) -> Result<(), ApiError> {
    if staff.instance_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only instance administrators may do this".into(),
        ))
    }
}

/// Writes an audit entry, by `staff`, for a change the store made on its
/// own (taken from a bearer token's or a web session's account alike).
pub(crate) async fn audit(
    state: &AppState,
    staff: &deling_store::records::Staff,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    state
        .store
        .put_audit(Some(staff.id), &staff.username, action, target, details)
        .await?;
    Ok(())
}
