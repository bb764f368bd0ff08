//! The activities we send, as plain serde types. Each keeps its fields in
//! the order peers have always received them (serde_json preserves order
//! here), and leaves out what it never carried.

use serde::{Deserialize, Serialize};
use url::Url;

/// The `type` of an activity we send.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum ActivityType {
    /// An object published.
    Create,
    /// An object (or actor) changed.
    Update,
    /// An object (or actor) withdrawn.
    Delete,
    /// An earlier activity taken back.
    Undo,
    /// A boost.
    Announce,
    /// An item pinned: added to the `featured` collection.
    Add,
    /// An item unpinned: removed from the `featured` collection.
    Remove,
    /// An actor moving to another account.
    Move,
    /// A request to follow.
    Follow,
    /// A Follow accepted.
    Accept,
    /// A Follow refused, or a follow accepted before ended.
    Reject,
    /// A report to moderators.
    Flag,
}

/// An activity that wraps an object (a document, or an activity it takes
/// back) for the public or an audience: Create, Update, Delete, the Undo of
/// an Announce.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectActivity<T> {
    /// What it does.
    #[serde(rename = "type")]
    pub kind: ActivityType,
    /// Activity id.
    pub id: Url,
    /// Who acts.
    pub actor: Url,
    /// The object.
    pub object: T,
    /// Audience.
    #[serde(default)]
    pub to: Vec<Url>,
    /// Secondary audience.
    #[serde(default)]
    pub cc: Vec<Url>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<chrono::DateTime<chrono::Utc>>,
}

/// A share (boost) of an item, named by its id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Announce {
    /// `Announce`.
    #[serde(rename = "type")]
    pub kind: ActivityType,
    /// The share's id.
    pub id: Url,
    /// The agency that shares.
    pub actor: Url,
    /// The item, by its id as peers know it.
    pub object: Url,
    /// When it was shared.
    pub published: chrono::DateTime<chrono::Utc>,
    /// Audience.
    pub to: Vec<Url>,
    /// The agency's followers and the item's owner.
    pub cc: Vec<Url>,
}

/// An activity that puts an object somewhere: Add to and Remove from a
/// collection, and Move (the actor itself to its new account).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TargetActivity {
    /// `Add`, `Remove` or `Move`.
    #[serde(rename = "type")]
    pub kind: ActivityType,
    /// Activity id.
    pub id: Url,
    /// Who acts.
    pub actor: Url,
    /// What is put there.
    pub object: Url,
    /// Where it goes (or comes from).
    pub target: Url,
    /// Audience.
    pub to: Vec<Url>,
    /// Secondary audience; a Move has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<Url>,
}

/// An activity between two actors, addressed to the other one alone:
/// Follow, Accept, the Undo of a Follow. A Follow embedded in its Undo
/// carries no `to`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ActorActivity<T> {
    /// `Follow`, `Accept` or `Undo`.
    #[serde(rename = "type")]
    pub kind: ActivityType,
    /// Activity id.
    pub id: Url,
    /// Who acts.
    pub actor: Url,
    /// The actor followed, or the activity answered or taken back.
    pub object: T,
    /// The other actor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Url>,
}

/// A Follow: `object` is the actor followed.
pub type Follow = ActorActivity<Url>;

/// A report, in Mastodon's shape (`ActivityPub::FlagSerializer`): `object`
/// names the reported account first, then what of it is reported, and
/// `content` says why. It comes from the instance actor, so the receiving
/// server's moderators see which server reported, not which person.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Flag {
    /// `Flag`.
    #[serde(rename = "type")]
    pub kind: ActivityType,
    /// Activity id.
    pub id: Url,
    /// The instance actor.
    pub actor: Url,
    /// Why, as plain text.
    pub content: String,
    /// The account, then the reported objects.
    pub object: Vec<Url>,
    /// The reported account.
    pub to: Vec<Url>,
}
