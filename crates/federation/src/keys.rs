//! RSA key pairs for actors, which sign every outgoing ActivityPub request.

/// A PEM-encoded RSA-2048 key pair.
#[derive(Clone)]
pub struct KeyPair {
    /// SubjectPublicKeyInfo PEM, published in the actor's `publicKey`.
    pub public_key_pem: String,
    /// PKCS#8 PEM; never leaves the database.
    pub private_key_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair").finish_non_exhaustive()
    }
}

/// Why a key pair could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot generate an RSA key pair: {0}")]
pub struct KeyError(String);

/// Generates an RSA-2048 key pair, as Mastodon and Lemmy use for actors.
pub fn generate() -> Result<KeyPair, KeyError> {
    let kp = activitypub_federation::http_signatures::generate_actor_keypair()
        .map_err(|e| KeyError(e.to_string()))?;
    Ok(KeyPair {
        public_key_pem: kp.public_key,
        private_key_pem: kp.private_key,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn generates_pem_keys() {
        let kp = super::generate().expect("keys");
        assert!(kp.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(
            kp.private_key_pem
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
    }
}
