//! The ceilings Deling's figures are held against, measured in the same
//! run on the same machine: RSA-2048 signing and verifying per core with
//! the `rsa` crate and with aws-lc-rs, and a bare actix-web handler that
//! serves fixed bytes.

use actix_web::{App, HttpResponse, HttpServer, web};
use aws_lc_rs::{
    rand::SystemRandom,
    signature::{self, KeyPair as _, UnparsedPublicKey},
};
use rsa::{
    Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey,
    pkcs8::{DecodePrivateKey, EncodePrivateKey},
};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// Operations per second on every core together, for each backend.
#[derive(Debug, Clone, Copy)]
pub struct Rsa {
    /// Signatures per second with the `rsa` crate.
    pub rsa_sign: f64,
    /// Verifications per second with the `rsa` crate.
    pub rsa_verify: f64,
    /// Signatures per second with aws-lc-rs.
    pub fast_sign: f64,
    /// Verifications per second with aws-lc-rs.
    pub fast_verify: f64,
}

/// How many cores the machine gives this process.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `op` on every core for `time`; total operations per second.
fn per_second_on_all_cores(time: Duration, op: impl Fn() + Sync) -> f64 {
    let started = Instant::now();
    let done: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores())
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0;
                    while started.elapsed() < time {
                        op();
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    done as f64 / started.elapsed().as_secs_f64()
}

/// Measures RSA-2048 PKCS#1 v1.5 SHA-256 (what the fediverse signs with)
/// with the key in `private_key_pem`, `time` per operation and backend.
pub fn rsa(private_key_pem: &str, time: Duration) -> anyhow::Result<Rsa> {
    let key = RsaPrivateKey::from_pkcs8_pem(private_key_pem)?;
    let public = RsaPublicKey::from(&key);
    let msg = b"(request-target): post /inbox\nhost: example.org\ndate: Sun, 06 Dec 2026 00:00:00 GMT\ndigest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let hashed = Sha256::digest(msg);
    let sig = key.sign(Pkcs1v15Sign::new::<Sha256>(), &hashed)?;

    let der = key.to_pkcs8_der()?;
    let fast = signature::RsaKeyPair::from_pkcs8(der.as_bytes())
        .map_err(|e| anyhow::anyhow!("aws-lc-rs cannot read the key: {e}"))?;
    let fast_public = fast.public_key().as_ref().to_vec();
    let rng = SystemRandom::new();
    let mut fast_sig = vec![0; fast.public_modulus_len()];
    fast.sign(&signature::RSA_PKCS1_SHA256, &rng, msg, &mut fast_sig)
        .map_err(|_| anyhow::anyhow!("aws-lc-rs cannot sign"))?;
    anyhow::ensure!(fast_sig == sig, "the two backends sign differently");

    let rsa_sign = per_second_on_all_cores(time, || {
        let _ = key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg));
    });
    let rsa_verify = per_second_on_all_cores(time, || {
        let _ = public.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), &sig);
    });
    let fast_sign = per_second_on_all_cores(time, || {
        let mut out = vec![0; fast.public_modulus_len()];
        let _ = fast.sign(&signature::RSA_PKCS1_SHA256, &rng, msg, &mut out);
    });
    let verifier = UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &fast_public);
    let fast_verify = per_second_on_all_cores(time, || {
        let _ = verifier.verify(msg, &sig);
    });
    Ok(Rsa {
        rsa_sign,
        rsa_verify,
        fast_sign,
        fast_verify,
    })
}

/// Starts a bare actix-web server (`workers` workers) that answers every
/// GET with `body` as `content_type`; its base URL.
pub fn bare_server(
    body: Vec<u8>,
    content_type: &'static str,
    workers: usize,
) -> anyhow::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let body = web::Bytes::from(body);
    let server = HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move { HttpResponse::Ok().content_type(content_type).body(body) }
        }))
    })
    .workers(workers)
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(format!("http://127.0.0.1:{port}"))
}
