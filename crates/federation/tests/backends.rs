//! Signatures made with Deling's signing backend (aws-lc-rs, in
//! `deling_federation::crypto`) verify with the `rsa` crate, which Deling
//! used before and which the test peers use, and the other way round: for
//! draft-cavage (`rsa-sha256`, the signing string built by
//! http-signature-normalization as the delivery and the inbox build it)
//! and for RFC 9421 (`rsa-v1_5-sha256` made and checked, `rsa-pss-sha512`
//! checked). PKCS#1 v1.5 is deterministic, so both backends must also
//! make the very same bytes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use deling_federation::{
    cavage,
    crypto::{SigningKey, VerifyingKey},
    rfc9421::{self, Message},
};
use http_signature_normalization::Config;
use rsa::{
    Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey,
    pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding},
    pss::Pss,
};
use sha2::{Digest, Sha256, Sha512};
use std::{collections::BTreeMap, sync::OnceLock};
use url::Url;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// One key pair in both backends' types: made by the `rsa` crate, handed
/// to aws-lc-rs as the PEM Deling stores.
struct Keys {
    rsa_private: RsaPrivateKey,
    rsa_public: RsaPublicKey,
    signing: SigningKey,
    verifying: VerifyingKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa_private = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let rsa_public = RsaPublicKey::from(&rsa_private);
        let private_pem = rsa_private.to_pkcs8_pem(LineEnding::LF).unwrap();
        let public_pem = rsa_public.to_public_key_pem(LineEnding::LF).unwrap();
        Keys {
            signing: SigningKey::from_pem(&private_pem).unwrap(),
            verifying: VerifyingKey::from_pem(&public_pem).unwrap(),
            rsa_private,
            rsa_public,
        }
    })
}

fn rsa_sign(message: &[u8]) -> Vec<u8> {
    keys()
        .rsa_private
        .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
        .unwrap()
}

fn rsa_verifies(message: &[u8], signature: &[u8]) -> bool {
    keys()
        .rsa_public
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(message),
            signature,
        )
        .is_ok()
}

#[test]
fn both_backends_make_the_same_pkcs1_signature() {
    let message = b"(request-target): post /inbox\nhost: peer.example";
    let ours = keys().signing.sign_pkcs1_sha256(message).unwrap();
    assert_eq!(ours, rsa_sign(message));
}

#[test]
fn keys_deling_generates_read_in_both_backends() {
    let kp = deling_federation::keys::generate().unwrap();
    let rsa_private = RsaPrivateKey::from_pkcs8_pem(&kp.private_key_pem).unwrap();
    let rsa_public = RsaPublicKey::from_public_key_pem(&kp.public_key_pem).unwrap();
    let ours = SigningKey::from_pem(&kp.private_key_pem).unwrap();
    let public = VerifyingKey::from_pem(&kp.public_key_pem).unwrap();
    let sig = ours.sign_pkcs1_sha256(b"x").unwrap();
    assert!(public.verify_pkcs1_sha256(b"x", &sig));
    assert!(
        rsa_public
            .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(b"x"), &sig)
            .is_ok()
    );
    let theirs = rsa_private
        .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(b"x"))
        .unwrap();
    assert_eq!(sig, theirs);
}

/// The headers of a delivery, as `delivery::send` signs them draft-cavage
/// (the same Date each time, or a signature made in one second would be
/// checked against the next second's signing string).
fn cavage_headers() -> BTreeMap<String, String> {
    static DATE: OnceLock<String> = OnceLock::new();
    let date = DATE.get_or_init(|| httpdate::fmt_http_date(std::time::SystemTime::now()));
    [
        ("host", "peer.example"),
        ("date", date.as_str()),
        ("content-type", "application/activity+json"),
        (
            "digest",
            "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn cavage_config() -> Config {
    Config::new().mastodon_compat()
}

/// A draft-cavage `Signature` header over the delivery, signed by `sign`.
fn cavage_signed(sign: impl FnOnce(&str) -> String) -> String {
    cavage_config()
        .begin_sign("POST", "/inbox", cavage_headers())
        .unwrap()
        .sign(
            "https://deling.example/agencies/oslo#main-key".into(),
            |s| Ok::<_, std::convert::Infallible>(sign(s)),
        )
        .unwrap()
        .signature_header()
}

/// Checks a draft-cavage `Signature` header the way the inbox reads it.
fn cavage_verifies(header: &str, verifies: impl FnOnce(&str, &str) -> bool) -> bool {
    let mut headers = cavage_headers();
    headers.insert("signature".into(), header.to_owned());
    cavage_config()
        .begin_verify("POST", "/inbox", headers)
        .unwrap()
        .verify(verifies)
}

#[test]
fn cavage_signed_by_deling_verifies_with_the_rsa_crate() {
    let header = cavage_signed(|s| cavage::sign(&keys().signing, s).unwrap());
    assert!(header.contains(r#"headers="(request-target) content-type date digest host""#));
    assert!(cavage_verifies(&header, |sig, s| {
        rsa_verifies(s.as_bytes(), &B64.decode(sig).unwrap())
    }));
    // And not over another signing string.
    assert!(!cavage_verifies(&header, |sig, s| {
        rsa_verifies(format!("{s}x").as_bytes(), &B64.decode(sig).unwrap())
    }));
}

#[test]
fn cavage_signed_by_the_rsa_crate_verifies_with_deling() {
    let header = cavage_signed(|s| B64.encode(rsa_sign(s.as_bytes())));
    assert!(cavage_verifies(&header, |sig, s| cavage::verifies(
        &keys().verifying,
        sig,
        s
    )));
    let tampered = header.replacen("signature=\"", "signature=\"AAAA", 1);
    assert!(!cavage_verifies(&tampered, |sig, s| cavage::verifies(
        &keys().verifying,
        sig,
        s
    )));
}

const COVERED: [&str; 5] = [
    "@method",
    "@target-uri",
    "@authority",
    "content-type",
    "content-digest",
];

fn rfc9421_headers() -> BTreeMap<String, String> {
    [
        ("content-type", "application/activity+json".to_owned()),
        ("content-digest", rfc9421::content_digest(b"{}")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn inbox() -> Url {
    Url::parse("https://peer.example/users/a/inbox").unwrap()
}

#[test]
fn rfc9421_signed_by_deling_verifies_with_the_rsa_crate() {
    let (target, headers) = (inbox(), rfc9421_headers());
    let msg = Message {
        method: "POST",
        target: &target,
        headers: &headers,
    };
    let now = chrono::Utc::now().timestamp();
    let signed = rfc9421::sign(
        &msg,
        &COVERED,
        "https://deling.example/agencies/oslo#main-key",
        now,
        &keys().signing,
    )
    .unwrap();
    let sig = &rfc9421::parse(&signed.signature_input, &signed.signature).unwrap()[0];
    let base = rfc9421::signature_base(sig, &msg).unwrap();
    assert!(rsa_verifies(base.as_bytes(), &sig.signature));
    assert!(!rsa_verifies(format!("{base} ").as_bytes(), &sig.signature));
}

/// A `Signature-Input` as another server writes it, and the base it
/// covers over the delivery.
fn foreign_input(alg: &str) -> (String, String) {
    let input = format!(
        r#"peer=("@method" "@target-uri" "content-digest");created={};keyid="https://peer.example/u#main-key";alg="{alg}""#,
        chrono::Utc::now().timestamp()
    );
    let (target, headers) = (inbox(), rfc9421_headers());
    let msg = Message {
        method: "POST",
        target: &target,
        headers: &headers,
    };
    let parsed = &rfc9421::parse(&input, "peer=:AAAA:").unwrap()[0];
    (input, rfc9421::signature_base(parsed, &msg).unwrap())
}

fn deling_verifies(input: &str, signature: &[u8]) -> bool {
    let (target, headers) = (inbox(), rfc9421_headers());
    let msg = Message {
        method: "POST",
        target: &target,
        headers: &headers,
    };
    let value = format!("peer=:{}:", B64.encode(signature));
    let sig = &rfc9421::parse(input, &value).unwrap()[0];
    rfc9421::verify(sig, &msg, &keys().verifying).unwrap()
}

#[test]
fn rfc9421_signed_by_the_rsa_crate_verifies_with_deling() {
    let (input, base) = foreign_input("rsa-v1_5-sha256");
    assert!(deling_verifies(&input, &rsa_sign(base.as_bytes())));
    assert!(!deling_verifies(&input, &rsa_sign(b"something else")));

    // RSA-PSS with SHA-512 and a 64-byte salt, randomized: Deling only
    // verifies it.
    let (input, base) = foreign_input("rsa-pss-sha512");
    let pss = keys()
        .rsa_private
        .sign_with_rng(
            &mut rand::thread_rng(),
            Pss::new_with_salt::<Sha512>(64),
            &Sha512::digest(base.as_bytes()),
        )
        .unwrap();
    assert!(deling_verifies(&input, &pss));
    // A PKCS#1 v1.5 signature does not pass as PSS, nor PSS as v1.5.
    assert!(!deling_verifies(&input, &rsa_sign(base.as_bytes())));
    let (v15_input, _) = foreign_input("rsa-v1_5-sha256");
    assert!(!deling_verifies(&v15_input, &pss));
}
