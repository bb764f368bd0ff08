//! Discovery documents: WebFinger (RFC 7033), NodeInfo 2.0/2.1 and
//! host-meta (RFC 6415).

use crate::{
    Urls, objects::agency::INSTANCE_ACTOR_NAME, protocol::AP_CONTENT_TYPE, urls::LocalRef,
};
use deling_domain::slug::Slug;
use serde::Serialize;
use serde_json::{Value, json};
use url::Url;

/// Who a WebFinger `resource` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebfingerTarget {
    /// A local agency, by slug (not yet checked to exist).
    Agency(String),
    /// The instance actor.
    InstanceActor,
}

/// Why a resource names nothing here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// Not an `acct:` URI or an http(s) URL of ours.
    #[error("resource must be acct:NAME@{0} or an actor URL of this server")]
    Malformed(String),
    /// About another server.
    #[error("resource is not on this server ({0})")]
    OtherHost(String),
}

/// Parses `acct:slug@domain` (also without `acct:` or with a leading `@`)
/// or an actor URL of ours.
pub fn parse_resource(
    resource: &str,
    urls: &Urls,
    domain: &str,
) -> Result<WebfingerTarget, ResourceError> {
    let malformed = || ResourceError::Malformed(domain.to_owned());
    let resource = resource.trim();
    if resource.starts_with("http://") || resource.starts_with("https://") {
        let url = Url::parse(resource).map_err(|_| malformed())?;
        if url.host_str() != urls.base().host_str()
            || url.port_or_known_default() != urls.base().port_or_known_default()
        {
            return Err(ResourceError::OtherHost(
                url.host_str().unwrap_or_default().to_owned(),
            ));
        }
        return match urls.parse_local(&url) {
            Some(LocalRef::InstanceActor) => Ok(WebfingerTarget::InstanceActor),
            Some(LocalRef::Agency(slug)) if Slug::parse(&slug).is_ok() => {
                Ok(WebfingerTarget::Agency(slug))
            }
            _ => Err(malformed()),
        };
    }
    let acct = resource.strip_prefix("acct:").unwrap_or(resource);
    let acct = acct.strip_prefix('@').unwrap_or(acct);
    let (name, host) = acct.rsplit_once('@').ok_or_else(malformed)?;
    if !host.eq_ignore_ascii_case(domain) {
        return Err(ResourceError::OtherHost(host.to_owned()));
    }
    // The user part is matched without regard to case, as Mastodon
    // matches usernames: `@Oslo@…` typed in a search box finds `oslo`.
    // Slugs are lower case, so the lowered name is the one to look up
    // (and the JRD's subject then names the canonical handle).
    let name = name.to_ascii_lowercase();
    if name == INSTANCE_ACTOR_NAME {
        return Ok(WebfingerTarget::InstanceActor);
    }
    // Only what can be a slug names an agency: `@@@host` used to name
    // agency "@", which `acct:@@host` (its own canonical form) did not.
    if Slug::parse(&name).is_err() {
        return Err(malformed());
    }
    Ok(WebfingerTarget::Agency(name))
}

/// A JRD document.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Jrd {
    /// `acct:name@domain`.
    pub subject: String,
    /// Other URIs for the subject: the actor URL.
    pub aliases: Vec<Url>,
    /// Links.
    pub links: Vec<Value>,
}

/// The JRD of actor `actor_id` with user part `name`.
pub fn webfinger(name: &str, domain: &str, actor_id: &Url, profile_page: &Url) -> Jrd {
    Jrd {
        subject: format!("acct:{name}@{domain}"),
        aliases: vec![actor_id.clone()],
        links: vec![
            json!({"rel": "self", "type": AP_CONTENT_TYPE, "href": actor_id}),
            json!({"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile_page}),
        ],
    }
}

/// Counts NodeInfo reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    /// Agencies.
    pub users_total: u64,
    /// Agencies that published in the last 30 days.
    pub users_active_month: u64,
    /// ... in the last 180 days.
    pub users_active_halfyear: u64,
    /// Local items.
    pub local_posts: u64,
}

/// `/.well-known/nodeinfo`: links to the documents we serve.
pub fn nodeinfo_links(urls: &Urls) -> Value {
    json!({"links": [
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": urls.nodeinfo("2.1")},
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": urls.nodeinfo("2.0")},
    ]})
}

/// A NodeInfo document, `version` being `2.0` or `2.1` (2.1 adds the
/// software's repository and homepage). Its `metadata.deling` says what
/// other Deling instances may ask of this one: `federatedSearch`, that
/// `GET /api/v1/search` answers peers (see `search_peers`).
pub fn nodeinfo(version: &str, instance_name: &str, usage: Usage) -> Value {
    let mut software = json!({"name": "deling", "version": env!("CARGO_PKG_VERSION")});
    // 2.1 adds where the source lives; left out while the package names none.
    let repository = env!("CARGO_PKG_REPOSITORY");
    if version == "2.1" && !repository.is_empty() {
        software["repository"] = json!(repository);
        software["homepage"] = json!(repository);
    }
    json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": false,
        "usage": {
            "users": {
                "total": usage.users_total,
                "activeMonth": usage.users_active_month,
                "activeHalfyear": usage.users_active_halfyear,
            },
            "localPosts": usage.local_posts,
        },
        "metadata": {
            "nodeName": instance_name,
            "deling": {"federatedSearch": true},
        },
    })
}

/// The WebFinger URL template host-meta advertises.
fn lrdd_template(urls: &Urls) -> String {
    format!("{}.well-known/webfinger?resource={{uri}}", urls.base())
}

/// host-meta as XRD.
pub fn host_meta_xml(urls: &Urls) -> String {
    let template = lrdd_template(urls)
        .replace('&', "&amp;")
        .replace('"', "&quot;");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" type=\"application/jrd+json\" template=\"{template}\"/>\n\
         </XRD>\n"
    )
}

/// host-meta as JSON.
pub fn host_meta_json(urls: &Urls) -> Value {
    json!({"links": [{"rel": "lrdd", "type": "application/jrd+json", "template": lrdd_template(urls)}]})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> Urls {
        Urls::for_domain("deling.example.no", false).expect("url")
    }

    #[test]
    fn parses_resources() {
        let u = urls();
        let d = "deling.example.no";
        assert_eq!(
            parse_resource("acct:oslo@deling.example.no", &u, d),
            Ok(WebfingerTarget::Agency("oslo".into()))
        );
        assert_eq!(
            parse_resource("oslo@DELING.example.no", &u, d),
            Ok(WebfingerTarget::Agency("oslo".into()))
        );
        assert_eq!(
            parse_resource("https://deling.example.no/agencies/oslo", &u, d),
            Ok(WebfingerTarget::Agency("oslo".into()))
        );
        assert_eq!(
            parse_resource("acct:deling.internal@deling.example.no", &u, d),
            Ok(WebfingerTarget::InstanceActor)
        );
        assert_eq!(
            parse_resource("https://deling.example.no/actor", &u, d),
            Ok(WebfingerTarget::InstanceActor)
        );
        assert!(matches!(
            parse_resource("acct:oslo@mastodon.social", &u, d),
            Err(ResourceError::OtherHost(_))
        ));
        assert!(matches!(
            parse_resource("https://evil.example/agencies/oslo", &u, d),
            Err(ResourceError::OtherHost(_))
        ));
        // The user part without regard to case, as Mastodon matches it.
        assert_eq!(
            parse_resource("acct:Oslo@deling.example.no", &u, d),
            Ok(WebfingerTarget::Agency("oslo".into()))
        );
        assert_eq!(
            parse_resource("acct:DELING.INTERNAL@deling.example.no", &u, d),
            Ok(WebfingerTarget::InstanceActor)
        );
        assert!(parse_resource("oslo", &u, d).is_err());
        assert!(parse_resource("https://deling.example.no/items/1", &u, d).is_err());
    }

    #[test]
    fn jrd_self_link_is_the_actor_id() {
        let u = urls();
        let jrd = webfinger(
            "oslo",
            "deling.example.no",
            &u.agency("oslo"),
            &u.agency("oslo"),
        );
        assert_eq!(jrd.subject, "acct:oslo@deling.example.no");
        assert_eq!(
            jrd.links[0]["href"],
            "https://deling.example.no/agencies/oslo"
        );
        assert_eq!(jrd.links[0]["type"], "application/activity+json");
    }

    #[test]
    fn nodeinfo_says_federated_search_is_answered() {
        for version in ["2.0", "2.1"] {
            let doc = nodeinfo(version, "Deling", Usage::default());
            assert_eq!(doc["metadata"]["deling"]["federatedSearch"], true);
            assert_eq!(doc["metadata"]["nodeName"], "Deling");
        }
    }
}
