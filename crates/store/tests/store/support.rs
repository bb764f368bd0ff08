//! Helpers shared by the store tests: agencies, staff and items to test with.

use chrono::{DateTime, Utc};
use deling_domain::{
    auth::Username,
    item::{ItemContent, RawItem, RawLink},
    slug::Slug,
    text::DisplayName,
};
use deling_store::{
    Store,
    queries::{agency::NewAgency, remote_actor::RemoteActorData, remote_item::RemoteItemData},
    records::{Agency, Item, Staff},
};

pub fn new_agency(slug: &str, name: &str) -> NewAgency {
    NewAgency {
        slug: Slug::parse(slug).expect("valid slug"),
        name: DisplayName::parse(name).expect("valid name"),
        org_number: None,
        public_key_pem: format!(
            "-----BEGIN PUBLIC KEY-----\n{slug}-pub\n-----END PUBLIC KEY-----\n"
        ),
        private_key_pem: format!(
            "-----BEGIN PRIVATE KEY-----\n{slug}-priv\n-----END PRIVATE KEY-----\n"
        ),
    }
}

/// A `Person` `name` on `host`, with the host's shared inbox or (`shared`
/// false) an inbox of its own only.
pub fn remote_person(host: &str, name: &str, shared: bool) -> RemoteActorData {
    let id = format!("https://{host}/users/{name}");
    RemoteActorData {
        ap_id: id.clone(),
        actor_type: "Person".into(),
        domain: host.into(),
        preferred_username: Some(name.into()),
        name: None,
        inbox: format!("{id}/inbox"),
        shared_inbox: shared.then(|| format!("https://{host}/inbox")),
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    }
}

pub async fn agency(store: &Store, slug: &str, name: &str) -> Agency {
    store
        .put_agency(new_agency(slug, name))
        .await
        .expect("put_agency")
}

pub async fn staff(store: &Store, username: &str) -> Staff {
    store
        .put_staff(
            &Username::parse(username).expect("valid username"),
            format!("$argon2id$fake${username}"),
            false,
        )
        .await
        .expect("put_staff")
}

pub fn content(raw: RawItem) -> ItemContent {
    ItemContent::parse(raw).unwrap_or_else(|e| panic!("invalid test item: {e:?}"))
}

/// A minimal item of `kind` (which must need no metadata).
pub fn simple(kind: &str, title: &str, language: &str, tags: &[&str]) -> ItemContent {
    content(RawItem {
        kind: Some(kind.into()),
        title: Some(title.into()),
        language: Some(language.into()),
        tags: Some(tags.iter().map(|t| (*t).to_owned()).collect()),
        ..Default::default()
    })
}

pub fn link(href: &str, title: Option<&str>, media_type: Option<&str>) -> RawLink {
    RawLink {
        href: href.into(),
        title: title.map(str::to_owned),
        media_type: media_type.map(str::to_owned),
    }
}

pub fn ts(s: &str) -> DateTime<Utc> {
    s.parse()
        .unwrap_or_else(|e| panic!("bad timestamp {s}: {e}"))
}

pub fn ids(items: &[Item]) -> Vec<i64> {
    items.iter().map(|i| i.id).collect()
}

/// A remote actor `actor`'s item `ap_id`, published (and last updated) at
/// `published_at`, with nothing in it but a title.
pub fn remote_item(
    ap_id: &str,
    actor: i64,
    published_at: chrono::DateTime<chrono::Utc>,
) -> RemoteItemData {
    RemoteItemData {
        ap_id: ap_id.into(),
        remote_actor_id: actor,
        kind: "guide".into(),
        title: "Fra en annen server".into(),
        summary: String::new(),
        body: String::new(),
        body_html: String::new(),
        language: "nb".into(),
        license: None,
        tags: vec![],
        links: vec![],
        metadata: serde_json::json!({}),
        based_on: None,
        url: None,
        published_at,
        updated_at: published_at,
    }
}
