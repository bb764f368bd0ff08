//! Local ids as values: [`LocalRef`] names everything on this server that
//! has an id, and turns into its path and back. The path forms written here
//! are permanent once federated (`tests.rs` pins each one).

use std::fmt::Write as _;

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
    pub(super) fn path(&self) -> String {
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
    pub(super) fn from_path(path: &str) -> Option<Self> {
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
