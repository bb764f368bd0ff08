//! Who an inbound post was addressed to, read as Mastodon reads it
//! (`ActivityPub::Parser::StatusParser#visibility`): the object's own
//! `to`/`cc`, or the activity's where the object names none; Public in
//! `to` is public, Public only in `cc` is unlisted, the author's followers
//! collection in `to` is followers-only, and anything else is direct.
//! Who it mentions (`tag` entries of type `Mention`) is read beside it.

use crate::protocol::{PUBLIC, incoming::first_url};
use deling_domain::audience::Visibility;
use deling_store::queries::message::Addressed;
use serde_json::{Map, Value};
use url::Url;

/// The three spellings of the public collection peers send (the compact
/// JSON-LD forms included, as Mastodon's `public_collection?` accepts).
fn is_public(address: &str) -> bool {
    matches!(address, PUBLIC | "as:Public" | "Public")
}

/// The addresses of a `to` or `cc` value: a string, an object with an
/// id, or an array of either. Anything else names no one.
fn addresses(v: Option<&Value>) -> Vec<String> {
    let mut all = Vec::new();
    gather(v, &mut all);
    all
}

/// Addresses of one of `to` and `cc` kept, at most: a post names its
/// audience collections and the people it mentions, a few dozen at most;
/// what a list of thousands would add is only work and stored bytes (the
/// list is kept with a message). Cutting it can only narrow what is
/// judged public, never widen it.
pub const MAX_ADDRESSES: usize = 200;
/// The longest address kept, in bytes (longer is no actor's id here).
pub const MAX_ADDRESS_BYTES: usize = 2048;

fn gather(v: Option<&Value>, into: &mut Vec<String>) {
    let mut push = |s: &str| {
        if into.len() < MAX_ADDRESSES
            && s.len() <= MAX_ADDRESS_BYTES
            && !into.iter().any(|a| a == s)
        {
            into.push(s.to_owned());
        }
    };
    match v {
        Some(Value::String(s)) => push(s),
        Some(Value::Object(m)) => {
            if let Some(s) = m.get("id").and_then(Value::as_str) {
                push(s);
            }
        }
        Some(Value::Array(a)) => {
            for v in a {
                if into.len() >= MAX_ADDRESSES {
                    break;
                }
                gather(Some(v), into);
            }
        }
        _ => {}
    }
}

/// Who an inbound object was addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    /// The addresses named.
    pub addressed: Addressed,
    /// The actors mentioned in its `tag`.
    pub mentions: Vec<Url>,
}

impl Audience {
    /// Reads `object`'s audience; `activity_to`/`activity_cc` stand in
    /// where the object names none of its own.
    pub fn of(object: &Map<String, Value>, activity_to: &Value, activity_cc: &Value) -> Self {
        let has = |key: &str| object.get(key).is_some_and(|v| !v.is_null());
        let (to, cc) = if has("to") || has("cc") {
            (addresses(object.get("to")), addresses(object.get("cc")))
        } else {
            (addresses(Some(activity_to)), addresses(Some(activity_cc)))
        };
        let mentions = match object.get("tag") {
            Some(Value::Array(tags)) => tags
                .iter()
                .filter_map(mention)
                .take(MAX_ADDRESSES)
                .collect(),
            Some(tag @ Value::Object(_)) => mention(tag).into_iter().collect(),
            _ => vec![],
        };
        Self {
            addressed: Addressed { to, cc },
            mentions,
        }
    }

    /// Its visibility, given the author's followers collection (if known).
    pub fn visibility(&self, followers: Option<&str>) -> Visibility {
        let Addressed { to, cc } = &self.addressed;
        if to.iter().any(|a| is_public(a)) {
            Visibility::Public
        } else if cc.iter().any(|a| is_public(a)) {
            Visibility::Unlisted
        } else if followers.is_some_and(|f| to.iter().any(|a| a == f)) {
            Visibility::Followers
        } else {
            Visibility::Direct
        }
    }

    /// Every actor it names, in `to`, `cc` or a mention.
    pub fn named(&self) -> impl Iterator<Item = Url> + '_ {
        self.addressed
            .to
            .iter()
            .chain(&self.addressed.cc)
            .filter_map(|a| Url::parse(a).ok())
            .chain(self.mentions.iter().cloned())
    }
}

fn mention(tag: &Value) -> Option<Url> {
    (tag.get("type").and_then(Value::as_str) == Some("Mention"))
        .then(|| tag.get("href").and_then(first_url))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FOLLOWERS: &str = "https://social.example/users/kari/followers";

    fn visibility(object: Value, activity_to: Value) -> Visibility {
        let Value::Object(o) = object else { panic!() };
        Audience::of(&o, &activity_to, &Value::Null).visibility(Some(FOLLOWERS))
    }

    #[test]
    fn a_list_of_thousands_keeps_a_bounded_unique_few() {
        let oslo = "https://deling.example.no/agencies/oslo";
        let mut to: Vec<Value> = vec![json!(oslo); 30_000];
        to.extend((0..5_000).map(|n| json!(format!("https://x.example/u/{n}"))));
        to.push(json!("https://x.example/".to_owned() + &"a".repeat(10_000)));
        let Value::Object(o) = json!({"to": to, "cc": [FOLLOWERS]}) else {
            panic!()
        };
        let audience = Audience::of(&o, &Value::Null, &Value::Null);
        assert_eq!(audience.addressed.to.len(), MAX_ADDRESSES);
        assert_eq!(audience.addressed.to[0], oslo);
        assert_eq!(
            audience.addressed.to.iter().filter(|a| *a == oslo).count(),
            1
        );
        assert!(
            audience
                .addressed
                .to
                .iter()
                .all(|a| a.len() <= MAX_ADDRESS_BYTES)
        );
        assert_eq!(audience.addressed.cc, [FOLLOWERS]);
    }

    #[test]
    fn reads_the_four_degrees_as_mastodon_does() {
        let agency = "https://deling.example.no/agencies/oslo";
        assert_eq!(
            visibility(json!({"to": [PUBLIC], "cc": [FOLLOWERS]}), Value::Null),
            Visibility::Public
        );
        assert_eq!(
            visibility(json!({"to": "as:Public"}), Value::Null),
            Visibility::Public
        );
        assert_eq!(
            visibility(json!({"to": [FOLLOWERS], "cc": ["Public"]}), Value::Null),
            Visibility::Unlisted
        );
        assert_eq!(
            visibility(json!({"to": [FOLLOWERS], "cc": [agency]}), Value::Null),
            Visibility::Followers
        );
        assert_eq!(
            visibility(json!({"to": [agency]}), Value::Null),
            Visibility::Direct
        );
        // Someone else's followers collection is no more than direct.
        assert_eq!(
            visibility(
                json!({"to": ["https://other.example/users/x/followers"]}),
                Value::Null
            ),
            Visibility::Direct
        );
        // No audience at all: nobody but those named may see it.
        assert_eq!(visibility(json!({}), Value::Null), Visibility::Direct);
    }

    #[test]
    fn the_activity_speaks_only_where_the_object_is_silent() {
        assert_eq!(visibility(json!({}), json!([PUBLIC])), Visibility::Public);
        assert_eq!(
            visibility(json!({"to": [FOLLOWERS]}), json!([PUBLIC])),
            Visibility::Followers
        );
    }

    #[test]
    fn names_addressees_and_mentions() {
        let Value::Object(o) = json!({
            "to": [{"id": "https://a.example/u/1"}], "cc": "https://b.example/u/2",
            "tag": [{"type": "Mention", "href": "https://c.example/u/3"},
                    {"type": "Hashtag", "href": "https://c.example/tags/x"}],
        }) else {
            panic!()
        };
        let a = Audience::of(&o, &Value::Null, &Value::Null);
        let named: Vec<String> = a.named().map(|u| u.to_string()).collect();
        assert_eq!(
            named,
            [
                "https://a.example/u/1",
                "https://b.example/u/2",
                "https://c.example/u/3"
            ]
        );
    }
}
