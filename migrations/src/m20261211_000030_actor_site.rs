//! `remote_actor.site`: the registrable domain of the actor's host
//! (`deling_domain::site::site_of`), indexed, so that the caps on one
//! server's followers of an agency count a party's many host names as one
//! (`a1.example.org`, `a2.example.org`, ... under one wildcard record).
//! Existing rows get theirs here, one statement per distinct host.

use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "remote_actor";
const INDEX: &str = "idx_remote_actor_site";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(TABLE)
                .add_column(string("site").default(""))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        let backend = m.get_database_backend();
        let hosts = db
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT DISTINCT domain FROM {TABLE}"),
            ))
            .await?;
        for row in hosts {
            let domain: String = row.try_get("", "domain")?;
            let update = Query::update()
                .table(TABLE)
                .value("site", deling_domain::site::site_of(&domain))
                .and_where(Expr::col("domain").eq(domain))
                .to_owned();
            db.execute_raw(backend.build(&update)).await?;
        }
        m.create_index(Index::create().name(INDEX).table(TABLE).col("site").take())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table(TABLE).to_owned())
            .await?;
        m.alter_table(Table::alter().table(TABLE).drop_column("site").take())
            .await
    }
}
