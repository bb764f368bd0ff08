//! Parsed keys kept between requests: our own private keys by key id,
//! and remote actors' public keys by actor id. An entry is used only
//! while the PEM it was parsed from is the PEM the caller holds (read
//! from the database as before), so a rotated key, ours or a peer's, is
//! parsed afresh the first time it is used, with nothing to invalidate
//! by hand.

use super::{KeyError, SigningKey, VerifyingKey};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

/// Private keys kept per key id: the current one and, during a
/// rotation's grace period, the one it replaced (both sign under the same
/// `keyId`).
const KEYS_PER_ID: usize = 2;

/// Remote actors whose keys are kept (a few kilobytes each); beyond, about half
/// are forgotten (to be parsed again on their next request).
const MAX_REMOTE: usize = 4096;

type Entry<K> = (String, Arc<K>);

/// The parsed keys of one process; [`crate::context::FedContext`] holds
/// one, shared by its clones.
#[derive(Default)]
pub struct KeyCache {
    own: Mutex<HashMap<String, Vec<Entry<SigningKey>>>>,
    remote: Mutex<HashMap<String, Entry<VerifyingKey>>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}

impl KeyCache {
    /// Our private key `pem` that signs as `key_id`, parsed on first use.
    pub fn signing(&self, key_id: &str, pem: &str) -> Result<Arc<SigningKey>, KeyError> {
        {
            let own = self.own.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((_, key)) = own
                .get(key_id)
                .and_then(|v| v.iter().find(|(p, _)| p == pem))
            {
                return Ok(key.clone());
            }
        }
        // Parsed outside the lock: a few microseconds nobody need wait for.
        let key = Arc::new(SigningKey::from_pem(pem)?);
        let mut own = self.own.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = own.entry(key_id.to_owned()).or_default();
        if !kept.iter().any(|(p, _)| p == pem) {
            if kept.len() >= KEYS_PER_ID {
                kept.remove(0);
            }
            kept.push((pem.to_owned(), key.clone()));
        }
        Ok(key)
    }

    /// The public key `pem` of remote actor `actor`, parsed on first use
    /// (and again when the actor's key changed).
    pub fn verifying(&self, actor: &str, pem: &str) -> Result<Arc<VerifyingKey>, KeyError> {
        {
            let remote = self.remote.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((p, key)) = remote.get(actor)
                && p == pem
            {
                return Ok(key.clone());
            }
        }
        let key = Arc::new(VerifyingKey::from_pem(pem)?);
        let mut remote = self.remote.lock().unwrap_or_else(PoisonError::into_inner);
        if remote.len() >= MAX_REMOTE && !remote.contains_key(actor) {
            // A HashMap's order is arbitrary: which half goes is close
            // enough to random, and costs no bookkeeping per hit.
            let drop: Vec<String> = remote.keys().take(MAX_REMOTE / 2).cloned().collect();
            for k in drop {
                remote.remove(&k);
            }
        }
        remote.insert(actor.to_owned(), (pem.to_owned(), key.clone()));
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_key_is_parsed_once_and_again_when_it_changes() {
        let (a, b, c) = (
            crate::keys::generate().unwrap(),
            crate::keys::generate().unwrap(),
            crate::keys::generate().unwrap(),
        );
        let cache = KeyCache::default();
        let id = "https://x.example/a#main-key";
        let first = cache.signing(id, &a.private_key_pem).unwrap();
        assert!(Arc::ptr_eq(
            &first,
            &cache.signing(id, &a.private_key_pem).unwrap()
        ));
        // A rotation: the new key is parsed, the old one is still kept.
        let second = cache.signing(id, &b.private_key_pem).unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert!(Arc::ptr_eq(
            &first,
            &cache.signing(id, &a.private_key_pem).unwrap()
        ));
        // A third key pushes out the oldest.
        cache.signing(id, &c.private_key_pem).unwrap();
        assert!(!Arc::ptr_eq(
            &first,
            &cache.signing(id, &a.private_key_pem).unwrap()
        ));

        let actor = "https://peer.example/users/x";
        let one = cache.verifying(actor, &a.public_key_pem).unwrap();
        assert!(Arc::ptr_eq(
            &one,
            &cache.verifying(actor, &a.public_key_pem).unwrap()
        ));
        let rotated = cache.verifying(actor, &b.public_key_pem).unwrap();
        assert!(!Arc::ptr_eq(&one, &rotated));
        assert!(cache.verifying(actor, "junk").is_err());
        // A failed parse leaves the good entry alone.
        assert!(Arc::ptr_eq(
            &rotated,
            &cache.verifying(actor, &b.public_key_pem).unwrap()
        ));
    }
}
