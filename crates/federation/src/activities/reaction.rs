//! Like and Announce of our items.

use crate::{
    activities::content::local_item_id,
    context::Data,
    error::{FedError, refuse},
    objects::actors::{DbRemoteActor, same_origin},
    protocol::incoming::Activity,
};
use activitypub_federation::traits::Object;

/// Counts a Like or boost of a local item; others' items are not ours to count.
pub async fn receive(
    a: Activity,
    actor: &DbRemoteActor,
    data: &Data,
    kind: &str,
) -> Result<(), FedError> {
    same_origin(&a.id, actor.id())?;
    let Some(target) = a.object.id() else {
        return refuse("reaction without object");
    };
    let Some(item_id) = local_item_id(&target, data) else {
        return Ok(());
    };
    match data.store.get_item(item_id).await? {
        Some(i) if i.deleted_at.is_none() && i.agency_id().is_some() => {
            data.store
                .put_reaction(item_id, actor.row.id, kind, a.id.as_str())
                .await?;
            Ok(())
        }
        _ => refuse(format!("{target} is not a current item here")),
    }
}
