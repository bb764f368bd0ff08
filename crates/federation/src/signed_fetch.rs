//! Verifying signed GETs, for `federation.require_signed_fetch`.
//!
//! activitypub_federation's own check demands a `Digest`, which a GET does
//! not have (Mastodon signs `(request-target) host date accept`), so GETs are
//! verified here: the signature must cover the request target, Host and a
//! Date (or `(created)`), be no older than an hour, and verify against the
//! key of the actor named by `keyId`.

use crate::{context::Data, error::FedError, objects::actors::DbRemoteActor};
use activitypub_federation::{fetch::object_id::ObjectId, traits::Actor};
use base64::Engine;
use http_signature_normalization::Config;
use rsa::{Pkcs1v15Sign, RsaPublicKey, pkcs8::DecodePublicKey};
use sha2::{Digest, Sha256};
use std::{collections::BTreeMap, sync::LazyLock, time::Duration};
use url::Url;

static CONFIG: LazyLock<Config> =
    LazyLock::new(|| Config::new().set_expiration(Duration::from_secs(3600)));

fn invalid(why: impl Into<String>) -> FedError {
    FedError::Unsigned(why.into())
}

/// The headers a `Signature` header says it covers, lower-cased; `None`
/// when it does not say, or says it ambiguously (a parameter given twice,
/// which the verifier would resolve by keeping the last, or a pseudo-header
/// without its parameter), so this check always reads the list the
/// verifier signs.
pub fn covered_headers(signature: &str) -> Option<Vec<String>> {
    // Read exactly as http-signature-normalization reads it (a `Signature`
    // prefix dropped, parameters split at `,` and the first `=`, names not
    // trimmed), so both see the same list.
    let s = signature.trim_start_matches("Signature").trim();
    let mut seen: Vec<&str> = Vec::new();
    let (mut headers, mut created, mut expires) = (None, false, false);
    for part in s.split(',') {
        let Some((name, value)) = part.split_once('=') else {
            continue;
        };
        if seen.contains(&name) {
            return None;
        }
        seen.push(name);
        match name {
            "headers" => headers = Some(value.trim_matches('"')),
            "created" => created = true,
            "expires" => expires = true,
            _ => {}
        }
    }
    let list: Vec<String> = headers?
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    // A pseudo-header without its parameter is not signed by the verifier.
    let names = |n: &str| list.iter().any(|h| h == n);
    if (names("(created)") && !created) || (names("(expires)") && !expires) {
        return None;
    }
    Some(list)
}

/// Fails when the request is signed in the `Authorization` header, which
/// the verifier prefers over `Signature`: only one place may count.
pub fn refuse_authorization_signature(authorization: Option<&str>) -> Result<(), FedError> {
    match authorization {
        Some(a) if a.trim_start().to_ascii_lowercase().starts_with("signature") => {
            Err(invalid("sign with the Signature header, not Authorization"))
        }
        _ => Ok(()),
    }
}

/// Verifies a signed GET and returns the actor that signed it.
/// `headers` has lower-case names.
pub async fn verify_get(
    path_and_query: &str,
    headers: BTreeMap<String, String>,
    data: &Data,
) -> Result<DbRemoteActor, FedError> {
    refuse_authorization_signature(headers.get("authorization").map(String::as_str))?;
    let signature = headers
        .get("signature")
        .ok_or_else(|| invalid("the request is not signed"))?;
    let covered = covered_headers(signature)
        .ok_or_else(|| invalid("the signature does not list its headers"))?;
    for needed in ["(request-target)", "host"] {
        if !covered.iter().any(|h| h == needed) {
            return Err(invalid(format!("the signature must cover {needed}")));
        }
    }
    if !covered.iter().any(|h| h == "date" || h == "(created)") {
        return Err(invalid("the signature must cover date"));
    }
    let unverified = CONFIG
        .begin_verify("GET", path_and_query, headers)
        .map_err(|e| invalid(format!("unusable signature: {e}")))?;
    // keyId is ACTOR#main-key (Mastodon, Lemmy, us) or ACTOR/main-key.
    let mut actor_url =
        Url::parse(unverified.key_id()).map_err(|_| invalid("keyId is not a URL"))?;
    if actor_url.fragment().is_some() {
        actor_url.set_fragment(None);
    } else if let Some(path) = actor_url
        .path()
        .strip_suffix("/main-key")
        .map(str::to_owned)
    {
        actor_url.set_path(&path);
    }
    let actor = ObjectId::<DbRemoteActor>::from(actor_url)
        .dereference(data)
        .await?;
    let key = RsaPublicKey::from_public_key_pem(actor.public_key_pem())
        .map_err(|_| invalid("the signer has no usable public key"))?;
    let ok = unverified.verify(|sig, signing_string| {
        base64::engine::general_purpose::STANDARD
            .decode(sig)
            .is_ok_and(|sig| {
                key.verify(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(signing_string.as_bytes()),
                    &sig,
                )
                .is_ok()
            })
    });
    if ok {
        Ok(actor)
    } else {
        Err(invalid("the signature does not verify"))
    }
}
