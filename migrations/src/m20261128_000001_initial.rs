//! The first schema: instance, agencies, staff, tokens, remote actors, shared
//! items with tags and links, comments, reactions and reuse.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Creates a table, its columns given by `cols`.
fn table(name: &'static str, cols: Vec<ColumnDef>) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(name);
    for mut c in cols {
        t.col(&mut c);
    }
    t.take()
}

fn fk(
    from: &'static str,
    col: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_{col}"))
        .from(from, col)
        .to(to, "id")
        .on_delete(on_delete)
        .take()
}

fn index(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("idx_{table}_{}", cols.join("_")))
        .table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.take()
}

/// Tables in creation order; dropped in reverse.
const TABLES: [&str; 12] = [
    "instance",
    "agency",
    "remote_actor",
    "staff",
    "membership",
    "api_token",
    "item",
    "item_tag",
    "item_link",
    "comment",
    "reaction",
    "reuse",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};

        m.create_table(table(
            "instance",
            vec![
                big_pk_auto("id"),
                string("domain"),
                string("name"),
                text("public_key_pem"),
                text("private_key_pem"),
                timestamp_with_time_zone("created_at"),
            ],
        ))
        .await?;

        m.create_table(table(
            "agency",
            vec![
                big_pk_auto("id"),
                string_uniq("slug"),
                string("name"),
                text("summary"),
                text("summary_html"),
                string_null("icon_url"),
                string_null("website"),
                string_null("org_number"),
                text("public_key_pem"),
                text("private_key_pem"),
                timestamp_with_time_zone("created_at"),
                timestamp_with_time_zone("updated_at"),
                timestamp_with_time_zone_null("deleted_at"),
            ],
        ))
        .await?;

        m.create_table(table(
            "remote_actor",
            vec![
                big_pk_auto("id"),
                string_uniq("ap_id"),
                string("actor_type"),
                string("domain"),
                string_null("preferred_username"),
                string_null("name"),
                string("inbox"),
                string_null("shared_inbox"),
                string_null("url"),
                string_null("icon_url"),
                text_null("summary_html"),
                text_null("public_key_pem"),
                timestamp_with_time_zone("fetched_at"),
                timestamp_with_time_zone("created_at"),
            ],
        ))
        .await?;
        m.create_index(index("remote_actor", &["domain"], false))
            .await?;

        m.create_table(table(
            "staff",
            vec![
                big_pk_auto("id"),
                string_uniq("username"),
                string("password_hash"),
                boolean("instance_admin"),
                timestamp_with_time_zone("created_at"),
                timestamp_with_time_zone_null("disabled_at"),
            ],
        ))
        .await?;

        let mut membership = table(
            "membership",
            vec![
                big_integer("staff_id"),
                big_integer("agency_id"),
                string("role"),
                timestamp_with_time_zone("created_at"),
            ],
        );
        membership
            .primary_key(Index::create().col("staff_id").col("agency_id"))
            .foreign_key(&mut fk("membership", "staff_id", "staff", Cascade))
            .foreign_key(&mut fk("membership", "agency_id", "agency", Cascade));
        m.create_table(membership).await?;
        m.create_index(index("membership", &["agency_id"], false))
            .await?;

        let mut token = table(
            "api_token",
            vec![
                big_pk_auto("id"),
                big_integer("staff_id"),
                string_uniq("token_hash"),
                string_null("label"),
                timestamp_with_time_zone("created_at"),
                timestamp_with_time_zone_null("last_used_at"),
                timestamp_with_time_zone_null("expires_at"),
                timestamp_with_time_zone_null("revoked_at"),
            ],
        );
        token.foreign_key(&mut fk("api_token", "staff_id", "staff", Cascade));
        m.create_table(token).await?;
        m.create_index(index("api_token", &["staff_id"], false))
            .await?;

        // One table for local and remote items: local ones have agency_id and
        // their ActivityPub id is derived from the instance's domain; remote
        // ones have remote_actor_id and the id their origin gave them.
        let mut item = table(
            "item",
            vec![
                big_pk_auto("id"),
                string_null("ap_id"),
                big_integer_null("agency_id"),
                big_integer_null("remote_actor_id"),
                string("kind"),
                string("title"),
                text("summary"),
                text("body"),
                text("body_html"),
                string("language"),
                string_null("license"),
                json("metadata"),
                string_null("based_on"),
                string_null("url"),
                timestamp_with_time_zone("published_at"),
                timestamp_with_time_zone("updated_at"),
                timestamp_with_time_zone_null("deleted_at"),
            ],
        );
        item.foreign_key(&mut fk("item", "agency_id", "agency", Cascade))
            .foreign_key(&mut fk("item", "remote_actor_id", "remote_actor", Cascade));
        m.create_table(item).await?;
        m.create_index(index("item", &["ap_id"], true)).await?;
        m.create_index(index("item", &["agency_id", "published_at"], false))
            .await?;
        m.create_index(index("item", &["remote_actor_id", "published_at"], false))
            .await?;
        m.create_index(index("item", &["published_at"], false))
            .await?;

        let mut tag = table("item_tag", vec![big_integer("item_id"), string("tag")]);
        tag.primary_key(Index::create().col("item_id").col("tag"))
            .foreign_key(&mut fk("item_tag", "item_id", "item", Cascade));
        m.create_table(tag).await?;
        m.create_index(index("item_tag", &["tag"], false)).await?;

        let mut link = table(
            "item_link",
            vec![
                big_pk_auto("id"),
                big_integer("item_id"),
                integer("position"),
                string("href"),
                string_null("title"),
                string_null("media_type"),
            ],
        );
        link.foreign_key(&mut fk("item_link", "item_id", "item", Cascade));
        m.create_table(link).await?;
        m.create_index(index("item_link", &["item_id", "position"], false))
            .await?;

        let mut comment = table(
            "comment",
            vec![
                big_pk_auto("id"),
                string_null("ap_id"),
                big_integer("item_id"),
                big_integer_null("in_reply_to_id"),
                big_integer_null("author_agency_id"),
                big_integer_null("author_remote_actor_id"),
                text_null("content_source"),
                text("content_html"),
                string_null("language"),
                timestamp_with_time_zone("published_at"),
                timestamp_with_time_zone_null("updated_at"),
                timestamp_with_time_zone_null("deleted_at"),
                timestamp_with_time_zone_null("hidden_at"),
            ],
        );
        comment
            .foreign_key(&mut fk("comment", "item_id", "item", Cascade))
            .foreign_key(&mut fk("comment", "in_reply_to_id", "comment", SetNull))
            .foreign_key(&mut fk("comment", "author_agency_id", "agency", Cascade))
            .foreign_key(&mut fk(
                "comment",
                "author_remote_actor_id",
                "remote_actor",
                Cascade,
            ));
        m.create_table(comment).await?;
        m.create_index(index("comment", &["ap_id"], true)).await?;
        m.create_index(index("comment", &["item_id", "published_at"], false))
            .await?;

        let mut reaction = table(
            "reaction",
            vec![
                big_pk_auto("id"),
                string_null("ap_id"),
                big_integer("item_id"),
                big_integer("remote_actor_id"),
                string("kind"),
                timestamp_with_time_zone("created_at"),
            ],
        );
        reaction
            .foreign_key(&mut fk("reaction", "item_id", "item", Cascade))
            .foreign_key(&mut fk(
                "reaction",
                "remote_actor_id",
                "remote_actor",
                Cascade,
            ));
        m.create_table(reaction).await?;
        m.create_index(index("reaction", &["ap_id"], true)).await?;
        m.create_index(index(
            "reaction",
            &["item_id", "remote_actor_id", "kind"],
            true,
        ))
        .await?;

        let mut reuse = table(
            "reuse",
            vec![
                big_pk_auto("id"),
                string_null("ap_id"),
                big_integer("item_id"),
                big_integer_null("agency_id"),
                big_integer_null("remote_actor_id"),
                text_null("note"),
                timestamp_with_time_zone("created_at"),
            ],
        );
        reuse
            .foreign_key(&mut fk("reuse", "item_id", "item", Cascade))
            .foreign_key(&mut fk("reuse", "agency_id", "agency", Cascade))
            .foreign_key(&mut fk("reuse", "remote_actor_id", "remote_actor", Cascade));
        m.create_table(reuse).await?;
        m.create_index(index("reuse", &["ap_id"], true)).await?;
        m.create_index(index("reuse", &["item_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES.iter().rev() {
            m.drop_table(Table::drop().table(*t).take()).await?;
        }
        Ok(())
    }
}
