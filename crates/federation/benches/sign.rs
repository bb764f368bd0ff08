//! RSA-2048 signing and verifying per core, as HTTP signatures use them
//! (PKCS#1 v1.5 with SHA-256 over a draft-cavage signing string): the
//! `rsa` crate (what Deling used before, and what activitypub_federation
//! still uses) against aws-lc-rs (`deling_federation::crypto`), with the
//! PEM parsing that the key cache now saves per request, and verifying
//! inline on the async threads against `spawn_blocking`.
//!
//! `cargo bench -p deling-federation --bench sign [-- SECONDS]`: each
//! figure runs for SECONDS (default 2) on one thread, so it is per core.
//! Not a test: it asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use deling_federation::crypto::{SigningKey, VerifyingKey, cache::KeyCache};
use rsa::{
    Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey,
    pkcs8::{DecodePrivateKey, DecodePublicKey},
};
use sha2::{Digest, Sha256};
use std::{
    hint::black_box,
    sync::Arc,
    time::{Duration, Instant},
};

/// A delivery's draft-cavage signing string.
const SIGNING_STRING: &str = "(request-target): post /users/eve/inbox\n\
host: mastodon.example\n\
date: Sun, 06 Dec 2026 00:00:00 GMT\n\
digest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\n\
content-type: application/activity+json";

/// Operations per second of `f`, run on this thread for `secs`.
fn rate(secs: f64, mut f: impl FnMut()) -> f64 {
    // Warm up (caches, lazy tables) before the clock starts.
    for _ in 0..10 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < secs {
        for _ in 0..10 {
            f();
        }
        n += 10;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn row(what: &str, rsa: f64, aws: f64) {
    println!(
        "| {what} | {} | {} | {:.1}x |",
        fmt(rsa),
        fmt(aws),
        aws / rsa
    );
}

fn fmt(per_sec: f64) -> String {
    let s = format!("{per_sec:.0}");
    // Thousands separated, as the docs write figures.
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}/s")
}

/// Verifies `total` signatures from 64 tasks on a two-thread runtime,
/// inline or through `spawn_blocking`, while a ticker measures how late
/// the runtime wakes a task that sleeps 1 ms: verifications per second
/// and the ticker's p99 lateness.
fn verify_on_runtime(key: Arc<VerifyingKey>, sig: Arc<Vec<u8>>, blocking: bool) -> (f64, Duration) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async move {
        const TASKS: usize = 64;
        const EACH: usize = 400;
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let ticker = {
            let done = done.clone();
            tokio::spawn(async move {
                let mut late = Vec::new();
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let t = Instant::now();
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    late.push(t.elapsed().saturating_sub(Duration::from_millis(1)));
                }
                late.sort();
                late.get(late.len() * 99 / 100).copied().unwrap_or_default()
            })
        };
        let start = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (key, sig) = (key.clone(), sig.clone());
                tokio::spawn(async move {
                    for _ in 0..EACH {
                        let ok = if blocking {
                            let (key, sig) = (key.clone(), sig.clone());
                            tokio::task::spawn_blocking(move || {
                                key.verify_pkcs1_sha256(SIGNING_STRING.as_bytes(), &sig)
                            })
                            .await
                            .unwrap()
                        } else {
                            let ok = key.verify_pkcs1_sha256(SIGNING_STRING.as_bytes(), &sig);
                            tokio::task::yield_now().await;
                            ok
                        };
                        assert!(black_box(ok));
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let rate = (TASKS * EACH) as f64 / start.elapsed().as_secs_f64();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (rate, ticker.await.unwrap())
    })
}

fn main() {
    let secs: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2.0);
    let kp = deling_federation::keys::generate().unwrap();
    let rsa_private = RsaPrivateKey::from_pkcs8_pem(&kp.private_key_pem).unwrap();
    let rsa_public = RsaPublicKey::from_public_key_pem(&kp.public_key_pem).unwrap();
    let ours = SigningKey::from_pem(&kp.private_key_pem).unwrap();
    let public = VerifyingKey::from_pem(&kp.public_key_pem).unwrap();
    let msg = SIGNING_STRING.as_bytes();
    let sig = ours.sign_pkcs1_sha256(msg).unwrap();

    println!("RSA-2048, PKCS#1 v1.5 SHA-256, one thread ({secs} s per figure)\n");
    println!("| operation | `rsa` 0.9 | aws-lc-rs | ratio |");
    println!("|---|---|---|---|");
    let rsa_sign = rate(secs, || {
        black_box(
            rsa_private
                .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg))
                .unwrap(),
        );
    });
    let aws_sign = rate(secs, || {
        black_box(ours.sign_pkcs1_sha256(msg).unwrap());
    });
    row("sign", rsa_sign, aws_sign);
    let rsa_verify = rate(secs, || {
        assert!(
            rsa_public
                .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), &sig)
                .is_ok()
        );
    });
    let aws_verify = rate(secs, || {
        assert!(public.verify_pkcs1_sha256(msg, &sig));
    });
    row("verify", rsa_verify, aws_verify);
    let rsa_parse_private = rate(secs, || {
        black_box(RsaPrivateKey::from_pkcs8_pem(&kp.private_key_pem).unwrap());
    });
    let aws_parse_private = rate(secs, || {
        black_box(SigningKey::from_pem(&kp.private_key_pem).unwrap());
    });
    row(
        "parse a private key PEM (PKCS#8)",
        rsa_parse_private,
        aws_parse_private,
    );
    let rsa_parse_public = rate(secs, || {
        black_box(RsaPublicKey::from_public_key_pem(&kp.public_key_pem).unwrap());
    });
    let aws_parse_public = rate(secs, || {
        black_box(VerifyingKey::from_pem(&kp.public_key_pem).unwrap());
    });
    row(
        "parse a public key PEM (SPKI)",
        rsa_parse_public,
        aws_parse_public,
    );
    // What a delivery and an inbox request paid before (parse + use) and
    // pay now (a cache hit + use).
    let cache = KeyCache::default();
    let key_id = "https://deling.example/agencies/oslo#main-key";
    let actor = "https://mastodon.example/users/eve";
    let before_sign = rate(secs, || {
        let key = RsaPrivateKey::from_pkcs8_pem(&kp.private_key_pem).unwrap();
        black_box(
            key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg))
                .unwrap(),
        );
    });
    let now_sign = rate(secs, || {
        let key = cache.signing(key_id, &kp.private_key_pem).unwrap();
        black_box(key.sign_pkcs1_sha256(msg).unwrap());
    });
    row(
        "sign one delivery (before: parse + sign; now: cached key + sign)",
        before_sign,
        now_sign,
    );
    let before_verify = rate(secs, || {
        let key = RsaPublicKey::from_public_key_pem(&kp.public_key_pem).unwrap();
        assert!(
            key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), &sig)
                .is_ok()
        );
    });
    let now_verify = rate(secs, || {
        let key = cache.verifying(actor, &kp.public_key_pem).unwrap();
        assert!(key.verify_pkcs1_sha256(msg, &sig));
    });
    row(
        "verify one request (before: parse + verify; now: cached key + verify)",
        before_verify,
        now_verify,
    );

    println!("\naws-lc-rs verify from 64 tasks on a 2-thread tokio runtime\n");
    println!("| where | verifies/s | p99 lateness of a 1 ms timer |");
    println!("|---|---|---|");
    let (key, sig) = (Arc::new(public), Arc::new(sig));
    for (what, blocking) in [("inline", false), ("spawn_blocking", true)] {
        let (rate, late) = verify_on_runtime(key.clone(), sig.clone(), blocking);
        println!("| {what} | {} | {late:.2?} |", fmt(rate));
    }
}
