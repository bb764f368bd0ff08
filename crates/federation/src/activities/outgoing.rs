//! Ids of the activities we send that are not named for a local object
//! (Follow, Undo, Accept, Flag): fresh random ones, and ones derived from
//! the activity they answer. Both are built by `crate::urls`; the activities
//! themselves are built in `crate::outbox`.

use crate::Urls;
use rand::RngCore;
use url::Url;

/// A fresh activity id under `/activities/{kind}/{random}`.
pub fn activity_id(urls: &Urls, kind: &str) -> Url {
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    urls.other_activity(kind, &hex)
}

/// An activity id under `/activities/{kind}/{hash}` that depends only on
/// `source` (the activity it answers), so it is the same every time.
pub fn derived_id(urls: &Urls, kind: &str, source: &str) -> Url {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(source.as_bytes());
    let hex: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
    urls.other_activity(kind, &hex)
}
