//! The audit log: who did what to what, for every administrative and
//! moderation action.

use crate::{Store, StoreError, entities::audit_log, records::now};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// An audit entry.
pub type AuditEntry = audit_log::Model;

/// An entry for the audit log, handed to a store method so that it is
/// written in the same transaction as the change it records: there is no
/// change without its entry, and no entry for a change that did not happen.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    /// The staff member, if the action came through the API.
    pub staff_id: Option<i64>,
    /// Who: a username, or `cli` for the operator's command line.
    pub actor: String,
    /// What, as `object.verb` (`agency.update`).
    pub action: String,
    /// To what: a slug, an id, `user@agency`.
    pub target: String,
    /// Anything else worth keeping, as a JSON object.
    pub details: serde_json::Value,
    /// The agency it concerns, if one: its admins read it there.
    pub agency_id: Option<i64>,
}

impl Audit {
    /// An entry with empty details.
    pub fn new(staff_id: Option<i64>, actor: &str, action: &str, target: &str) -> Self {
        Self {
            staff_id,
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            details: serde_json::json!({}),
            agency_id: None,
        }
    }

    /// Files the entry under `agency_id`, the agency it concerns.
    pub fn for_agency(mut self, agency_id: i64) -> Self {
        self.agency_id = Some(agency_id);
        self
    }

    /// Adds `key` to the details.
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        if let Some(map) = self.details.as_object_mut() {
            map.insert(key.to_owned(), value.into());
        }
        self
    }
}

/// Writes `audit` on `db` (a transaction, usually).
pub(crate) async fn write_audit(
    db: &impl sea_orm::ConnectionTrait,
    audit: &Audit,
) -> Result<(), StoreError> {
    audit_log::ActiveModel {
        staff_id: Set(audit.staff_id),
        actor: Set(audit.actor.clone()),
        action: Set(audit.action.clone()),
        target: Set(audit.target.clone()),
        details: Set(audit.details.clone()),
        created_at: Set(now()),
        agency_id: Set(audit.agency_id),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Writes `audit` on `db` for a row made in the same transaction, whose id
/// the caller could not know: the id ends the entry's target (the caller
/// gives the target up to where the id goes, `oslo/items/`) and is kept
/// in its details under `key`.
pub(crate) async fn write_audit_of_new(
    db: &impl sea_orm::ConnectionTrait,
    audit: &Audit,
    key: &str,
    id: i64,
) -> Result<(), StoreError> {
    let mut audit = audit.clone().with(key, id);
    audit.target.push_str(&id.to_string());
    write_audit(db, &audit).await
}

impl Store {
    /// Records an action on its own. `actor` names who did it (a username,
    /// or `cli` for the operator's command line).
    pub async fn put_audit(
        &self,
        staff_id: Option<i64>,
        actor: &str,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut audit = Audit::new(staff_id, actor, action, target);
        audit.details = details;
        write_audit(self.db(), &audit).await
    }

    /// The newest entries first.
    pub async fn list_audit(&self, limit: u64, offset: u64) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(audit_log::Entity::find()
            .order_by_desc(audit_log::Column::Id)
            .offset(offset.min(i64::MAX as u64))
            .limit(limit)
            .all(self.reader())
            .await?)
    }

    /// The entries filed under `agency_id`, newest first.
    pub async fn list_agency_audit(
        &self,
        agency_id: i64,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(audit_log::Entity::find()
            .filter(audit_log::Column::AgencyId.eq(agency_id))
            .order_by_desc(audit_log::Column::Id)
            .offset(offset.min(i64::MAX as u64))
            .limit(limit)
            .all(self.reader())
            .await?)
    }
}
