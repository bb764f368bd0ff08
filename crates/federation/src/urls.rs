//! The public URL scheme of an instance, both ways: every id we mint for an
//! actor, object, collection or activity is built here, and every URL that
//! might be one of ours is parsed back here ([`Urls::parse_local`]). Ids are
//! permanent once federated, so their exact form is pinned by a test below;
//! no other module builds or takes apart a local path (the web crate's
//! route table serves these paths and must agree with them).

use crate::error::{FedError, refuse};
use std::fmt::Write as _;
use url::Url;

/// `host` or `host:port` of a URL: what "the same server" means here. The
/// port counts, unlike in activitypub_federation's own domain check.
pub fn authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    }
}

/// Fails unless `a` and `b` are on the same server (host and port).
pub fn same_origin(a: &Url, b: &Url) -> Result<(), FedError> {
    if a.scheme() == b.scheme() && authority(a) == authority(b) && !authority(a).is_empty() {
        Ok(())
    } else {
        refuse(format!("{a} is not on the same server as {b}"))
    }
}

/// A collection (or box) of a local agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyCollection {
    /// `/agencies/{slug}/inbox`.
    Inbox,
    /// `/agencies/{slug}/outbox`.
    Outbox,
    /// `/agencies/{slug}/followers`.
    Followers,
    /// `/agencies/{slug}/following`.
    Following,
    /// `/agencies/{slug}/featured`.
    Featured,
}

/// A collection of a local item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemCollection {
    /// `/items/{id}/replies`.
    Replies,
    /// `/items/{id}/likes`.
    Likes,
    /// `/items/{id}/shares`.
    Shares,
}

/// A local activity id, by the thing it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalActivity {
    /// `/activities/{kind}/{token}`: Follow, Undo, Accept and the like,
    /// whose token is random or derived from the activity answered.
    Other {
        /// `follow`, `undo`, `accept`, ...
        kind: String,
        /// Lower-case hex.
        token: String,
    },
    /// `/items/{id}/create`.
    ItemCreate(i64),
    /// `/items/{id}/updates/{event}`.
    ItemUpdate(i64, i64),
    /// `/items/{id}/delete`.
    ItemDelete(i64),
    /// `/comments/{id}/create`.
    CommentCreate(i64),
    /// `/comments/{id}/updates/{event}`.
    CommentUpdate(i64, i64),
    /// `/comments/{id}/delete`.
    CommentDelete(i64),
    /// `/messages/{id}/create`.
    MessageCreate(i64),
    /// `/shares/{id}/undo`.
    ShareUndo(i64),
    /// `/agencies/{slug}/updates/{event}`: a profile Update.
    AgencyUpdate(String, i64),
    /// `/agencies/{slug}/key-updates/{event}`: the Update announcing a new
    /// key, signed with the one it replaces.
    AgencyKeyUpdate(String, i64),
    /// `/agencies/{slug}/moves/{event}`.
    AgencyMove(String, i64),
    /// `/agencies/{slug}/delete`.
    AgencyDelete(String),
    /// `/agencies/{slug}/featured/adds/{event}`: a pin.
    FeaturedAdd(String, i64),
    /// `/agencies/{slug}/featured/removes/{event}`: an unpin.
    FeaturedRemove(String, i64),
}

/// What a URL on this server names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalRef {
    /// `/actor`.
    InstanceActor,
    /// `/inbox`.
    SharedInbox,
    /// `/agencies/{slug}`: an agency's actor id and profile page.
    Agency(String),
    /// A collection of an agency.
    AgencyCollection(String, AgencyCollection),
    /// `/items/{id}`.
    Item(i64),
    /// A collection of an item.
    ItemCollection(i64, ItemCollection),
    /// `/comments/{id}`.
    Comment(i64),
    /// `/shares/{id}`: a share's `Announce`.
    Share(i64),
    /// `/messages/{id}`: an agency's answer in its staff inbox.
    Message(i64),
    /// An activity.
    Activity(LocalActivity),
}

impl LocalRef {
    /// The path of this id, the one thing that must never change.
    fn path(&self) -> String {
        use LocalActivity as A;
        let mut p = String::new();
        // Writing to a String cannot fail.
        let _ = match self {
            Self::InstanceActor => write!(p, "/actor"),
            Self::SharedInbox => write!(p, "/inbox"),
            Self::Agency(slug) => write!(p, "/agencies/{slug}"),
            Self::AgencyCollection(slug, c) => {
                let c = match c {
                    AgencyCollection::Inbox => "inbox",
                    AgencyCollection::Outbox => "outbox",
                    AgencyCollection::Followers => "followers",
                    AgencyCollection::Following => "following",
                    AgencyCollection::Featured => "featured",
                };
                write!(p, "/agencies/{slug}/{c}")
            }
            Self::Item(id) => write!(p, "/items/{id}"),
            Self::ItemCollection(id, c) => {
                let c = match c {
                    ItemCollection::Replies => "replies",
                    ItemCollection::Likes => "likes",
                    ItemCollection::Shares => "shares",
                };
                write!(p, "/items/{id}/{c}")
            }
            Self::Comment(id) => write!(p, "/comments/{id}"),
            Self::Share(id) => write!(p, "/shares/{id}"),
            Self::Message(id) => write!(p, "/messages/{id}"),
            Self::Activity(a) => match a {
                A::Other { kind, token } => write!(p, "/activities/{kind}/{token}"),
                A::ItemCreate(id) => write!(p, "/items/{id}/create"),
                A::ItemUpdate(id, e) => write!(p, "/items/{id}/updates/{e}"),
                A::ItemDelete(id) => write!(p, "/items/{id}/delete"),
                A::CommentCreate(id) => write!(p, "/comments/{id}/create"),
                A::CommentUpdate(id, e) => write!(p, "/comments/{id}/updates/{e}"),
                A::CommentDelete(id) => write!(p, "/comments/{id}/delete"),
                A::MessageCreate(id) => write!(p, "/messages/{id}/create"),
                A::ShareUndo(id) => write!(p, "/shares/{id}/undo"),
                A::AgencyUpdate(slug, e) => write!(p, "/agencies/{slug}/updates/{e}"),
                A::AgencyKeyUpdate(slug, e) => write!(p, "/agencies/{slug}/key-updates/{e}"),
                A::AgencyMove(slug, e) => write!(p, "/agencies/{slug}/moves/{e}"),
                A::AgencyDelete(slug) => write!(p, "/agencies/{slug}/delete"),
                A::FeaturedAdd(slug, e) => write!(p, "/agencies/{slug}/featured/adds/{e}"),
                A::FeaturedRemove(slug, e) => write!(p, "/agencies/{slug}/featured/removes/{e}"),
            },
        };
        p
    }

    /// The inverse of [`LocalRef::path`]; `None` for any other path.
    fn from_path(path: &str) -> Option<Self> {
        use LocalActivity as A;
        let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return None;
        }
        let slug = |s: &str| s.to_owned();
        Some(match segments.as_slice() {
            ["actor"] => Self::InstanceActor,
            ["inbox"] => Self::SharedInbox,
            ["agencies", s] => Self::Agency(slug(s)),
            ["agencies", s, c] => match *c {
                "inbox" => Self::AgencyCollection(slug(s), AgencyCollection::Inbox),
                "outbox" => Self::AgencyCollection(slug(s), AgencyCollection::Outbox),
                "followers" => Self::AgencyCollection(slug(s), AgencyCollection::Followers),
                "following" => Self::AgencyCollection(slug(s), AgencyCollection::Following),
                "featured" => Self::AgencyCollection(slug(s), AgencyCollection::Featured),
                "delete" => Self::Activity(A::AgencyDelete(slug(s))),
                _ => return None,
            },
            ["agencies", s, verb, e] => {
                let e = number(e)?;
                match *verb {
                    "updates" => Self::Activity(A::AgencyUpdate(slug(s), e)),
                    "key-updates" => Self::Activity(A::AgencyKeyUpdate(slug(s), e)),
                    "moves" => Self::Activity(A::AgencyMove(slug(s), e)),
                    _ => return None,
                }
            }
            ["agencies", s, "featured", "adds", e] => {
                Self::Activity(A::FeaturedAdd(slug(s), number(e)?))
            }
            ["agencies", s, "featured", "removes", e] => {
                Self::Activity(A::FeaturedRemove(slug(s), number(e)?))
            }
            ["items", id] => Self::Item(number(id)?),
            ["items", id, rest] => {
                let id = number(id)?;
                match *rest {
                    "replies" => Self::ItemCollection(id, ItemCollection::Replies),
                    "likes" => Self::ItemCollection(id, ItemCollection::Likes),
                    "shares" => Self::ItemCollection(id, ItemCollection::Shares),
                    "create" => Self::Activity(A::ItemCreate(id)),
                    "delete" => Self::Activity(A::ItemDelete(id)),
                    _ => return None,
                }
            }
            ["items", id, "updates", e] => Self::Activity(A::ItemUpdate(number(id)?, number(e)?)),
            ["comments", id] => Self::Comment(number(id)?),
            ["comments", id, "create"] => Self::Activity(A::CommentCreate(number(id)?)),
            ["comments", id, "delete"] => Self::Activity(A::CommentDelete(number(id)?)),
            ["comments", id, "updates", e] => {
                Self::Activity(A::CommentUpdate(number(id)?, number(e)?))
            }
            ["shares", id] => Self::Share(number(id)?),
            ["shares", id, "undo"] => Self::Activity(A::ShareUndo(number(id)?)),
            ["messages", id] => Self::Message(number(id)?),
            ["messages", id, "create"] => Self::Activity(A::MessageCreate(number(id)?)),
            ["activities", kind, token] => Self::Activity(A::Other {
                kind: (*kind).to_owned(),
                token: (*token).to_owned(),
            }),
            _ => return None,
        })
    }
}

/// A row id as we write it: decimal digits only, so `/items/+7` or
/// `/items/07` are not taken for `/items/7`.
fn number(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

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

    /// The `Delete` of a withdrawn agency. There is one per agency, which
    /// is how delivery recognises the last thing a withdrawn agency may say.
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

    /// Every id we mint, in its exact form: ids are permanent once
    /// federated, so a change here breaks peers' references to us.
    #[test]
    fn pins_every_id() {
        use AgencyCollection as C;
        use LocalActivity as A;
        let u = Urls::for_domain("deling.example.no", false).expect("url");
        let b = "https://deling.example.no";
        let s = || "oslo".to_owned();
        let cases: Vec<(Url, &str, LocalRef)> = vec![
            (u.instance_actor(), "/actor", LocalRef::InstanceActor),
            (u.shared_inbox(), "/inbox", LocalRef::SharedInbox),
            (u.agency("oslo"), "/agencies/oslo", LocalRef::Agency(s())),
            (
                u.agency_inbox("oslo"),
                "/agencies/oslo/inbox",
                LocalRef::AgencyCollection(s(), C::Inbox),
            ),
            (
                u.agency_outbox("oslo"),
                "/agencies/oslo/outbox",
                LocalRef::AgencyCollection(s(), C::Outbox),
            ),
            (
                u.agency_followers("oslo"),
                "/agencies/oslo/followers",
                LocalRef::AgencyCollection(s(), C::Followers),
            ),
            (
                u.agency_following("oslo"),
                "/agencies/oslo/following",
                LocalRef::AgencyCollection(s(), C::Following),
            ),
            (
                u.agency_featured("oslo"),
                "/agencies/oslo/featured",
                LocalRef::AgencyCollection(s(), C::Featured),
            ),
            (
                u.agency_update("oslo", 4),
                "/agencies/oslo/updates/4",
                LocalRef::Activity(A::AgencyUpdate(s(), 4)),
            ),
            (
                u.agency_key_update("oslo", 5),
                "/agencies/oslo/key-updates/5",
                LocalRef::Activity(A::AgencyKeyUpdate(s(), 5)),
            ),
            (
                u.agency_move("oslo", 6),
                "/agencies/oslo/moves/6",
                LocalRef::Activity(A::AgencyMove(s(), 6)),
            ),
            (
                u.agency_delete("oslo"),
                "/agencies/oslo/delete",
                LocalRef::Activity(A::AgencyDelete(s())),
            ),
            (
                u.featured_add("oslo", 7),
                "/agencies/oslo/featured/adds/7",
                LocalRef::Activity(A::FeaturedAdd(s(), 7)),
            ),
            (
                u.featured_remove("oslo", 8),
                "/agencies/oslo/featured/removes/8",
                LocalRef::Activity(A::FeaturedRemove(s(), 8)),
            ),
            (u.item(9), "/items/9", LocalRef::Item(9)),
            (
                u.item_replies(9),
                "/items/9/replies",
                LocalRef::ItemCollection(9, ItemCollection::Replies),
            ),
            (
                u.item_likes(9),
                "/items/9/likes",
                LocalRef::ItemCollection(9, ItemCollection::Likes),
            ),
            (
                u.item_shares(9),
                "/items/9/shares",
                LocalRef::ItemCollection(9, ItemCollection::Shares),
            ),
            (
                u.item_create(9),
                "/items/9/create",
                LocalRef::Activity(A::ItemCreate(9)),
            ),
            (
                u.item_update(9, 10),
                "/items/9/updates/10",
                LocalRef::Activity(A::ItemUpdate(9, 10)),
            ),
            (
                u.item_delete(9),
                "/items/9/delete",
                LocalRef::Activity(A::ItemDelete(9)),
            ),
            (u.comment(11), "/comments/11", LocalRef::Comment(11)),
            (
                u.comment_create(11),
                "/comments/11/create",
                LocalRef::Activity(A::CommentCreate(11)),
            ),
            (
                u.comment_update(11, 12),
                "/comments/11/updates/12",
                LocalRef::Activity(A::CommentUpdate(11, 12)),
            ),
            (
                u.comment_delete(11),
                "/comments/11/delete",
                LocalRef::Activity(A::CommentDelete(11)),
            ),
            (u.share(13), "/shares/13", LocalRef::Share(13)),
            (
                u.share_undo(13),
                "/shares/13/undo",
                LocalRef::Activity(A::ShareUndo(13)),
            ),
            (u.message(14), "/messages/14", LocalRef::Message(14)),
            (
                u.message_create(14),
                "/messages/14/create",
                LocalRef::Activity(A::MessageCreate(14)),
            ),
            (
                u.other_activity("follow", "00ff"),
                "/activities/follow/00ff",
                LocalRef::Activity(A::Other {
                    kind: "follow".into(),
                    token: "00ff".into(),
                }),
            ),
        ];
        for (built, path, local) in cases {
            assert_eq!(built.as_str(), format!("{b}{path}"));
            assert_eq!(u.parse_local(&built), Some(local.clone()), "{path}");
            assert_eq!(u.url_of(&local), built);
        }
        assert_eq!(
            u.nodeinfo("2.1").as_str(),
            "https://deling.example.no/nodeinfo/2.1"
        );
        assert_eq!(
            u.tag("åpne data").as_str(),
            "https://deling.example.no/api/v1/items?tag=%C3%A5pne+data"
        );
        for other in [
            "https://deling.example.no/",
            "https://deling.example.no/items/07",
            "https://deling.example.no/items/+7",
            "https://deling.example.no/items/7/",
            "https://deling.example.no/items//7",
            "https://deling.example.no/items/7/updates/x",
            "https://deling.example.no/agencies/oslo/other",
            "https://deling.example.no/activities/follow",
            "https://deling.example.no/items/7#x",
            "https://other.example/items/7",
        ] {
            let url = Url::parse(other).expect("url");
            assert_eq!(u.parse_local(&url), None, "{other}");
        }
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
