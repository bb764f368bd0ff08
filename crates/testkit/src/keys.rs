//! Keys for tests, made once per test binary: RSA generation is slow, and
//! start-up and federation need real keys.

use deling_federation::keys::{self, KeyPair};
use rsa::{
    RsaPrivateKey,
    pkcs8::{EncodePublicKey, LineEnding},
};
use std::sync::OnceLock;

/// Distinct key pairs in the pool: an instance actor and two agency keys
/// for each of three instances, so no two servers in a test share a key.
const POOL: usize = 9;

/// One key pair for every actor of a test binary that needs no more
/// (the API tests).
pub fn test_keys() -> &'static KeyPair {
    static KEYS: OnceLock<KeyPair> = OnceLock::new();
    KEYS.get_or_init(|| keys::generate().expect("generate an RSA key pair"))
}

/// Key pair `n` of a pool made once for the whole binary (a pool keeps
/// servers' keys distinct without paying per test).
pub async fn pool_key(n: usize) -> &'static KeyPair {
    static KEYS: OnceLock<Vec<KeyPair>> = OnceLock::new();
    let keys = tokio::task::spawn_blocking(|| {
        KEYS.get_or_init(|| {
            let workers: Vec<_> = (0..POOL)
                .map(|_| std::thread::spawn(|| keys::generate().expect("generate a key pair")))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("key generation thread"))
                .collect()
        })
    })
    .await
    .expect("key pool");
    &keys[n % POOL]
}

/// Two RSA-2048 keys for fake peers, made with the `rsa` crate (not with
/// Deling's code), once per test binary.
pub async fn fake_keys() -> &'static [RsaPrivateKey; 2] {
    static KEYS: OnceLock<[RsaPrivateKey; 2]> = OnceLock::new();
    tokio::task::spawn_blocking(|| {
        KEYS.get_or_init(|| {
            let make = || {
                std::thread::spawn(|| {
                    RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("generate an RSA key")
                })
            };
            let (a, b) = (make(), make());
            [a.join().expect("key thread"), b.join().expect("key thread")]
        })
    })
    .await
    .expect("fake keys")
}

/// SubjectPublicKeyInfo PEM of `key`.
pub fn public_pem(key: &RsaPrivateKey) -> String {
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("encode the public key")
}
