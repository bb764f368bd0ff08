//! Verifying signed GETs, for `federation.require_signed_fetch`.
//!
//! activitypub_federation's own check demands a `Digest`, which a GET does
//! not have (Mastodon signs `(request-target) host date accept`), so GETs
//! are verified by [`crate::signature`]: the signature must cover the
//! request target, our Host and a recent Date (or `(created)`), and verify
//! against the key of the actor named by `keyId`. The header checks both
//! share are in [`crate::cavage`].

use crate::{context::Data, error::FedError, objects::actors::DbRemoteActor};
use std::collections::BTreeMap;

/// Verifies a signed GET and returns the actor that signed it (see
/// [`crate::signature::verify`]). `headers` has lower-case names.
pub async fn verify_get(
    path_and_query: &str,
    headers: BTreeMap<String, String>,
    data: &Data,
) -> Result<DbRemoteActor, FedError> {
    crate::signature::verify(
        crate::signature::SignedRequest {
            method: "GET",
            path_and_query,
            headers,
        },
        data,
    )
    .await
}
