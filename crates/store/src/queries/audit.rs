//! The audit log: who did what to what, for every administrative and
//! moderation action.

use crate::{Store, StoreError, entities::audit_log, records::now};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder, QuerySelect};

/// An audit entry.
pub type AuditEntry = audit_log::Model;

impl Store {
    /// Records an action. `actor` names who did it (a username, or `cli`
    /// for the operator's command line).
    pub async fn put_audit(
        &self,
        staff_id: Option<i64>,
        actor: &str,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<(), StoreError> {
        audit_log::ActiveModel {
            staff_id: Set(staff_id),
            actor: Set(actor.to_owned()),
            action: Set(action.to_owned()),
            target: Set(target.to_owned()),
            details: Set(details),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(self.db())
        .await?;
        Ok(())
    }

    /// The newest entries first.
    pub async fn list_audit(&self, limit: u64, offset: u64) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(audit_log::Entity::find()
            .order_by_desc(audit_log::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(self.db())
            .await?)
    }
}
