//! Staff accounts and their roles in agencies.

use crate::{
    Store, StoreError,
    entities::{agency, membership, staff},
    error::conflict_on_unique,
    records::{Agency, Staff, now},
};
use deling_domain::auth::{Role, Username};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::OnConflict,
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
            .one(self.db())
            .await?)
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

    /// The role `staff_id` holds in `agency_id`, if any.
    pub async fn get_role(
        &self,
        staff_id: i64,
        agency_id: i64,
    ) -> Result<Option<Role>, StoreError> {
        let row = membership::Entity::find_by_id((staff_id, agency_id))
            .one(self.db())
            .await?;
        Ok(row.and_then(|m| m.role.parse().ok()))
    }

    /// The agencies `staff_id` works for, with the role in each.
    pub async fn list_memberships(&self, staff_id: i64) -> Result<Vec<(Agency, Role)>, StoreError> {
        let rows = membership::Entity::find()
            .filter(membership::Column::StaffId.eq(staff_id))
            .all(self.db())
            .await?;
        let ids: Vec<i64> = rows.iter().map(|m| m.agency_id).collect();
        let agencies = agency::Entity::find()
            .filter(agency::Column::Id.is_in(ids))
            .order_by_asc(agency::Column::Slug)
            .all(self.db())
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
