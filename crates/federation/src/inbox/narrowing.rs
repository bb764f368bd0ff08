//! An object its author narrowed: sent again, in a Create or Update, to
//! its followers or to named actors only. Every public copy of it here
//! goes, whatever it is stored as (a comment, a catalogued item) and
//! whichever way the new version is handled (as a post, or as a `Page`
//! whether or not an agency here still follows its author); every
//! agency's copy of it as a message is narrowed; and the id is
//! remembered, so that a public version arriving later (an earlier
//! Create retried) is published nowhere.

use crate::{context::Data, error::FedError, objects::actors::DbRemoteActor};
use deling_domain::audience::Visibility;
use url::Url;

/// `id`, by `author`, is now addressed to `visibility` (not public): its
/// public copies go and its copies as messages narrow, before anything
/// else of the new version is looked at.
pub async fn narrowed(
    id: &Url,
    visibility: Visibility,
    author: &DbRemoteActor,
    data: &Data,
) -> Result<(), FedError> {
    // One transaction: a narrowing half done (the id marked, the item
    // still public) is never seen, nor a boost's copy written between.
    let done = data
        .store
        .narrow_remote_object(id.as_str(), author.row.id, visibility)
        .await?;
    // At debug, as every private object's id: the log is the operator's,
    // who need not be the agency's staff, and the id names who wrote
    // privately.
    if done.comment {
        tracing::debug!(%id, "a comment whose author narrowed its audience was taken down");
    }
    if done.item {
        tracing::debug!(%id, %visibility, "catalogued item narrowed by its owner withdrawn");
    }
    if done.messages > 0 {
        tracing::debug!(%id, copies = done.messages, %visibility,
            "a message whose author narrowed its audience was narrowed");
    }
    Ok(())
}
