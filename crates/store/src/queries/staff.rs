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
        let txn = self.begin().await?;
        let row = staff::Entity::find_by_id(staff_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("staff"))?;
        let mut row: staff::ActiveModel = row.into();
        row.disabled_at = Set(Some(now()));
        let row = row.update(&txn).await?;
        crate::entities::web_session::Entity::delete_many()
            .filter(crate::entities::web_session::Column::StaffId.eq(staff_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(row)
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
