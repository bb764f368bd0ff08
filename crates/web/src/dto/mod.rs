//! JSON shapes of the API, with their OpenAPI schemas: one module per
//! resource, everything re-exported here (handlers and the OpenAPI document
//! name them `dto::X`).

mod actors;
mod agencies;
mod comments;
mod items;
mod messages;
mod names;
mod shares;
mod staff;

pub use actors::ActorRef;
pub use agencies::{AgencyBody, AgencyView, FollowBody, FollowingView};
pub use comments::{CommentBody, CommentEditBody, CommentQuery, CommentView, ReportBody};
pub use items::{
    CountsView, ItemBody, ItemPage, ItemQuery, ItemView, LinkBody, LinkView, NewItemBody,
    ReactionView,
};
pub use messages::{MessagePage, MessageReplyBody, MessageView};
pub use names::{
    FederationModeName, ItemKindName, OriginName, ReportStatusName, RoleName, SeverityName,
};
pub use shares::{ShareBody, ShareQuery, ShareView, SharedItemView};
pub use staff::{LoginBody, MeView, MemberBody, MemberView, MembershipView, TokenView};

use serde::{Deserialize, Deserializer};

/// Tells "absent" (keep) from `null` in a body: `Some(None)` is an
/// explicit `null`.
pub(crate) fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A body that must be a JSON object. Derived struct deserialisers also
/// accept an array (field by field, in order), and with every field
/// optional `[]` would read as an empty item; this refuses it, while
/// keeping the derived checks (unknown and duplicate fields).
#[derive(Debug)]
pub struct ObjectOnly<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}
