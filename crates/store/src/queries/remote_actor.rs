//! Actors on other servers: cached copies of their documents.

use crate::{
    Store, StoreError,
    entities::remote_actor,
    records::{RemoteActor, now},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, OnConflict},
};

/// What we keep of a remote actor document.
#[derive(Debug, Clone)]
pub struct RemoteActorData {
    /// Its id.
    pub ap_id: String,
    /// `Person`, `Organization`, `Service`, ...
    pub actor_type: String,
    /// Host (and port) of the id.
    pub domain: String,
    /// Username part of its handle.
    pub preferred_username: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Inbox.
    pub inbox: String,
    /// Shared inbox.
    pub shared_inbox: Option<String>,
    /// Profile page.
    pub url: Option<String>,
    /// Avatar.
    pub icon_url: Option<String>,
    /// Sanitised HTML description.
    pub summary_html: Option<String>,
    /// PEM public key.
    pub public_key_pem: Option<String>,
    /// Its followers collection, which tells a followers-only post from a
    /// direct one.
    pub followers: Option<String>,
    /// Its document declares Deling's namespace: it is sent items as
    /// `Page`s (everyone else gets a `Note`, which microblogging servers
    /// show well and apply edits to).
    pub speaks_deling: bool,
}

impl Store {
    /// Inserts or refreshes a remote actor by its id.
    pub async fn put_remote_actor(&self, d: RemoteActorData) -> Result<RemoteActor, StoreError> {
        let t = now();
        let ap_id = d.ap_id.clone();
        remote_actor::Entity::insert(remote_actor::ActiveModel {
            ap_id: Set(d.ap_id),
            actor_type: Set(d.actor_type),
            site: Set(deling_domain::site::site_of(&d.domain)),
            domain: Set(d.domain),
            preferred_username: Set(d.preferred_username),
            name: Set(d.name),
            inbox: Set(d.inbox),
            shared_inbox: Set(d.shared_inbox),
            url: Set(d.url),
            icon_url: Set(d.icon_url),
            summary_html: Set(d.summary_html),
            public_key_pem: Set(d.public_key_pem),
            followers: Set(d.followers),
            speaks_deling: Set(d.speaks_deling),
            fetched_at: Set(t),
            created_at: Set(t),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(remote_actor::Column::ApId)
                .update_columns([
                    remote_actor::Column::ActorType,
                    remote_actor::Column::Domain,
                    remote_actor::Column::Site,
                    remote_actor::Column::PreferredUsername,
                    remote_actor::Column::Name,
                    remote_actor::Column::Inbox,
                    remote_actor::Column::SharedInbox,
                    remote_actor::Column::Url,
                    remote_actor::Column::IconUrl,
                    remote_actor::Column::SummaryHtml,
                    remote_actor::Column::PublicKeyPem,
                    remote_actor::Column::Followers,
                    remote_actor::Column::SpeaksDeling,
                    remote_actor::Column::FetchedAt,
                ])
                .to_owned(),
        )
        .exec(self.db())
        .await?;
        self.get_remote_actor_by_ap_id(&ap_id)
            .await?
            .ok_or(StoreError::NotFound("remote actor"))
    }

    /// Gives up to `limit` hosts whose actors have no site yet (stored by
    /// an older binary while the migration that made the column ran)
    /// their site; returns how many hosts it did.
    pub async fn fill_missing_sites(&self, limit: u64) -> Result<u64, StoreError> {
        let hosts: Vec<String> = remote_actor::Entity::find()
            .select_only()
            .column(remote_actor::Column::Domain)
            .distinct()
            .filter(remote_actor::Column::Site.eq(""))
            .limit(limit)
            .into_tuple()
            .all(self.reader())
            .await?;
        for host in &hosts {
            remote_actor::Entity::update_many()
                .col_expr(
                    remote_actor::Column::Site,
                    Expr::value(deling_domain::site::site_of(host)),
                )
                .filter(remote_actor::Column::Domain.eq(host.as_str()))
                .filter(remote_actor::Column::Site.eq(""))
                .exec(self.db())
                .await?;
        }
        Ok(hosts.len() as u64)
    }

    /// Reads a remote actor by its ActivityPub id.
    pub async fn get_remote_actor_by_ap_id(
        &self,
        ap_id: &str,
    ) -> Result<Option<RemoteActor>, StoreError> {
        Ok(remote_actor::Entity::find()
            .filter(remote_actor::Column::ApId.eq(ap_id))
            .one(self.reader())
            .await?)
    }

    /// Reads a remote actor by row id.
    pub async fn get_remote_actor(&self, id: i64) -> Result<Option<RemoteActor>, StoreError> {
        Ok(remote_actor::Entity::find_by_id(id)
            .one(self.reader())
            .await?)
    }

    /// Forgets a remote actor (it deleted itself): its follows, items,
    /// comments and reactions go with it.
    pub async fn delete_remote_actor(&self, ap_id: &str) -> Result<bool, StoreError> {
        let txn = self.begin().await?;
        let Some(actor) = remote_actor::Entity::find()
            .filter(remote_actor::Column::ApId.eq(ap_id))
            .one(&txn)
            .await?
        else {
            return Ok(false);
        };
        // SQLite's FTS5 index knows no foreign keys: its entries go first.
        crate::queries::search::unindex_owner(&txn, None, Some(actor.id)).await?;
        let res = remote_actor::Entity::delete_many()
            .filter(remote_actor::Column::Id.eq(actor.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(res.rows_affected > 0)
    }
}

/// The row id of the remote actor `ap_id`, read on `db` (a transaction,
/// usually); `None` if it is not stored.
pub(crate) async fn remote_actor_id(
    db: &impl sea_orm::ConnectionTrait,
    ap_id: &str,
) -> Result<Option<i64>, StoreError> {
    use sea_orm::QuerySelect;
    Ok(remote_actor::Entity::find()
        .select_only()
        .column(remote_actor::Column::Id)
        .filter(remote_actor::Column::ApId.eq(ap_id))
        .into_tuple()
        .one(db)
        .await?)
}
