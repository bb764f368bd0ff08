//! Agencies as `Organization` actors, and the instance actor.

use crate::{
    Urls,
    protocol::actor::{ActorJson, Endpoints, PropertyValue, PublicKeyJson},
};
use deling_store::records::{Agency, Instance};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The username of the instance actor. It contains a dot, which no agency
/// slug can, so the two never collide in WebFinger.
pub const INSTANCE_ACTOR_NAME: &str = "deling.internal";

/// An agency's actor document.
pub fn agency_actor(urls: &Urls, agency: &Agency) -> ActorJson {
    let id = urls.agency(&agency.slug);
    let mut attachment = Vec::new();
    if let Some(site) = &agency.website {
        let site = escape(site);
        attachment.push(PropertyValue {
            kind: "PropertyValue".into(),
            name: "Website".into(),
            value: format!("<a href=\"{site}\" rel=\"me nofollow noopener noreferrer\" target=\"_blank\">{site}</a>"),
        });
    }
    if let Some(org) = &agency.org_number {
        attachment.push(PropertyValue {
            kind: "PropertyValue".into(),
            name: "Organisation number".into(),
            value: escape(org),
        });
    }
    ActorJson {
        kind: "Organization".into(),
        context: serde_json::Value::Null,
        preferred_username: agency.slug.clone(),
        name: Some(agency.name.clone()),
        summary: (!agency.summary_html.is_empty()).then(|| agency.summary_html.clone()),
        url: Some(id.clone()),
        icon: agency
            .icon_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .map(|url| crate::protocol::actor::Image {
                kind: "Image".into(),
                url,
                media_type: None,
            }),
        inbox: urls.agency_inbox(&agency.slug),
        outbox: Some(urls.agency_outbox(&agency.slug)),
        followers: Some(urls.agency_followers(&agency.slug)),
        following: Some(urls.agency_following(&agency.slug)),
        featured: Some(urls.agency_featured(&agency.slug)),
        endpoints: Some(Endpoints {
            shared_inbox: Some(urls.shared_inbox()),
        }),
        public_key: PublicKeyJson {
            id: urls.agency_key(&agency.slug).to_string(),
            owner: id.clone(),
            public_key_pem: agency.public_key_pem.clone(),
        },
        published: Some(agency.created_at),
        manually_approves_followers: false,
        discoverable: true,
        indexable: agency.indexable,
        attachment,
        also_known_as: deling_store::queries::moving::agency_aliases(agency)
            .iter()
            .filter_map(|a| url::Url::parse(a).ok())
            .collect(),
        moved_to: agency
            .moved_to
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok()),
        id,
    }
}

/// The instance actor (`Application`), which signs our fetches.
pub fn instance_actor(urls: &Urls, instance: &Instance) -> ActorJson {
    let id = urls.instance_actor();
    ActorJson {
        context: serde_json::Value::Null,
        kind: "Application".into(),
        preferred_username: INSTANCE_ACTOR_NAME.into(),
        name: Some(instance.name.clone()),
        summary: None,
        url: Some(urls.base().clone()),
        icon: None,
        inbox: urls.shared_inbox(),
        outbox: None,
        followers: None,
        following: None,
        featured: None,
        endpoints: Some(Endpoints {
            shared_inbox: Some(urls.shared_inbox()),
        }),
        public_key: PublicKeyJson {
            id: urls.instance_actor_key().to_string(),
            owner: id.clone(),
            public_key_pem: instance.public_key_pem.clone(),
        },
        published: Some(instance.created_at),
        manually_approves_followers: true,
        discoverable: false,
        // The instance actor posts nothing.
        indexable: false,
        attachment: vec![],
        also_known_as: vec![],
        moved_to: None,
        id,
    }
}
