//! Staff accounts and their roles in agencies.

use crate::{
    Store, StoreError,
    entities::{agency, membership, staff},
    error::conflict_on_unique,
    records::{Agency, Staff, now},
};
use deling_domain::auth::{Role, Username};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, sea_query::OnConflict,
};

/// What [`Store::change_staff`] changes.
#[derive(Debug, Clone)]
pub enum StaffChange {
    /// The account can no longer log in, and its sessions and tokens stop.
    Disable,
    /// The account can log in again (its ended sessions stay ended).
    Enable,
    /// A new password hash; every session and token of the account ends.
    Password(String),
    /// Whether the account is an instance administrator.
    InstanceAdmin(bool),
}

/// What [`Store::change_staff`] did.
#[derive(Debug, Clone)]
pub struct StaffChanged {
    /// The account as it is now.
    pub staff: Staff,
    /// Web sessions ended.
    pub sessions_ended: u64,
    /// API tokens revoked.
    pub tokens_revoked: u64,
}

impl Store {
    /// Inserts a staff account; a taken username is a [`StoreError::Conflict`].
    pub async fn put_staff(
        &self,
        username: &Username,
        password_hash: String,
        instance_admin: bool,
    ) -> Result<Staff, StoreError> {
        staff::ActiveModel {
            username: Set(username.to_string()),
            password_hash: Set(password_hash),
            instance_admin: Set(instance_admin),
            created_at: Set(now()),
            disabled_at: Set(None),
            ..Default::default()
        }
        .insert(self.db())
        .await
        .map_err(|e| {
            conflict_on_unique(e, || {
                format!("the username {:?} is taken", username.as_str())
            })
        })
    }

    /// Reads a staff account by username.
    pub async fn get_staff_by_username(&self, username: &str) -> Result<Option<Staff>, StoreError> {
        Ok(staff::Entity::find()
            .filter(staff::Column::Username.eq(username))
            .one(self.reader())
            .await?)
    }

    /// Disables an account and ends its web sessions in one transaction:
    /// it can no longer log in, and its tokens stop working.
    pub async fn disable_staff(&self, staff_id: i64) -> Result<Staff, StoreError> {
        Ok(self
            .change_staff(staff_id, StaffChange::Disable, None)
            .await?
            .staff)
    }

    /// Changes a staff account and writes `audit` (if given), in one
    /// transaction. Disabling ends its web sessions (its tokens stop
    /// working with it: a token's owner is checked on every request); a
    /// new password ends its sessions and revokes its tokens, since
    /// whoever knew the old one may have made them.
    pub async fn change_staff(
        &self,
        staff_id: i64,
        change: StaffChange,
        audit: Option<crate::queries::audit::Audit>,
    ) -> Result<StaffChanged, StoreError> {
        use crate::entities::{api_token, web_session};
        let txn = self.begin().await?;
        let row = staff::Entity::find_by_id(staff_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("staff"))?;
        let mut row: staff::ActiveModel = row.into();
        let (end_sessions, revoke_tokens) = match change {
            StaffChange::Disable => {
                row.disabled_at = Set(Some(now()));
                (true, false)
            }
            StaffChange::Enable => {
                row.disabled_at = Set(None);
                (false, false)
            }
            StaffChange::Password(hash) => {
                row.password_hash = Set(hash);
                (true, true)
            }
            StaffChange::InstanceAdmin(on) => {
                row.instance_admin = Set(on);
                (false, false)
            }
        };
        let staff = row.update(&txn).await?;
        let mut sessions_ended = 0;
        if end_sessions {
            sessions_ended = web_session::Entity::delete_many()
                .filter(web_session::Column::StaffId.eq(staff_id))
                .exec(&txn)
                .await?
                .rows_affected;
        }
        let mut tokens_revoked = 0;
        if revoke_tokens {
            tokens_revoked = api_token::Entity::update_many()
                .col_expr(
                    api_token::Column::RevokedAt,
                    sea_orm::sea_query::Expr::value(Some(now())),
                )
                .filter(api_token::Column::StaffId.eq(staff_id))
                .filter(api_token::Column::RevokedAt.is_null())
                .exec(&txn)
                .await?
                .rows_affected;
        }
        if let Some(audit) = audit {
            crate::queries::audit::write_audit(&txn, &audit).await?;
        }
        txn.commit().await?;
        Ok(StaffChanged {
            staff,
            sessions_ended,
            tokens_revoked,
        })
    }

    /// Gives `staff_id` the `role` in `agency_id`, replacing any role held.
    pub async fn put_membership(
        &self,
        staff_id: i64,
        agency_id: i64,
        role: Role,
    ) -> Result<(), StoreError> {
        membership::Entity::insert(membership::ActiveModel {
            staff_id: Set(staff_id),
            agency_id: Set(agency_id),
            role: Set(role.as_str().to_owned()),
            created_at: Set(now()),
        })
        .on_conflict(
            OnConflict::columns([membership::Column::StaffId, membership::Column::AgencyId])
                .update_column(membership::Column::Role)
                .to_owned(),
        )
        .exec(self.db())
        .await?;
        Ok(())
    }

    /// The staff of an agency with their roles, by username.
    pub async fn list_agency_members(
        &self,
        agency_id: i64,
    ) -> Result<Vec<(Staff, Role)>, StoreError> {
        let rows = membership::Entity::find()
            .filter(membership::Column::AgencyId.eq(agency_id))
            .all(self.reader())
            .await?;
        let ids: Vec<i64> = rows.iter().map(|m| m.staff_id).collect();
        let staff = staff::Entity::find()
            .filter(staff::Column::Id.is_in(ids))
            .order_by_asc(staff::Column::Username)
            .all(self.reader())
            .await?;
        Ok(staff
            .into_iter()
            .filter_map(|s| {
                let role = rows
                    .iter()
                    .find(|m| m.staff_id == s.id)?
                    .role
                    .parse()
                    .ok()?;
                Some((s, role))
            })
            .collect())
    }

    /// Sets (`Some`) or removes (`None`) the role of `staff_id` in
    /// `agency_id`. With `keep_an_admin`, a change that would leave the
    /// agency without any admin is a [`StoreError::Conflict`] and changes
    /// nothing. Returns the role held before. `audit`, if given, is written
    /// with the change when there is one, its details completed with
    /// `role` (if any) and `before`.
    pub async fn set_member_role(
        &self,
        agency_id: i64,
        staff_id: i64,
        role: Option<Role>,
        keep_an_admin: bool,
        audit: Option<crate::queries::audit::Audit>,
    ) -> Result<Option<Role>, StoreError> {
        let txn = self.begin().await?;
        // Two admins demoting each other at once must not both see the
        // other as the one who stays.
        crate::queries::agency::lock_agency(&txn, self.backend(), agency_id).await?;
        let before: Option<Role> = membership::Entity::find_by_id((staff_id, agency_id))
            .one(&txn)
            .await?
            .and_then(|m| m.role.parse().ok());
        if keep_an_admin && before == Some(Role::Admin) && role != Some(Role::Admin) {
            let other_admins = membership::Entity::find()
                .filter(membership::Column::AgencyId.eq(agency_id))
                .filter(membership::Column::Role.eq(Role::Admin.as_str()))
                .filter(membership::Column::StaffId.ne(staff_id))
                .count(&txn)
                .await?;
            if other_admins == 0 {
                return Err(StoreError::Conflict(
                    "this is the agency's last admin; make someone else admin first".into(),
                ));
            }
        }
        match role {
            Some(role) => {
                membership::Entity::insert(membership::ActiveModel {
                    staff_id: Set(staff_id),
                    agency_id: Set(agency_id),
                    role: Set(role.as_str().to_owned()),
                    created_at: Set(now()),
                })
                .on_conflict(
                    OnConflict::columns([
                        membership::Column::StaffId,
                        membership::Column::AgencyId,
                    ])
                    .update_column(membership::Column::Role)
                    .to_owned(),
                )
                .exec(&txn)
                .await?;
            }
            None => {
                membership::Entity::delete_by_id((staff_id, agency_id))
                    .exec(&txn)
                    .await?;
            }
        }
        if let Some(audit) = audit
            && before != role
        {
            let mut audit = audit.with("before", before.map(|r| r.as_str()));
            if let Some(r) = role {
                audit = audit.with("role", r.as_str());
            }
            crate::queries::audit::write_audit(&txn, &audit).await?;
        }
        txn.commit().await?;
        Ok(before)
    }

    /// The role `staff_id` holds in `agency_id`, if any.
    pub async fn get_role(
        &self,
        staff_id: i64,
        agency_id: i64,
    ) -> Result<Option<Role>, StoreError> {
        let row = membership::Entity::find_by_id((staff_id, agency_id))
            .one(self.reader())
            .await?;
        Ok(row.and_then(|m| m.role.parse().ok()))
    }

    /// The agencies `staff_id` works for, with the role in each.
    pub async fn list_memberships(&self, staff_id: i64) -> Result<Vec<(Agency, Role)>, StoreError> {
        let rows = membership::Entity::find()
            .filter(membership::Column::StaffId.eq(staff_id))
            .all(self.reader())
            .await?;
        let ids: Vec<i64> = rows.iter().map(|m| m.agency_id).collect();
        let agencies = agency::Entity::find()
            .filter(agency::Column::Id.is_in(ids))
            .order_by_asc(agency::Column::Slug)
            .all(self.reader())
            .await?;
        Ok(agencies
            .into_iter()
            .filter_map(|a| {
                let role = rows
                    .iter()
                    .find(|m| m.agency_id == a.id)?
                    .role
                    .parse()
                    .ok()?;
                Some((a, role))
            })
            .collect())
    }
}
