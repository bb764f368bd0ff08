//! The public URL scheme of an instance: where agencies, items and comments
//! live. Ids are permanent once federated, so they are built in one place.

use url::Url;

/// Builds public URLs from the instance's base URL.
#[derive(Debug, Clone)]
pub struct Urls {
    base: Url,
}

impl Urls {
    /// `base` is the scheme and host (and port) the public reaches us at,
    /// e.g. `https://deling.oslo.kommune.no`.
    pub fn new(base: Url) -> Self {
        Self { base }
    }

    /// Base URL for `domain`: https, or http when federation debug mode is on
    /// (loopback tests only).
    pub fn for_domain(domain: &str, debug: bool) -> Result<Self, url::ParseError> {
        let scheme = if debug { "http" } else { "https" };
        Url::parse(&format!("{scheme}://{domain}/")).map(Self::new)
    }

    fn join(&self, path: &str) -> Url {
        let mut u = self.base.clone();
        u.set_path(path);
        u
    }

    /// The base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// An agency's actor id and profile page.
    pub fn agency(&self, slug: &str) -> Url {
        self.join(&format!("/agencies/{slug}"))
    }

    /// An agency's inbox.
    pub fn agency_inbox(&self, slug: &str) -> Url {
        self.join(&format!("/agencies/{slug}/inbox"))
    }

    /// An agency's outbox.
    pub fn agency_outbox(&self, slug: &str) -> Url {
        self.join(&format!("/agencies/{slug}/outbox"))
    }

    /// An agency's followers collection.
    pub fn agency_followers(&self, slug: &str) -> Url {
        self.join(&format!("/agencies/{slug}/followers"))
    }

    /// The collection of actors an agency follows.
    pub fn agency_following(&self, slug: &str) -> Url {
        self.join(&format!("/agencies/{slug}/following"))
    }

    /// An agency's pinned items.
    pub fn agency_featured(&self, slug: &str) -> Url {
        self.join(&format!("/agencies/{slug}/featured"))
    }

    /// The id of the `Update` that announces an agency's new key (outbox
    /// event `event_id`). Deliveries of it are signed with the key it
    /// replaces; [`Urls::is_agency_key_update`] tells them apart.
    pub fn agency_key_update(&self, slug: &str, event_id: i64) -> Url {
        self.join(&format!("/agencies/{slug}/key-updates/{event_id}"))
    }

    /// Whether `activity_id` was made by [`Urls::agency_key_update`] for
    /// agency `slug`.
    pub fn is_agency_key_update(&self, slug: &str, activity_id: &str) -> bool {
        let prefix = self.join(&format!("/agencies/{slug}/key-updates/"));
        activity_id
            .strip_prefix(prefix.as_str())
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The shared inbox of the whole instance.
    pub fn shared_inbox(&self) -> Url {
        self.join("/inbox")
    }

    /// An item's replies collection.
    pub fn item_replies(&self, id: i64) -> Url {
        self.join(&format!("/items/{id}/replies"))
    }

    /// An item's likes collection.
    pub fn item_likes(&self, id: i64) -> Url {
        self.join(&format!("/items/{id}/likes"))
    }

    /// An item's boosts collection.
    pub fn item_shares(&self, id: i64) -> Url {
        self.join(&format!("/items/{id}/shares"))
    }

    /// The Create activity that published a local item.
    pub fn item_create(&self, id: i64) -> Url {
        self.join(&format!("/items/{id}/create"))
    }

    /// Where items with a tag are listed.
    pub fn tag(&self, tag: &str) -> Url {
        let mut u = self.join("/api/v1/items");
        u.query_pairs_mut().append_pair("tag", tag);
        u
    }

    /// A NodeInfo document of `version` (`2.0`, `2.1`).
    pub fn nodeinfo(&self, version: &str) -> Url {
        self.join(&format!("/nodeinfo/{version}"))
    }

    /// A local item's id and page.
    pub fn item(&self, id: i64) -> Url {
        self.join(&format!("/items/{id}"))
    }

    /// A local comment's id.
    pub fn comment(&self, id: i64) -> Url {
        self.join(&format!("/comments/{id}"))
    }

    /// A share's `Announce` id.
    pub fn share(&self, id: i64) -> Url {
        self.join(&format!("/shares/{id}"))
    }

    /// The instance actor.
    pub fn instance_actor(&self) -> Url {
        self.join("/actor")
    }

    /// An agency's answer to a message in its staff inbox. Never served:
    /// only those it was addressed to receive it.
    pub fn message(&self, id: i64) -> Url {
        self.join(&format!("/messages/{id}"))
    }

    /// The last path segment after `prefix` of a URL on this server, if
    /// the URL is exactly `{base}{prefix}{segment}`.
    fn local_segment<'u>(&self, url: &'u Url, prefix: &str) -> Option<&'u str> {
        let ours = self.base.host_str()?.eq_ignore_ascii_case(url.host_str()?)
            && self.base.port_or_known_default() == url.port_or_known_default()
            && url.query().is_none()
            && url.fragment().is_none();
        let segment = url.path().strip_prefix(prefix)?;
        (ours && !segment.is_empty() && !segment.contains('/')).then_some(segment)
    }

    /// The slug of the local agency whose actor id `url` is.
    pub fn agency_slug_of<'u>(&self, url: &'u Url) -> Option<&'u str> {
        self.local_segment(url, "/agencies/")
    }

    /// The id of the agency answer whose id `url` is.
    pub fn message_id_of(&self, url: &Url) -> Option<i64> {
        self.local_segment(url, "/messages/")?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_ids() {
        let u = Urls::for_domain("deling.oslo.kommune.no", false).expect("url");
        assert_eq!(
            u.agency("oslo").as_str(),
            "https://deling.oslo.kommune.no/agencies/oslo"
        );
        assert_eq!(u.item(7).as_str(), "https://deling.oslo.kommune.no/items/7");
        let d = Urls::for_domain("127.0.0.2:8080", true).expect("url");
        assert_eq!(d.item(1).as_str(), "http://127.0.0.2:8080/items/1");
    }

    #[test]
    fn tells_key_updates_apart() {
        let u = Urls::for_domain("deling.example.no", false).expect("url");
        let id = u.agency_key_update("oslo", 12);
        assert_eq!(
            id.as_str(),
            "https://deling.example.no/agencies/oslo/key-updates/12"
        );
        assert!(u.is_agency_key_update("oslo", id.as_str()));
        // Only that agency's, only that shape: another agency's, a profile
        // Update, or a longer path is signed with the current key.
        assert!(!u.is_agency_key_update("osl", id.as_str()));
        assert!(!u.is_agency_key_update("bergen", id.as_str()));
        for other in [
            "https://deling.example.no/agencies/oslo/updates/12",
            "https://deling.example.no/agencies/oslo/key-updates/",
            "https://deling.example.no/agencies/oslo/key-updates/12/x",
            "https://evil.example/agencies/oslo/key-updates/12",
        ] {
            assert!(!u.is_agency_key_update("oslo", other), "{other}");
        }
    }

    #[test]
    fn parses_local_ids_only() {
        let u = Urls::for_domain("deling.example.no", false).expect("url");
        let p = |s: &str| Url::parse(s).expect("url");
        assert_eq!(
            u.agency_slug_of(&p("https://deling.example.no/agencies/oslo")),
            Some("oslo")
        );
        assert_eq!(
            u.agency_slug_of(&p("https://DELING.example.no/agencies/oslo")),
            Some("oslo")
        );
        assert_eq!(
            u.agency_slug_of(&p("https://evil.example/agencies/oslo")),
            None
        );
        assert_eq!(
            u.agency_slug_of(&p("https://deling.example.no:8443/agencies/oslo")),
            None
        );
        assert_eq!(
            u.agency_slug_of(&p("https://deling.example.no/agencies/oslo/followers")),
            None
        );
        assert_eq!(
            u.agency_slug_of(&p("https://deling.example.no/agencies/")),
            None
        );
        assert_eq!(
            u.message_id_of(&p("https://deling.example.no/messages/12")),
            Some(12)
        );
        assert_eq!(
            u.message_id_of(&p("https://deling.example.no/messages/x")),
            None
        );
        assert_eq!(
            u.message_id_of(&p("https://deling.example.no/messages/12?x=1")),
            None
        );
    }
}
