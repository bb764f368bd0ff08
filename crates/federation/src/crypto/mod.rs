//! RSA signing and verifying for HTTP signatures, with aws-lc-rs.
//!
//! aws-lc-rs signs RSA-2048 about six times and verifies about ten times
//! faster than the pure-Rust `rsa` crate (see docs/PERFORMANCE.md), and
//! it is already in the build as rustls's crypto provider, so it costs no
//! extra compile time and needs no system tools (no cmake or nasm on
//! Linux). The `rsa` crate is kept only where activitypub_federation wants
//! its own key type (see [`crate::setup`] and [`crate::keys`]).
//!
//! Keys are parsed once ([`SigningKey`], [`VerifyingKey`]) and kept by
//! [`cache::KeyCache`], so no request parses a PEM it has seen before.
//! PKCS#1 v1.5 signatures are deterministic: a signature made here is
//! byte for byte the one the `rsa` crate or OpenSSL makes with the key.

pub mod cache;

use aws_lc_rs::{
    rand::SystemRandom,
    rsa::KeyPair,
    signature::{self, ParsedPublicKey, UnparsedPublicKey},
};

/// Why a key could not be read or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not PEM, or a PEM of another kind of document.
    #[error("not a PEM-encoded RSA {0} key")]
    Pem(&'static str),
    /// PEM of the right kind whose contents are not a usable RSA key (or
    /// one smaller than the backend accepts).
    #[error("unusable RSA {0} key: {1}")]
    Rejected(&'static str, String),
    /// The backend failed to sign.
    #[error("cannot sign")]
    Sign,
}

/// The DER inside a PEM document, if its label is one of `labels`.
fn pem_der(pem: &str, labels: &[&str], what: &'static str) -> Result<Vec<u8>, KeyError> {
    let (label, der) =
        pem_rfc7468::decode_vec(pem.trim().as_bytes()).map_err(|_| KeyError::Pem(what))?;
    if labels.contains(&label) {
        Ok(der)
    } else {
        Err(KeyError::Pem(what))
    }
}

/// An RSA private key, parsed, that signs with RSASSA-PKCS1-v1_5 and
/// SHA-256 (`rsa-sha256` in draft-cavage, `rsa-v1_5-sha256` in RFC 9421).
pub struct SigningKey {
    pair: KeyPair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads a PKCS#8 PEM (`PRIVATE KEY`, what Deling stores) or a PKCS#1
    /// PEM (`RSA PRIVATE KEY`). The backend takes keys of 2048 to 8192 bits.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let der = pem_der(pem, &["PRIVATE KEY", "RSA PRIVATE KEY"], "private")?;
        let pair = KeyPair::from_pkcs8(&der)
            .or_else(|_| KeyPair::from_der(&der))
            .map_err(|e| KeyError::Rejected("private", e.to_string()))?;
        Ok(Self { pair })
    }

    /// The RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub fn sign_pkcs1_sha256(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut out = vec![0; self.pair.public_modulus_len()];
        // aws-lc-rs takes a random source for ring compatibility and does
        // not use it for PKCS#1 v1.5, which is deterministic.
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut out,
            )
            .map_err(|_| KeyError::Sign)?;
        Ok(out)
    }
}

/// An RSA public key, parsed, that verifies the two schemes peers use.
pub struct VerifyingKey {
    /// Parsed for RSASSA-PKCS1-v1_5 SHA-256, what nearly every request
    /// carries.
    pkcs1: ParsedPublicKey,
    /// The key's DER, for the rare RSA-PSS signature (RFC 9421
    /// `rsa-pss-sha512`), parsed when one comes.
    der: Vec<u8>,
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyingKey").finish_non_exhaustive()
    }
}

/// PKCS#1 v1.5 with SHA-256 for keys of 1024 bits and up, as the `rsa`
/// crate (which verified before) and OpenSSL (Mastodon) take them; some
/// old fediverse servers still publish 1024-bit keys.
static PKCS1_SHA256: &signature::RsaParameters =
    &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY;

impl VerifyingKey {
    /// Reads a SubjectPublicKeyInfo PEM (`PUBLIC KEY`, what actors
    /// publish in `publicKeyPem`) or a PKCS#1 PEM (`RSA PUBLIC KEY`).
    /// aws-lc-rs parses either DER form.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let der = pem_der(pem, &["PUBLIC KEY", "RSA PUBLIC KEY"], "public")?;
        let pkcs1 = ParsedPublicKey::new(PKCS1_SHA256, &der)
            .map_err(|e| KeyError::Rejected("public", e.to_string()))?;
        Ok(Self { pkcs1, der })
    }

    /// Whether `signature` is the RSASSA-PKCS1-v1_5 SHA-256 signature of
    /// `message` by this key.
    pub fn verify_pkcs1_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.pkcs1.verify_sig(message, signature).is_ok()
    }

    /// Whether `signature` is the RSASSA-PSS SHA-512 signature (MGF1 with
    /// SHA-512, a 64-byte salt: RFC 9421 `rsa-pss-sha512`) of `message`.
    pub fn verify_pss_sha512(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&signature::RSA_PSS_2048_8192_SHA512, &self.der)
            .verify(message, signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn refuses_what_is_not_an_rsa_key_of_the_right_kind() {
        let kp = crate::keys::generate().unwrap();
        assert!(SigningKey::from_pem(&kp.private_key_pem).is_ok());
        assert!(VerifyingKey::from_pem(&kp.public_key_pem).is_ok());
        // A public key is not a private key, and the other way round.
        assert_eq!(
            SigningKey::from_pem(&kp.public_key_pem).unwrap_err(),
            KeyError::Pem("private")
        );
        assert_eq!(
            VerifyingKey::from_pem(&kp.private_key_pem).unwrap_err(),
            KeyError::Pem("public")
        );
        assert!(VerifyingKey::from_pem("not a key").is_err());
        let broken = kp.public_key_pem.replace('A', "B");
        assert!(VerifyingKey::from_pem(&broken).is_err());
    }

    #[test]
    fn a_signature_verifies_only_for_its_message_and_key() {
        let kp = crate::keys::generate().unwrap();
        let key = SigningKey::from_pem(&kp.private_key_pem).unwrap();
        let public = VerifyingKey::from_pem(&kp.public_key_pem).unwrap();
        let sig = key.sign_pkcs1_sha256(b"hello").unwrap();
        assert_eq!(sig.len(), 256);
        assert!(public.verify_pkcs1_sha256(b"hello", &sig));
        assert!(!public.verify_pkcs1_sha256(b"hellO", &sig));
        assert!(!public.verify_pss_sha512(b"hello", &sig));
    }
}
