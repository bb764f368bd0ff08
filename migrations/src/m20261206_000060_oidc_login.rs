//! Single sign-on logins under way: between sending a visitor to the
//! OpenID Connect provider and its answer, the PKCE verifier, the nonce
//! and where to go afterwards are kept here, so that whichever server
//! process receives the answer can finish the login. Only a hash of the
//! `state` value (also held in the visitor's cookie) is stored; a row is
//! deleted when it is used, so an answer cannot be replayed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("oidc_login")
                .col(big_pk_auto("id"))
                .col(string_uniq("state_hash"))
                .col(string("pkce_verifier"))
                .col(string("nonce"))
                .col(string("next"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_oidc_login_expires_at")
                .table("oidc_login")
                .col("expires_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("oidc_login").take()).await
    }
}
