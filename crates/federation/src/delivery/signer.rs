//! The key that signs a delivery: its agency's (with the one a rotation
//! replaced, while it is kept), or the instance actor's. Keys come parsed
//! from [`crate::crypto::cache::KeyCache`], so a delivery parses no PEM.

use super::turn_cache::TurnCache;
use crate::{
    context::Data,
    crypto::{SigningKey, cache::KeyCache},
    error::FedError,
};
use deling_store::queries::delivery::Delivery;
use std::sync::Arc;

/// The keys that sign for a delivery.
#[derive(Debug, Clone)]
pub(super) struct Signer {
    /// `ACTOR#main-key`: the same for the current key and the previous one,
    /// so a peer looks up the actor and tries the key it holds.
    pub key_id: String,
    /// The current private key.
    pub current: Arc<SigningKey>,
    /// The key a rotation replaced, for the `Update` that announces the
    /// new one while the previous key is kept.
    pub previous: Option<Arc<SigningKey>>,
    /// The key a rotation replaced, while it is kept, for any other
    /// delivery the peer refuses with 401: a peer that caches keys and
    /// does not fetch them again on a failure (Fedify does so) still holds
    /// the old one.
    pub fallback: Option<Arc<SigningKey>>,
}

fn parsed(keys: &KeyCache, key_id: &str, pem: &str) -> Result<Arc<SigningKey>, FedError> {
    keys.signing(key_id, pem)
        .map_err(|e| FedError::Refused(format!("unusable signing key: {e}")))
}

/// The keys that sign `row`: its agency's, or the instance actor's.
/// [`FedError::Refused`] when nothing may sign it (the agency is gone, or
/// withdrawn and the row is not a Delete, or its key is unusable).
/// Rows are read through the turn's `cache`.
pub(super) async fn signer(
    row: &Delivery,
    data: &Data,
    cache: &mut TurnCache,
) -> Result<Signer, FedError> {
    match row.agency_id {
        Some(id) => {
            let agency = cache
                .agency(id, data)
                .await?
                .ok_or_else(|| FedError::Refused("the signing agency is gone".into()))?;
            // A withdrawn agency sends nothing but Deletes (of itself, its
            // items, its comments), not even what it queued (or what was
            // retrying) before. Its key stays with its row to sign them.
            if agency.deleted_at.is_some()
                && !crate::outbox::agency::sends_when_withdrawn(
                    &data.urls,
                    agency,
                    &row.activity_id,
                )
            {
                return Err(FedError::Refused("the agency has been withdrawn".into()));
            }
            let kept = agency
                .previous_key_expires_at
                .is_some_and(|until| until > chrono::Utc::now());
            if !kept
                && agency.previous_private_key_pem.is_some()
                && data.store.delete_expired_previous_key(id).await?
            {
                tracing::info!(agency = %agency.slug, "the key replaced by a rotation is past its grace period: erased");
                agency.previous_private_key_pem = None;
            }
            // Only the announcement of the new key goes out with the old
            // one: a follower that holds the old key verifies it and takes
            // the new key from it. Anything else, and the announcement
            // itself after the grace period, is signed with the current
            // key, which a peer fetches when the old one fails.
            let announces = data
                .urls
                .is_agency_key_update(&agency.slug, &row.activity_id);
            let key_id = data.urls.agency_key(&agency.slug).to_string();
            let kept_key = match agency.previous_private_key_pem.as_deref().filter(|_| kept) {
                Some(pem) => Some(parsed(&data.keys, &key_id, pem)?),
                None => None,
            };
            Ok(Signer {
                current: parsed(&data.keys, &key_id, &agency.private_key_pem)?,
                previous: kept_key.clone().filter(|_| announces),
                fallback: kept_key.filter(|_| !announces),
                key_id,
            })
        }
        None => {
            let instance = cache
                .instance(data)
                .await?
                .ok_or_else(|| FedError::Refused("no instance actor".into()))?;
            let key_id = data.urls.instance_actor_key().to_string();
            Ok(Signer {
                current: parsed(&data.keys, &key_id, &instance.private_key_pem)?,
                previous: None,
                fallback: None,
                key_id,
            })
        }
    }
}
