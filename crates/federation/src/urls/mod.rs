//! The public URL scheme of an instance, both ways: every id we mint for an
//! actor, object, collection or activity is built here, and every URL that
//! might be one of ours is parsed back here ([`Urls::parse_local`]). Ids are
//! permanent once federated, so their exact form is pinned in `tests.rs`;
//! no other module builds or takes apart a local path (the web crate's
//! route table serves these paths and must agree with them).
//!
//! `parse.rs` holds [`LocalRef`], the local ids as values with their paths
//! both ways; `authority.rs` what "the same server" means; this file the
//! [`Urls`] builders over an instance's base URL.

mod authority;
mod parse;

pub use authority::{authority, same_origin};
pub use parse::{AgencyCollection, ItemCollection, LocalActivity, LocalRef};
use url::Url;

/// Builds public URLs from the instance's base URL, and tells which URLs
/// are ours.
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

    /// The URL of a local id.
    pub fn url_of(&self, local: &LocalRef) -> Url {
        self.join(&local.path())
    }

    /// What `url` names on this server, if it is exactly one of the ids
    /// [`Urls::url_of`] builds: same host (in any case) and port, no query,
    /// no fragment.
    pub fn parse_local(&self, url: &Url) -> Option<LocalRef> {
        let ours = self.base.host_str()?.eq_ignore_ascii_case(url.host_str()?)
            && self.base.port_or_known_default() == url.port_or_known_default()
            && url.query().is_none()
            && url.fragment().is_none();
        if !ours {
            return None;
        }
        LocalRef::from_path(url.path())
    }

    /// Whether `url` is on this server at all (host and port), whatever
    /// its path.
    pub fn is_local(&self, url: &Url) -> bool {
        self.base
            .host_str()
            .zip(url.host_str())
            .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
            && self.base.port_or_known_default() == url.port_or_known_default()
    }

    /// The base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// An agency's actor id and profile page.
    pub fn agency(&self, slug: &str) -> Url {
        self.url_of(&LocalRef::Agency(slug.to_owned()))
    }

    fn agency_collection(&self, slug: &str, c: AgencyCollection) -> Url {
        self.url_of(&LocalRef::AgencyCollection(slug.to_owned(), c))
    }

    /// An agency's inbox.
    pub fn agency_inbox(&self, slug: &str) -> Url {
        self.agency_collection(slug, AgencyCollection::Inbox)
    }

    /// An agency's outbox.
    pub fn agency_outbox(&self, slug: &str) -> Url {
        self.agency_collection(slug, AgencyCollection::Outbox)
    }

    /// An agency's followers collection.
    pub fn agency_followers(&self, slug: &str) -> Url {
        self.agency_collection(slug, AgencyCollection::Followers)
    }

    /// The collection of actors an agency follows.
    pub fn agency_following(&self, slug: &str) -> Url {
        self.agency_collection(slug, AgencyCollection::Following)
    }

    /// An agency's pinned items.
    pub fn agency_featured(&self, slug: &str) -> Url {
        self.agency_collection(slug, AgencyCollection::Featured)
    }

    fn activity(&self, a: LocalActivity) -> Url {
        self.url_of(&LocalRef::Activity(a))
    }

    /// The `Update` of an agency's profile (outbox event `event_id`).
    pub fn agency_update(&self, slug: &str, event_id: i64) -> Url {
        self.activity(LocalActivity::AgencyUpdate(slug.to_owned(), event_id))
    }

    /// The id of the `Update` that announces an agency's new key (outbox
    /// event `event_id`). Deliveries of it are signed with the key it
    /// replaces; [`Urls::is_agency_key_update`] tells them apart.
    pub fn agency_key_update(&self, slug: &str, event_id: i64) -> Url {
        self.activity(LocalActivity::AgencyKeyUpdate(slug.to_owned(), event_id))
    }

    /// Whether `activity_id` was made by [`Urls::agency_key_update`] for
    /// agency `slug`.
    pub fn is_agency_key_update(&self, slug: &str, activity_id: &str) -> bool {
        let Ok(url) = Url::parse(activity_id) else {
            return false;
        };
        matches!(
            self.parse_local(&url),
            Some(LocalRef::Activity(LocalActivity::AgencyKeyUpdate(s, _))) if s == slug
        )
    }

    /// The `Move` of an agency to its new account (outbox event `event_id`).
    pub fn agency_move(&self, slug: &str, event_id: i64) -> Url {
        self.activity(LocalActivity::AgencyMove(slug.to_owned(), event_id))
    }

    /// The `Delete` of a withdrawn agency. There is one per agency; with
    /// the Deletes of its items and comments, it is what delivery lets a
    /// withdrawn agency still say (`outbox::agency::sends_when_withdrawn`).
    pub fn agency_delete(&self, slug: &str) -> Url {
        self.activity(LocalActivity::AgencyDelete(slug.to_owned()))
    }

    /// The `Add` to an agency's featured collection (a pin).
    pub fn featured_add(&self, slug: &str, event_id: i64) -> Url {
        self.activity(LocalActivity::FeaturedAdd(slug.to_owned(), event_id))
    }

    /// The `Remove` from an agency's featured collection (an unpin).
    pub fn featured_remove(&self, slug: &str, event_id: i64) -> Url {
        self.activity(LocalActivity::FeaturedRemove(slug.to_owned(), event_id))
    }

    /// The shared inbox of the whole instance.
    pub fn shared_inbox(&self) -> Url {
        self.url_of(&LocalRef::SharedInbox)
    }

    /// An item's replies collection.
    pub fn item_replies(&self, id: i64) -> Url {
        self.url_of(&LocalRef::ItemCollection(id, ItemCollection::Replies))
    }

    /// An item's likes collection.
    pub fn item_likes(&self, id: i64) -> Url {
        self.url_of(&LocalRef::ItemCollection(id, ItemCollection::Likes))
    }

    /// An item's boosts collection.
    pub fn item_shares(&self, id: i64) -> Url {
        self.url_of(&LocalRef::ItemCollection(id, ItemCollection::Shares))
    }

    /// The Create activity that published a local item.
    pub fn item_create(&self, id: i64) -> Url {
        self.activity(LocalActivity::ItemCreate(id))
    }

    /// The `Update` of a local item (outbox event `event_id`).
    pub fn item_update(&self, id: i64, event_id: i64) -> Url {
        self.activity(LocalActivity::ItemUpdate(id, event_id))
    }

    /// The `Delete` of a local item.
    pub fn item_delete(&self, id: i64) -> Url {
        self.activity(LocalActivity::ItemDelete(id))
    }

    /// The page that lists the items with a tag (`/tags/{tag}`): what a
    /// hashtag in a post and a `Hashtag`'s `href` point at, as Mastodon's
    /// point at its tag pages.
    pub fn tag(&self, tag: &str) -> Url {
        let mut u = self.join("/tags");
        if let Ok(mut segments) = u.path_segments_mut() {
            segments.push(tag);
        }
        u
    }

    /// A NodeInfo document of `version` (`2.0`, `2.1`).
    pub fn nodeinfo(&self, version: &str) -> Url {
        self.join(&format!("/nodeinfo/{version}"))
    }

    /// A local item's id and page.
    pub fn item(&self, id: i64) -> Url {
        self.url_of(&LocalRef::Item(id))
    }

    /// A local comment's id.
    pub fn comment(&self, id: i64) -> Url {
        self.url_of(&LocalRef::Comment(id))
    }

    /// The `Create` of a local comment.
    pub fn comment_create(&self, id: i64) -> Url {
        self.activity(LocalActivity::CommentCreate(id))
    }

    /// The `Update` of a local comment (outbox event `event_id`).
    pub fn comment_update(&self, id: i64, event_id: i64) -> Url {
        self.activity(LocalActivity::CommentUpdate(id, event_id))
    }

    /// The `Delete` of a local comment.
    pub fn comment_delete(&self, id: i64) -> Url {
        self.activity(LocalActivity::CommentDelete(id))
    }

    /// A share's `Announce` id.
    pub fn share(&self, id: i64) -> Url {
        self.url_of(&LocalRef::Share(id))
    }

    /// The `Undo` of a share's `Announce`.
    pub fn share_undo(&self, id: i64) -> Url {
        self.activity(LocalActivity::ShareUndo(id))
    }

    /// The instance actor.
    pub fn instance_actor(&self) -> Url {
        self.url_of(&LocalRef::InstanceActor)
    }

    /// The id of an agency's public key, `{actor}#main-key` as Mastodon
    /// names it: what our signatures give as their `keyId`.
    pub fn agency_key(&self, slug: &str) -> Url {
        key_of(self.agency(slug))
    }

    /// The id of the instance actor's public key.
    pub fn instance_actor_key(&self) -> Url {
        key_of(self.instance_actor())
    }

    /// An agency's answer to a message in its staff inbox. Never served:
    /// only those it was addressed to receive it.
    pub fn message(&self, id: i64) -> Url {
        self.url_of(&LocalRef::Message(id))
    }

    /// The `Create` of an agency's answer to a message.
    pub fn message_create(&self, id: i64) -> Url {
        self.activity(LocalActivity::MessageCreate(id))
    }

    /// An activity id under `/activities/{kind}/{token}`, for activities
    /// not tied to one of our records (Follow, Undo of a Follow, Accept).
    pub fn other_activity(&self, kind: &str, token: &str) -> Url {
        self.activity(LocalActivity::Other {
            kind: kind.to_owned(),
            token: token.to_owned(),
        })
    }

    /// The slug of the local agency whose actor id `url` is.
    pub fn agency_slug_of<'u>(&self, url: &'u Url) -> Option<&'u str> {
        match self.parse_local(url)? {
            // Borrowed from `url` rather than the parsed copy.
            LocalRef::Agency(_) => url.path_segments()?.nth(1),
            _ => None,
        }
    }

    /// The id of the local item whose id `url` is.
    pub fn item_id_of(&self, url: &Url) -> Option<i64> {
        match self.parse_local(url)? {
            LocalRef::Item(id) => Some(id),
            _ => None,
        }
    }

    /// The id of the local comment whose id `url` is.
    pub fn comment_id_of(&self, url: &Url) -> Option<i64> {
        match self.parse_local(url)? {
            LocalRef::Comment(id) => Some(id),
            _ => None,
        }
    }

    /// The id of the agency answer whose id `url` is.
    pub fn message_id_of(&self, url: &Url) -> Option<i64> {
        match self.parse_local(url)? {
            LocalRef::Message(id) => Some(id),
            _ => None,
        }
    }
}

/// An actor's key id: the actor's id with the fragment `main-key`.
fn key_of(mut actor: Url) -> Url {
    actor.set_fragment(Some("main-key"));
    actor
}

#[cfg(test)]
mod tests;
