//! The draft-cavage `Signature` header without I/O: which headers it says
//! it covers, and the rule that it may not also stand in `Authorization`
//! ([`crate::signature`] checks both before it verifies a draft-cavage
//! signature, for inbox POSTs and signed GETs alike); and its
//! `signature` parameter made and checked (`rsa-sha256`: RSASSA-PKCS1-v1_5
//! with SHA-256 over the signing string, in standard base64), where
//! http-signature-normalization builds the signing string.

use crate::{
    crypto::{KeyError, SigningKey, VerifyingKey},
    error::FedError,
};
use base64::Engine;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The `signature` parameter of a draft-cavage `rsa-sha256` signature
/// over `signing_string`.
pub fn sign(key: &SigningKey, signing_string: &str) -> Result<String, KeyError> {
    Ok(B64.encode(key.sign_pkcs1_sha256(signing_string.as_bytes())?))
}

/// Whether `signature` (the base64 `signature` parameter) is `key`'s
/// `rsa-sha256` signature over `signing_string`.
pub fn verifies(key: &VerifyingKey, signature: &str, signing_string: &str) -> bool {
    B64.decode(signature)
        .is_ok_and(|sig| key.verify_pkcs1_sha256(signing_string.as_bytes(), &sig))
}

/// Parameters a `Signature` header may have: `keyId`, `algorithm`,
/// `headers`, `signature`, `created`, `expires`, with room to spare. A
/// header of thousands is no signature, and checking it for repeats would
/// cost their square.
pub const MAX_SIGNATURE_PARAMS: usize = 16;

/// Headers one signature may cover: peers sign four to seven.
pub const MAX_COVERED_HEADERS: usize = 32;

/// The headers a `Signature` header says it covers, lower-cased; `None`
/// when it does not say, or says it ambiguously (a parameter given twice,
/// which the verifier would resolve by keeping the last, or a pseudo-header
/// without its parameter), so this check always reads the list the
/// verifier signs; `None` too past [`MAX_SIGNATURE_PARAMS`] parameters or
/// [`MAX_COVERED_HEADERS`] headers.
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
        if seen.contains(&name) || seen.len() >= MAX_SIGNATURE_PARAMS {
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
        .take(MAX_COVERED_HEADERS + 1)
        .map(str::to_ascii_lowercase)
        .collect();
    if list.len() > MAX_COVERED_HEADERS {
        return None;
    }
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
        Some(a) if a.trim_start().to_ascii_lowercase().starts_with("signature") => Err(
            FedError::Unsigned("sign with the Signature header, not Authorization".into()),
        ),
        _ => Ok(()),
    }
}
